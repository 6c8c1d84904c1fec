import { onShutdown, startServiceProcess } from '@switchboard/service';
import { build } from './app.ts';
import { a2aConfig } from './config.ts';

const started = await startServiceProcess({
  definition: a2aConfig,
  build,
  env: process.env,
  stderr: process.stderr,
});
if (started === undefined) process.exit(1);
onShutdown(started.log, () => started.service.stop(), {
  timeoutMs: started.shutdownTimeoutMs,
  flush: () => started.log.close(),
});
