import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ITable, ProjectionType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { IKey, Key } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { EVAL_AT, EVAL_BUCKET, EVAL_INDEX, PK, SK, TTL_ATTRIBUTE } from '../adapters/table-keys';

/**
 * The stateful resources of the engine: what a stateless `JourneyEngine` needs to be handed when
 * tables and keys live in another stack (or another team's account baseline).
 */
export interface IEngineData {
  /** The profiles table, laid out as in `lib/adapters/table-keys.ts`. */
  readonly table: ITable;
  /** The customer-managed key that encrypts the table and the event queues. */
  readonly key: IKey;
}

export interface EngineDataProps {
  /**
   * What happens to the table and the key when they leave the stack.
   *
   * @default RemovalPolicy.RETAIN - profiles, consent and message logs outlive a stack
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Whether DynamoDB refuses `DeleteTable` until this is turned off.
   *
   * @default true
   */
  readonly deletionProtection?: boolean;
}

/**
 * The profiles table and its customer-managed KMS key (rotated yearly). On-demand billing (the
 * engine scales to zero), point-in-time recovery, TTL on `expiresAt` for raw events and logs, and
 * the sparse keys-only index `byNextEvaluation` that the re-evaluator queries by hour bucket.
 *
 * @example
 * const data = new EngineData(this, 'Data');
 * new JourneyEngine(this, 'Engine', { config, data });
 */
export class EngineData extends Construct implements IEngineData {
  public readonly table: Table;
  public readonly key: Key;

  public constructor(scope: Construct, id: string, props: EngineDataProps = {}) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;

    this.key = new Key(this, 'Key', {
      description: 'Journey engine: profiles table and event queues',
      enableKeyRotation: true,
      removalPolicy,
    });

    this.table = new Table(this, 'Profiles', {
      partitionKey: { name: PK, type: AttributeType.STRING },
      sortKey: { name: SK, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.key,
      timeToLiveAttribute: TTL_ATTRIBUTE,
      deletionProtection: props.deletionProtection ?? true,
      removalPolicy,
    });
    this.table.addGlobalSecondaryIndex({
      indexName: EVAL_INDEX,
      partitionKey: { name: EVAL_BUCKET, type: AttributeType.STRING },
      sortKey: { name: EVAL_AT, type: AttributeType.STRING },
      // The re-evaluator only needs the profile's key; it reads the item itself before writing.
      projectionType: ProjectionType.KEYS_ONLY,
    });
  }
}
