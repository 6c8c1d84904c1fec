import { type ConfigOf, defineServiceConfig } from '@switchboard/config';
import { listenSettings } from '@switchboard/service';
import { z } from 'zod';

/** The tool registry's settings: the shared sections plus its own under `tools` (`SB_TOOLS__*`). */
export const toolsConfig = defineServiceConfig({
  service: 'tools',
  section: z.strictObject({ ...listenSettings('tools') }),
  live: [],
});

/** The tool registry's validated configuration. */
export type ToolsConfig = ConfigOf<typeof toolsConfig>;
