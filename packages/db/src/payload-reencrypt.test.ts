import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createRecordCodec,
  encodePayload,
  type PayloadKeyRing,
  payloadRecord,
  type RecordCodec,
} from './payload-codec.ts';
import {
  type PayloadTable,
  payloadColumns,
  prefixedPayloadColumns,
  reencryptPayloads,
} from './payload-reencrypt.ts';
import { connectPostgres, type Database } from './postgres.ts';
import { scratchDatabase } from './test-database.test-helper.ts';

const scratch = scratchDatabase();
let database: Database;

const keys = new Map([
  ['old', randomBytes(32)],
  ['new', randomBytes(32)],
]);
const ring = (activeKeyId?: string): PayloadKeyRing => ({ keys, activeKeyId });

// One table with a payload per row (composite key), one with two optional payloads per row.
const notes: PayloadTable = {
  table: 'demo.notes',
  key: ['scope', 'n'],
  payloads: [
    payloadColumns('body', (row) =>
      payloadRecord('demo.notes', [row.scope as string, row.n as number]),
    ),
  ],
};
const jobs: PayloadTable = {
  table: 'demo.jobs',
  key: ['id'],
  payloads: ['input', 'result'].map((column) =>
    prefixedPayloadColumns(column, (row) => payloadRecord('demo.jobs', row.id as string, column)),
  ),
};

async function insertNote(codec: RecordCodec, scope: string, n: number, value: unknown) {
  const stored = codec.encode(
    encodePayload(value as never),
    payloadRecord('demo.notes', [scope, n]),
  );
  await database.sql`
    INSERT INTO demo.notes (scope, n, body, codec, key_id, nonce, format_version)
    VALUES (${scope}, ${n}, ${stored.bytes}, ${stored.codec}, ${stored.keyId}, ${stored.nonce},
      ${stored.formatVersion})`;
}

async function insertJob(codec: RecordCodec, id: string, input: unknown) {
  const stored = codec.encode(
    encodePayload(input as never),
    payloadRecord('demo.jobs', id, 'input'),
  );
  await database.sql`
    INSERT INTO demo.jobs (id, input, input_codec, input_key_id, input_nonce, input_format_version)
    VALUES (${id}, ${stored.bytes}, ${stored.codec}, ${stored.keyId}, ${stored.nonce},
      ${stored.formatVersion})`;
}

async function readNotes(codec: RecordCodec) {
  const rows = await database.sql<
    {
      scope: string;
      n: number;
      body: Buffer;
      codec: string;
      key_id: string | null;
      nonce: Buffer | null;
      format_version: number;
    }[]
  >`SELECT * FROM demo.notes ORDER BY scope, n`;
  return rows.map((row) => ({
    keyId: row.key_id,
    value: codec.decode(
      {
        bytes: row.body,
        codec: row.codec,
        keyId: row.key_id,
        nonce: row.nonce,
        formatVersion: row.format_version,
      },
      payloadRecord('demo.notes', [row.scope, row.n]),
    ),
  }));
}

beforeAll(async () => {
  database = await connectPostgres(
    { url: scratch.url, poolMax: 4, connectTimeoutMs: 2000 },
    'test',
  );
  await database.sql.unsafe(`
    CREATE SCHEMA demo;
    CREATE TABLE demo.notes (scope text, n int, body bytea NOT NULL, codec text NOT NULL,
      key_id text, nonce bytea, format_version int NOT NULL, PRIMARY KEY (scope, n));
    CREATE TABLE demo.jobs (id text PRIMARY KEY,
      input bytea NOT NULL, input_codec text NOT NULL, input_key_id text, input_nonce bytea,
      input_format_version int NOT NULL,
      result bytea, result_codec text NOT NULL DEFAULT 'identity', result_key_id text,
      result_nonce bytea, result_format_version int NOT NULL DEFAULT 1);`);
});

afterAll(async () => {
  await database?.close();
  await scratch.drop();
});

describe('reencryptPayloads', () => {
  it('moves plaintext and old-key records to the active key in pages, resumably, and repeats as a no-op', async () => {
    const plain = createRecordCodec(ring());
    const old = createRecordCodec(ring('old'));
    const current = createRecordCodec(ring('new'));
    for (let n = 0; n < 7; n += 1) await insertNote(n % 2 === 0 ? plain : old, 'a', n, { n });
    await insertNote(current, 'b', 0, { n: 'b0' });
    await insertJob(old, 'j1', { job: 1 });
    await insertJob(plain, 'j2', { job: 2 });
    const result = current.encode(
      encodePayload({ ok: true }),
      payloadRecord('demo.jobs', 'j1', 'result'),
    );
    await database.sql`
      UPDATE demo.jobs SET result = ${result.bytes}, result_codec = ${result.codec},
        result_key_id = ${result.keyId}, result_nonce = ${result.nonce} WHERE id = 'j1'`;
    const before = await readNotes(current);

    // A spent budget moves nothing and answers where to start.
    await expect(
      reencryptPayloads(database, current, [notes, jobs], { batchSize: 3, budgetMs: -1 }),
    ).resolves.toEqual({
      reencrypted: 0,
      cursor: { table: 0, key: null },
      remaining: null,
      done: false,
    });

    // A walk resumed after note a/3 leaves a/0..a/3 as they were, and counts them at its end.
    const resumed = await reencryptPayloads(
      database,
      current,
      [notes, jobs],
      { batchSize: 3, budgetMs: 60_000 },
      { table: 0, key: ['a', 3] },
    );
    expect(resumed).toEqual({ reencrypted: 5, cursor: null, remaining: 4, done: false });

    const progress = await reencryptPayloads(database, current, [notes, jobs], {
      batchSize: 3,
      budgetMs: 60_000,
    });
    expect(progress).toEqual({ reencrypted: 4, cursor: null, remaining: 0, done: true });
    const after = await readNotes(current);
    expect(after.map((note) => note.value)).toEqual(before.map((note) => note.value));
    expect(after.every((note) => note.keyId === 'new')).toBe(true);
    const [job] = await database.sql<{ input_key_id: string; result_key_id: string }[]>`
      SELECT input_key_id, result_key_id FROM demo.jobs WHERE id = 'j2'`;
    expect(job).toEqual({ input_key_id: 'new', result_key_id: null });
    // Only the new key is needed now.
    const onlyNew = createRecordCodec({
      keys: new Map([['new', keys.get('new') as Buffer]]),
      activeKeyId: 'new',
    });
    expect((await readNotes(onlyNew)).map((note) => note.value)).toEqual(
      before.map((note) => note.value),
    );

    await expect(
      reencryptPayloads(database, current, [notes, jobs], { batchSize: 3, budgetMs: 60_000 }),
    ).resolves.toEqual({ reencrypted: 0, cursor: null, remaining: 0, done: true });
  });

  it('skips rows another transaction holds, and a later run takes them', async () => {
    const old = createRecordCodec(ring('old'));
    const newer = createRecordCodec(ring('new'));
    await insertNote(old, 'c', 0, { held: true });
    let release: () => void = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let locked: () => void = () => {};
    const isLocked = new Promise<void>((resolve) => {
      locked = resolve;
    });
    const holder = database.sql.begin(async (tx) => {
      await tx`SELECT 1 FROM demo.notes WHERE scope = 'c' FOR UPDATE`;
      locked();
      await released;
    });
    await isLocked;
    const options = { batchSize: 10, budgetMs: 60_000 };
    await expect(reencryptPayloads(database, newer, [notes], options)).resolves.toEqual({
      reencrypted: 0,
      cursor: null,
      remaining: 1,
      done: false,
    });
    release();
    await holder;
    await expect(reencryptPayloads(database, newer, [notes], options)).resolves.toEqual({
      reencrypted: 1,
      cursor: null,
      remaining: 0,
      done: true,
    });
  });

  it('turns records back to plaintext when no key is active', async () => {
    const plain = createRecordCodec(ring());
    const progress = await reencryptPayloads(database, plain, [notes], {
      batchSize: 100,
      budgetMs: 60_000,
    });
    expect(progress.done).toBe(true);
    const rows = await database.sql<{ key_id: string | null }[]>`SELECT key_id FROM demo.notes`;
    expect(rows.every((row) => row.key_id === null)).toBe(true);
  });
});
