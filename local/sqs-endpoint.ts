import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LocalQueue } from './local-queue';

const md5 = (text: string) => createHash('md5').update(text, 'utf8').digest('hex');

/** Local queues by name: the last segment of a queue URL (`.../000000000000/<name>`). */
export type LocalQueues = LocalQueue | ReadonlyMap<string, LocalQueue>;

/**
 * Just enough of the SQS JSON protocol (`X-Amz-Target: AmazonSQS.<Action>`) for the handlers'
 * unmodified SQS clients, reached through `AWS_ENDPOINT_URL_SQS`: SendMessage and
 * SendMessageBatch, with the MD5 digests the SDK verifies. With several queues, the request's
 * `QueueUrl` picks one by its name.
 */
export async function handleSqsRequest(request: IncomingMessage, response: ServerResponse, queues: LocalQueues): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const input = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as {
    QueueUrl?: string;
    MessageBody?: string;
    Entries?: { Id: string; MessageBody: string }[];
  };
  const action = String(request.headers['x-amz-target'] ?? '').replace('AmazonSQS.', '');
  const name = String(input.QueueUrl ?? '').split('/').pop() ?? '';
  const queue = 'send' in queues ? queues : queues.get(name);
  if (!queue) {
    response.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' });
    response.end(JSON.stringify({ __type: 'com.amazonaws.sqs#QueueDoesNotExist', message: `no local queue named "${name}" (${input.QueueUrl})` }));
    return;
  }
  let output: unknown;
  switch (action) {
    case 'SendMessage':
      output = { MessageId: queue.send(input.MessageBody ?? ''), MD5OfMessageBody: md5(input.MessageBody ?? '') };
      break;
    case 'SendMessageBatch':
      output = {
        Successful: (input.Entries ?? []).map((entry) => ({
          Id: entry.Id,
          MessageId: queue.send(entry.MessageBody),
          MD5OfMessageBody: md5(entry.MessageBody),
        })),
        Failed: [],
      };
      break;
    default:
      response.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' });
      response.end(JSON.stringify({ __type: 'com.amazonaws.sqs#UnsupportedOperation', message: `local SQS does not support ${action}` }));
      return;
  }
  response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
  response.end(JSON.stringify(output));
}
