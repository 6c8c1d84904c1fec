import { type ConfigOf, defineServiceConfig } from '@switchboard/config';
import { listenSettings } from '@switchboard/service';
import { z } from 'zod';

/** The state service's settings: the shared sections plus its own under `state` (`SB_STATE__*`). */
export const stateConfig = defineServiceConfig({
  service: 'state',
  section: z.strictObject({ ...listenSettings('state') }),
  live: [],
});

/** The state service's validated configuration. */
export type StateConfig = ConfigOf<typeof stateConfig>;
