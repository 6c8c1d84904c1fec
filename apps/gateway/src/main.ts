import { onShutdown, startServiceProcess } from '@switchboard/service';
import { build } from './app.ts';
import { gatewayConfig } from './config.ts';

const started = await startServiceProcess({
  definition: gatewayConfig,
  build,
  env: process.env,
  stderr: process.stderr,
});
if (started === undefined) process.exit(1);
onShutdown(started.log, () => started.service.stop(), {
  timeoutMs: started.shutdownTimeoutMs,
  flush: () => started.log.close(),
});
