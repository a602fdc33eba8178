import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ensureProfilesTable, startLocalDynamo } from '../../local/dynamo';

export interface LocalTable {
  /** A document client on the local endpoint (undefined values removed on write). */
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  /** `http://127.0.0.1:<port>`: for `AWS_ENDPOINT_URL_DYNAMODB` when a handler builds its own client. */
  readonly endpoint: string;
  stop(): Promise<void>;
}

/**
 * Start dynalite in-process on a free port with the profiles table created, as local mode does.
 *
 * @example
 * const table = await startDynalite();
 * const store = new DynamoProfileStore({ client: table.client, tableName: table.tableName });
 * await table.stop();
 */
export async function startDynalite(options: { tableName?: string; path?: string } = {}): Promise<LocalTable> {
  const tableName = options.tableName ?? 'profiles';
  const dynamo = await startLocalDynamo({ path: options.path });
  await ensureProfilesTable(dynamo.endpoint, tableName);
  const raw = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const client = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
  return {
    client,
    tableName,
    endpoint: dynamo.endpoint,
    stop: async () => {
      client.destroy();
      await dynamo.stop();
    },
  };
}
