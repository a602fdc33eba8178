#!/usr/bin/env -S npx tsx
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoWriteKeyStore } from '../lib/adapters/dynamo-write-key-store';
import { generateWriteKey, hashWriteKey } from '../lib/core/write-keys';

const USAGE = `usage: npm run cli -- write-key create <source-name> --table <ProfilesTableName>

  Creates a write key for a source (an app or a backend), stores only its SHA-256 in the profiles
  table, and prints the key once. Uses your usual AWS credentials and region (AWS_PROFILE,
  AWS_REGION); the table name is the ProfilesTableName output of the data stack.`;

/** The operator's command line: today, write keys. */
async function main(argv: string[]): Promise<number> {
  const [group, action, name] = argv;
  const tableIndex = argv.indexOf('--table');
  const table = tableIndex >= 0 ? argv[tableIndex + 1] : process.env.TABLE_NAME;
  if (group !== 'write-key' || action !== 'create' || !name || name.startsWith('--') || !table) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const client = DynamoDBDocumentClient.from(new DynamoDBClient({}));
  const key = generateWriteKey();
  await new DynamoWriteKeyStore(client, table).put(hashWriteKey(key), { name });
  process.stdout.write(`write key for source "${name}" (shown once, store it in your secrets manager):\n${key}\n`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
