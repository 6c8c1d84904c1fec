import { type ConfigOf, defineServiceConfig } from '@switchboard/config';
import { listenSettings } from '@switchboard/service';
import { z } from 'zod';

/** The message router's settings: the shared sections plus its own under `router` (`SB_ROUTER__*`). */
export const routerConfig = defineServiceConfig({
  service: 'router',
  section: z.strictObject({ ...listenSettings('router') }),
  live: [],
});

/** The message router's validated configuration. */
export type RouterConfig = ConfigOf<typeof routerConfig>;
