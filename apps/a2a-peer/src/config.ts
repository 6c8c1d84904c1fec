import { type ConfigOf, defineServiceConfig } from '@switchboard/config';
import { listenSettings } from '@switchboard/service';
import { z } from 'zod';

/** The A2A peer's settings: the shared sections plus its own under `a2a` (`SB_A2A__*`). */
export const a2aConfig = defineServiceConfig({
  service: 'a2a',
  section: z.strictObject({ ...listenSettings('a2a') }),
  live: [],
});

/** The A2A peer's validated configuration. */
export type A2aConfig = ConfigOf<typeof a2aConfig>;
