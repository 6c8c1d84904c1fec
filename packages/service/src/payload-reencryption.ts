import { assertAllowed } from '@switchboard/authz';
import type { Bus, BusSubscription } from '@switchboard/bus';
import type { PayloadSettings } from '@switchboard/config';
import {
  type Database,
  type PayloadTable,
  type RecordCodec,
  type ReencryptCursor,
  reencryptPayloads,
} from '@switchboard/db';
import type { Logger } from '@switchboard/logger';
import { PayloadsReencryptRpc, SbError, type ServiceShortName } from '@switchboard/protocol';
import { z } from 'zod';
import { serveAs } from './caller.ts';

const CursorSchema = z.strictObject({
  service: z.string(),
  table: z.int().min(0),
  key: z.array(z.union([z.string(), z.number()])).nullable(),
});

/** A cursor as the RPC carries it: opaque to callers, naming the service that gave it. */
function encodeCursor(service: ServiceShortName, cursor: ReencryptCursor): string {
  return Buffer.from(JSON.stringify({ service, ...cursor }), 'utf8').toString('base64url');
}

function decodeCursor(service: ServiceShortName, text: string): ReencryptCursor {
  let parsed: z.infer<typeof CursorSchema> | undefined;
  try {
    parsed = CursorSchema.parse(JSON.parse(Buffer.from(text, 'base64url').toString('utf8')));
  } catch {
    parsed = undefined;
  }
  if (parsed === undefined || parsed.service !== service) {
    throw new SbError(
      'E_VALIDATION',
      `cursor is not one that ${service}'s payloads.reencrypt answered: pass the cursor of its last step, or none to start over`,
    );
  }
  return { table: parsed.table, key: parsed.key };
}

/**
 * Serves `<ns>.v1.<service>.payloads.reencrypt` for an operator with scope `payloads:write`:
 * each call walks on from its cursor, moving the payloads of `tables` to the codec's active key
 * for at most `payloads.reencrypt.budgetMs` (see `reencryptPayloads`), and answers where it
 * stopped, so the job runs in steps any replica can take, with no downtime.
 */
export function servePayloadReencryption(options: {
  bus: Bus;
  service: ServiceShortName;
  database: Database;
  codec: RecordCodec;
  tables: readonly PayloadTable[];
  settings: () => PayloadSettings['reencrypt'];
  log: Logger;
}): BusSubscription {
  const { codec, service } = options;
  return serveAs(options.bus, service)(PayloadsReencryptRpc, async (request, caller) => {
    assertAllowed(caller.principal, { kind: 'operator', scope: 'payloads:write' });
    const from = request.cursor === undefined ? undefined : decodeCursor(service, request.cursor);
    const progress = await reencryptPayloads(
      options.database,
      codec,
      options.tables,
      options.settings(),
      from,
    );
    options.log.info(
      { activeKeyId: codec.activeKeyId, by: caller.principal.id, ...progress },
      'payloads re-encrypted',
    );
    return {
      service,
      activeKeyId: codec.activeKeyId,
      reencrypted: progress.reencrypted,
      ...(progress.cursor === null ? {} : { cursor: encodeCursor(service, progress.cursor) }),
      remaining: progress.remaining,
      done: progress.done,
    };
  });
}
