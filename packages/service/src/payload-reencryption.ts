import { assertAllowed } from '@switchboard/authz';
import type { Bus, BusSubscription } from '@switchboard/bus';
import type { PayloadSettings } from '@switchboard/config';
import {
  type Database,
  type PayloadTable,
  type RecordCodec,
  reencryptPayloads,
} from '@switchboard/db';
import type { Logger } from '@switchboard/logger';
import { PayloadsReencryptRpc, type ServiceShortName } from '@switchboard/protocol';
import { serveAs } from './caller.ts';

/**
 * Serves `<ns>.v1.<service>.payloads.reencrypt` for an operator with scope `payloads:write`:
 * each call moves the payloads of `tables` to the codec's active key for at most
 * `payloads.reencrypt.budgetMs` (see `reencryptPayloads`) and answers with the progress, so the
 * job runs in steps any replica can take, with no downtime, until `done`.
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
  return serveAs(options.bus, service)(PayloadsReencryptRpc, async (_request, caller) => {
    assertAllowed(caller.principal, { kind: 'operator', scope: 'payloads:write' });
    const progress = await reencryptPayloads(
      options.database,
      codec,
      options.tables,
      options.settings(),
    );
    options.log.info(
      { activeKeyId: codec.activeKeyId, by: caller.principal.id, ...progress },
      'payloads re-encrypted',
    );
    return { service, activeKeyId: codec.activeKeyId, ...progress };
  });
}
