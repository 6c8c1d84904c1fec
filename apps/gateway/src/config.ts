import { type ConfigOf, defineServiceConfig } from '@switchboard/config';
import { listenSettings } from '@switchboard/service';
import { z } from 'zod';

/** The gateway's settings: the shared sections plus its own under `gateway` (`SB_GATEWAY__*`). */
export const gatewayConfig = defineServiceConfig({
  service: 'gateway',
  section: z.strictObject({ ...listenSettings('gateway') }),
  live: [],
});

/** The gateway's validated configuration. */
export type GatewayConfig = ConfigOf<typeof gatewayConfig>;
