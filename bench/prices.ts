/**
 * AWS list prices the bench turns counts into dollars with: the only place they live. On-demand,
 * pay-per-use, no free tier, us-east-1, as published for November 2026 (the figures DESIGN.md and
 * TOOLCHAIN.md quote). Prices change and differ by region: check https://aws.amazon.com/pricing/
 * before you rely on a total, and edit this file to price your own region or destination.
 */
export const PRICES = {
  region: 'us-east-1',
  asOf: '2026-11',
  /** Step Functions Standard: per state transition ($0.025 per 1,000). */
  stepFunctionsTransition: 0.025 / 1000,
  /** Lambda: per request ($0.20 per million). */
  lambdaRequest: 0.2 / 1e6,
  /** Lambda arm64 (Graviton): per GB-second, first pricing tier. */
  lambdaArmGbSecond: 0.0000133334,
  /** The engine's functions: 512 MB (EngineFunction's default), arm64. */
  lambdaMemoryGb: 0.5,
  /**
   * Billed duration assumed per journey task invocation. Measured local durations (printed beside
   * it) include dynalite on the same 2 cores and are not what Lambda would bill; 100 ms covers a
   * warm task with its DynamoDB round trips and a provider call.
   */
  lambdaAssumedSeconds: 0.1,
  /** DynamoDB on-demand: per write request unit ($0.625 per million) and read request unit ($0.125 per million). */
  dynamoWriteUnit: 0.625 / 1e6,
  dynamoReadUnit: 0.125 / 1e6,
  /** SQS standard: per request (64 KB chunk) ($0.40 per million). */
  sqsRequest: 0.4 / 1e6,
  /** SES pay-per-use outbound email ($0.10 per 1,000; the "Essentials" plan that new accounts default to is $0.16). */
  email: 0.1 / 1000,
  /**
   * End User Messaging SMS, per message part: the US base price ($0.00581) plus a typical US
   * carrier fee ($0.00302). Prices are per destination country (Indonesia, the example's market,
   * costs several times more): put yours here.
   */
  sms: 0.00581 + 0.00302,
  /** Push through the Pinpoint SendMessages API ($1.00 per million messages). */
  push: 1 / 1e6,
} as const;

/** What one customer run (or one naive run) uses; the cost function prices it. */
export interface RunUsage {
  readonly transitions: number;
  readonly lambdaInvocations: number;
  readonly dynamoReadUnits: number;
  readonly dynamoWriteUnits: number;
  readonly sqsRequests: number;
  readonly emails: number;
  readonly sms: number;
  readonly push: number;
}

export interface CostBreakdown {
  readonly stepFunctions: number;
  readonly lambda: number;
  readonly dynamo: number;
  readonly sqs: number;
  readonly messages: number;
  /** Everything but the messages: what the engine itself adds to the providers' price. */
  readonly engine: number;
  readonly total: number;
}

/**
 * Dollars for `runs` runs of this usage (default one million).
 *
 * @example
 * costOf({ transitions: 6, lambdaInvocations: 3, dynamoReadUnits: 3, dynamoWriteUnits: 8, sqsRequests: 0.3, emails: 1, sms: 0, push: 0 }).total; // ≈ 268
 */
export function costOf(usage: RunUsage, runs = 1e6): CostBreakdown {
  const stepFunctions = usage.transitions * PRICES.stepFunctionsTransition * runs;
  const lambda = usage.lambdaInvocations * (PRICES.lambdaRequest + PRICES.lambdaAssumedSeconds * PRICES.lambdaMemoryGb * PRICES.lambdaArmGbSecond) * runs;
  const dynamo = (usage.dynamoReadUnits * PRICES.dynamoReadUnit + usage.dynamoWriteUnits * PRICES.dynamoWriteUnit) * runs;
  const sqs = usage.sqsRequests * PRICES.sqsRequest * runs;
  const messages = (usage.emails * PRICES.email + usage.sms * PRICES.sms + usage.push * PRICES.push) * runs;
  const engine = stepFunctions + lambda + dynamo + sqs;
  return { stepFunctions, lambda, dynamo, sqs, messages, engine, total: engine + messages };
}
