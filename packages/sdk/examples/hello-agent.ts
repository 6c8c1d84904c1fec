// A minimal Switchboard agent: registers, stays connected (heartbeats, reconnects) until Ctrl-C.
//   SB_URL=ws://127.0.0.1:7700 SB_API_KEY=sbk_... node hello-agent.js   (or: tsx hello-agent.ts)
import { connect, isSbError } from '@switchboard/sdk';

const say = (line: string) => process.stdout.write(`${line}\n`);

const apiKey = process.env.SB_API_KEY;
if (apiKey === undefined || apiKey === '') {
  process.stderr.write('set SB_API_KEY: an API key (switchboard keys create) or a JWT\n');
  process.exit(1);
}

// Ctrl-C (or SIGTERM) aborts the signal, which closes the client cleanly (code 1000).
const stop = new AbortController();
process.once('SIGINT', () => stop.abort());
process.once('SIGTERM', () => stop.abort());

try {
  const client = await connect({
    url: process.env.SB_URL ?? 'ws://127.0.0.1:7700',
    apiKey,
    agent: {
      id: process.env.SB_AGENT_ID ?? 'hello-agent',
      name: 'Hello agent',
      version: '1.0.0',
      capabilities: [{ name: 'greet' }],
      labels: { team: 'examples' },
    },
    signal: stop.signal,
  });
  say(`registered as ${client.agentId} (connection ${client.connectionId})`);
  client.on('disconnected', ({ code, reason, willReconnect }) =>
    say(`disconnected (${code} ${reason})${willReconnect ? ', reconnecting' : ''}`),
  );
  client.on('reconnecting', ({ attempt, delayMs }) =>
    say(`reconnect attempt ${attempt} in ${delayMs} ms`),
  );
  client.on('connected', ({ connectionId }) => say(`connected again (connection ${connectionId})`));
  client.on('error', ({ error }) => say(`error ${error.code}: ${error.message}`));
} catch (error) {
  if (!isSbError(error)) throw error;
  process.stderr.write(`could not connect: ${error.code}: ${error.message}\n`);
  process.exitCode = 1;
}
