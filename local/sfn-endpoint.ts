import type { IncomingMessage, ServerResponse } from 'node:http';
import { LocalSfnError } from './sfn-errors';
import type { ExecutionDescription, ExecutionEvent, LocalStepFunctions } from './stepfunctions';

const TARGET_PREFIX = 'AWSStepFunctions.';
const CONTENT_TYPE = 'application/x-amz-json-1.0';

/** Whether this request is for the SFN endpoint (`X-Amz-Target: AWSStepFunctions.<Action>`). */
export function isSfnRequest(request: IncomingMessage): boolean {
  return String(request.headers['x-amz-target'] ?? '').startsWith(TARGET_PREFIX);
}

/**
 * Just enough of the Step Functions JSON protocol for the handlers' unmodified `SFNClient`,
 * reached through `AWS_ENDPOINT_URL_SFN`: StartExecution, StopExecution, SendTaskSuccess,
 * SendTaskFailure, SendTaskHeartbeat, DescribeExecution, ListExecutions, GetExecutionHistory.
 * Errors carry the AWS `__type` (ExecutionAlreadyExists, ExecutionDoesNotExist, TaskTimedOut,
 * InvalidToken...), so the SDK raises the exception classes of the same names.
 *
 * @example
 * createServer((req, res) => void handleSfnRequest(req, res, sfn));
 */
export async function handleSfnRequest(request: IncomingMessage, response: ServerResponse, sfn: LocalStepFunctions): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const input = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, any>;
  const action = String(request.headers['x-amz-target'] ?? '').slice(TARGET_PREFIX.length);
  try {
    write(response, 200, perform(sfn, action, input));
  } catch (error) {
    if (error instanceof LocalSfnError) write(response, 400, { __type: error.code, message: error.message });
    else write(response, 500, { __type: 'InternalFailure', message: error instanceof Error ? error.message : String(error) });
  }
}

function perform(sfn: LocalStepFunctions, action: string, input: Record<string, any>): unknown {
  switch (action) {
    case 'StartExecution': {
      const { executionArn, startDate } = sfn.start(input.stateMachineArn, input.name, input.input ?? '{}');
      return { executionArn, startDate: epoch(startDate) };
    }
    case 'StopExecution':
      return { stopDate: epoch(sfn.stop(input.executionArn, { error: input.error, cause: input.cause }).stopDate) };
    case 'SendTaskSuccess':
      sfn.sendTaskSuccess(input.taskToken, input.output);
      return {};
    case 'SendTaskFailure':
      sfn.sendTaskFailure(input.taskToken, input.error, input.cause);
      return {};
    case 'SendTaskHeartbeat':
      return {};
    case 'DescribeExecution':
      return describe(sfn.describe(input.executionArn));
    case 'ListExecutions':
      return page(
        sfn.list({ stateMachine: input.stateMachineArn, status: input.statusFilter }).map((d) => {
          const { input: _input, output: _output, error: _error, cause: _cause, ...summary } = describe(d);
          return summary;
        }),
        input,
        'executions',
      );
    case 'GetExecutionHistory': {
      const events = sfn.history(input.executionArn).map(historyEvent);
      return page(input.reverseOrder ? events.reverse() : events, input, 'events');
    }
    default:
      throw new UnsupportedOperationError(action);
  }
}

class UnsupportedOperationError extends LocalSfnError {
  public constructor(action: string) {
    super('UnsupportedOperation', `the local Step Functions endpoint does not support ${action}`);
  }
}

function describe(d: ExecutionDescription) {
  return { ...d, startDate: epoch(d.startDate), stopDate: d.stopDate ? epoch(d.stopDate) : undefined };
}

function historyEvent(event: ExecutionEvent, index: number) {
  const id = index + 1;
  const base = { id, previousEventId: index, timestamp: epoch(event.timestamp) };
  if (event.type === 'StateEntered') return { ...base, type: `${event.stateType}StateEntered`, stateEnteredEventDetails: { name: event.stateName } };
  if (event.type === 'StateExited') return { ...base, type: `${event.stateType}StateExited`, stateExitedEventDetails: { name: event.stateName } };
  if (event.type === 'ExecutionFailed') return { ...base, type: event.type, executionFailedEventDetails: { error: event.error, cause: event.cause } };
  if (event.type === 'ExecutionTimeout') return { ...base, type: 'ExecutionTimedOut' };
  return { ...base, type: event.type };
}

function page<T>(items: T[], input: Record<string, any>, key: string): Record<string, unknown> {
  const start = Number(input.nextToken ?? 0);
  const size = Number(input.maxResults) > 0 ? Number(input.maxResults) : 1000;
  const end = start + size;
  return { [key]: items.slice(start, end), nextToken: end < items.length ? String(end) : undefined };
}

const epoch = (date: Date) => date.getTime() / 1000;

function write(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': CONTENT_TYPE });
  response.end(JSON.stringify(body));
}
