import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient, ResourceInUseException, CreateTableCommand } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { profilesTableDefinition } from '../lib/adapters/table-definition';

export interface LocalDynamo {
  /** `http://127.0.0.1:<port>`: what `AWS_ENDPOINT_URL_DYNAMODB` points at. */
  readonly endpoint: string;
  stop(): Promise<void>;
}

/**
 * Start dynalite in this process on a free loopback port: in memory, or kept in a LevelDB folder
 * (`path`) between runs.
 *
 * @example
 * const dynamo = await startLocalDynamo({ path: '.local-data/dynamo' });
 */
export async function startLocalDynamo(options: { path?: string; port?: number } = {}): Promise<LocalDynamo> {
  if (options.path) mkdirSync(options.path, { recursive: true });
  const server = dynalite({ path: options.path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Create the profiles table unless it exists already (data kept on disk survives restarts). */
export async function ensureProfilesTable(endpoint: string, tableName: string): Promise<void> {
  const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  try {
    await client.send(new CreateTableCommand(profilesTableDefinition(tableName)));
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  } finally {
    client.destroy();
  }
}
