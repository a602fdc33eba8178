#!/usr/bin/env -S npx tsx
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { readFileSync } from 'node:fs';
import { indonesiaConfig } from '../examples/indonesia';
import { DynamoWriteKeyStore } from '../lib/adapters/dynamo-write-key-store';
import { formatReadout, type JourneyReadout } from '../lib/core/measurement/readout';
import { previewTemplate } from '../lib/app/preview';
import type { Profile } from '../lib/core/profile';
import { emptyProfile } from '../lib/core/reducer';
import { generateWriteKey, hashWriteKey } from '../lib/core/write-keys';

const USAGE = `usage: npm run cli -- write-key create <source-name> --table <ProfilesTableName>
       npm run cli -- outbox [--channel email|sms|push] [--user <userId>] [--journey <journeyId>] [--json] [--url http://localhost:3000]
       npm run cli -- preview <templateId> [--locale id|en] [--profile profile.json] [--event event.json]
       npm run cli -- report <journeyId> [--url http://localhost:3000] [--admin-key local-admin-key] [--confidence 0.95] [--json]
       npm run cli -- report --file readout.json [--json]

  write-key create: creates a write key for a source (an app or a backend), stores only its SHA-256
  in the profiles table, and prints the key once. Uses your usual AWS credentials and region
  (AWS_PROFILE, AWS_REGION); the table name is the ProfilesTableName output of the data stack.

  outbox: lists the messages the local runtime (npm start) captured instead of sending them.

  preview: renders a template of the configuration (examples/indonesia.ts) for a profile (a JSON
  file, e.g. from GET /admin/profiles, or a sample customer) and an entry event's properties.

  report: did the journey work? Totals, steps, and per goal each group's and variant's conversion
  rate and revenue per customer with the lift over the holdout (or global control), its confidence
  interval and p-value. Reads GET /admin/journeys/{journeyId}/report from the local runtime with the
  admin key as a Bearer token (--admin-key, or ADMIN_KEY; default local-admin-key). On AWS the admin
  API is IAM-authorised: sign the request with SigV4 and print the saved answer, e.g.
    awscurl --service execute-api "$API_URL/admin/journeys/win-back/report" > readout.json
    npm run cli -- report --file readout.json`;

/** The operator's command line: write keys, the local runtime's outbox, template previews, journey reports. */
async function main(argv: string[]): Promise<number> {
  const [group] = argv;
  if (group === 'outbox') return outbox(argv.slice(1));
  if (group === 'preview') return preview(argv.slice(1));
  if (group === 'report') return report(argv.slice(1));
  return writeKey(argv);
}

async function writeKey(argv: string[]): Promise<number> {
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

function option(argv: readonly string[], flag: string): string | undefined {
  const index = argv.indexOf(flag);
  return index >= 0 ? argv[index + 1] : undefined;
}

interface OutboxEntry {
  readonly seq: number;
  readonly channel: string;
  readonly to: readonly string[];
  readonly subject?: string;
  readonly title?: string;
  readonly body?: string;
  readonly journeyId?: string;
  readonly stepId?: string;
  readonly variant?: string;
  readonly sentAt: string;
}

/** `outbox`: GET /local/outbox on the local runtime, printed one message per line (or as JSON). */
async function outbox(argv: string[]): Promise<number> {
  const base = option(argv, '--url') ?? process.env.LOCAL_URL ?? 'http://localhost:3000';
  const query = new URLSearchParams();
  for (const [flag, name] of [['--channel', 'channel'], ['--user', 'userId'], ['--journey', 'journeyId']] as const) {
    const value = option(argv, flag);
    if (value) query.set(name, value);
  }
  let response: Response;
  try {
    response = await fetch(`${base.replace(/\/$/, '')}/local/outbox?${query}`);
  } catch {
    process.stderr.write(`no local runtime answers at ${base}: start it with npm start (or pass --url)\n`);
    return 1;
  }
  if (!response.ok) {
    process.stderr.write(`${base} answered ${response.status}: ${await response.text()}\n`);
    return 1;
  }
  const { messages, now } = (await response.json()) as { messages: OutboxEntry[]; now: string };
  if (argv.includes('--json')) {
    process.stdout.write(`${JSON.stringify(messages, null, 2)}\n`);
    return 0;
  }
  process.stdout.write(`${messages.length} message(s); local time ${now}\n`);
  for (const m of messages) {
    const where = [m.journeyId, m.stepId, m.variant].filter(Boolean).join('/');
    const text = (m.subject ?? m.title ?? m.body ?? '').replace(/\s+/g, ' ').slice(0, 60);
    process.stdout.write(`#${m.seq}  ${m.sentAt}  ${m.channel.padEnd(5)}  ${m.to.join(',')}  ${where}  ${text}\n`);
  }
  return 0;
}

interface Output {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

const STDIO: Output = { out: (text) => process.stdout.write(text), err: (text) => process.stderr.write(text) };

/**
 * `report`: a journey's readout from the admin API (or a saved answer, `--file`), printed as the
 * table of {@link formatReadout} or, with `--json`, as the API's JSON. Returns the exit code.
 *
 * @example
 * await report(['win-back', '--url', 'http://localhost:3000']); // prints the table, 0
 */
export async function report(argv: readonly string[], io: Output = STDIO): Promise<number> {
  const [journeyId] = argv;
  const file = option(argv, '--file');
  if (file === undefined && (!journeyId || journeyId.startsWith('--'))) {
    io.err(`${USAGE}\n`);
    return 2;
  }
  let answer: { readout?: JourneyReadout };
  if (file !== undefined) {
    answer = JSON.parse(readFileSync(file, 'utf8')) as { readout?: JourneyReadout };
  } else {
    const base = (option(argv, '--url') ?? process.env.LOCAL_URL ?? 'http://localhost:3000').replace(/\/$/, '');
    const key = option(argv, '--admin-key') ?? process.env.ADMIN_KEY ?? 'local-admin-key';
    const confidence = option(argv, '--confidence');
    const url = `${base}/admin/journeys/${encodeURIComponent(journeyId)}/report${confidence === undefined ? '' : `?confidence=${encodeURIComponent(confidence)}`}`;
    let response: Response;
    try {
      response = await fetch(url, { headers: { authorization: `Bearer ${key}` } });
    } catch {
      io.err(`no admin API answers at ${base}: start the local runtime with npm start (or pass --url)\n`);
      return 1;
    }
    if (!response.ok) {
      io.err(`${base} answered ${response.status}: ${await response.text()}\n`);
      return 1;
    }
    answer = (await response.json()) as { readout?: JourneyReadout };
  }
  // Accept the API's answer ({ readout }) as well as a bare readout.
  const readout = answer.readout ?? (answer as JourneyReadout);
  io.out(argv.includes('--json') ? `${JSON.stringify(readout, null, 2)}\n` : formatReadout(readout));
  return 0;
}

/** `preview`: one template rendered as the journey task would, without sending anything. */
async function preview(argv: string[]): Promise<number> {
  const [templateId] = argv;
  if (!templateId || templateId.startsWith('--')) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const readJson = (flag: string) => {
    const path = option(argv, flag);
    return path === undefined ? undefined : (JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>);
  };
  const fromFile = readJson('--profile');
  // Accept the admin API's answer ({ profile }) as well as a bare profile.
  const profile = ((fromFile?.profile ?? fromFile) as Profile | undefined) ?? sampleProfile();
  const rendered = await previewTemplate(indonesiaConfig, templateId, profile, { locale: option(argv, '--locale'), event: readJson('--event') });
  process.stdout.write(`${JSON.stringify(rendered, null, 2)}\n`);
  return 0;
}

function sampleProfile(): Profile {
  const now = new Date().toISOString();
  return {
    ...emptyProfile('p_sample', now),
    identities: { userIds: ['u-sample'], anonymousIds: [], emails: ['sari@example.co.id'], phones: ['+6281234567890'], devices: [] },
    traits: { firstName: 'Sari', loyaltyPoints: 850, shoeSize: 42 },
  };
}

// Run as a command, not when a test imports `report`.
if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
