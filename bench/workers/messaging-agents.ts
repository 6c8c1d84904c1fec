// A load-generator process for the messaging scenario: `pairs` sender agents on one gateway and
// as many receivers on the other, through the public SDK. The parent drives phases over IPC:
// `closed` keeps `window` sends outstanding per sender; `open` sends at a fixed total rate on a
// schedule (latency counts from the scheduled time, so a stall is not hidden: no coordinated
// omission). Receivers record send→handler latency from the timestamp in the payload.
import { type AgentClient, connect } from '@switchboard/sdk';
import { build, encodeIntoCompressedBase64 } from 'hdr-histogram-js';

interface Setup {
  senderUrl: string;
  receiverUrl: string;
  apiKey: string;
  prefix: string;
  pairs: number;
  payloadBytes: number;
}

type Command =
  | { cmd: 'closed'; durationMs: number; window: number }
  | { cmd: 'open'; durationMs: number; ratePerSecond: number }
  | { cmd: 'stop' };

const now = () => performance.timeOrigin + performance.now();
const senders: AgentClient[] = [];
const receivers: AgentClient[] = [];
let latencyUs = build({ lowestDiscernibleValue: 1, highestTrackableValue: 120_000_000 });
/** Send → `accepted`: the sender's wait, the part of the latency the acceptance costs. */
let acceptUs = build({ lowestDiscernibleValue: 1, highestTrackableValue: 120_000_000 });
let delivered = 0;
let pad = '';

function report(message: Record<string, unknown>): void {
  process.send?.(message);
}

async function setUp(setup: Setup): Promise<void> {
  // {"sentAt":1764100000000.123,"pad":"..."} is 256 bytes with the right pad.
  pad = 'x'.repeat(Math.max(0, setup.payloadBytes - 40));
  for (let index = 0; index < setup.pairs; index += 1) {
    const receiver = await connect({
      url: setup.receiverUrl,
      apiKey: setup.apiKey,
      agent: { id: `${setup.prefix}-rx-${index}`, name: 'bench receiver', version: '1' },
      messageConcurrency: 64,
    });
    receiver.onMessage((message) => {
      const { sentAt } = message.payload as { sentAt: number };
      latencyUs.recordValue(Math.max(1, Math.round((now() - sentAt) * 1000)));
      delivered += 1;
    });
    receivers.push(receiver);
    senders.push(
      await connect({
        url: setup.senderUrl,
        apiKey: setup.apiKey,
        agent: { id: `${setup.prefix}-tx-${index}`, name: 'bench sender', version: '1' },
      }),
    );
  }
}

function resetCounters(): void {
  latencyUs = build({ lowestDiscernibleValue: 1, highestTrackableValue: 120_000_000 });
  acceptUs = build({ lowestDiscernibleValue: 1, highestTrackableValue: 120_000_000 });
  delivered = 0;
}

async function closedLoop(durationMs: number, window: number, prefix: string) {
  resetCounters();
  let accepted = 0;
  let errors = 0;
  const endAt = performance.now() + durationMs;
  await Promise.all(
    senders.flatMap((sender, index) =>
      Array.from({ length: window }, async () => {
        while (performance.now() < endAt) {
          try {
            await sender.sendTo(`${prefix}-rx-${index}`, { sentAt: now(), pad });
            accepted += 1;
          } catch {
            errors += 1;
          }
        }
      }),
    ),
  );
  return { accepted, errors };
}

async function openLoop(durationMs: number, ratePerSecond: number, prefix: string) {
  resetCounters();
  let accepted = 0;
  let errors = 0;
  const intervalMs = 1000 / ratePerSecond;
  const startedAt = performance.now();
  const total = Math.floor((durationMs / 1000) * ratePerSecond);
  const inFlight: Promise<void>[] = [];
  for (let sent = 0; sent < total; sent += 1) {
    const due = startedAt + sent * intervalMs;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    const index = sent % senders.length;
    const sentAt = performance.timeOrigin + due;
    inFlight.push(
      (senders[index] as AgentClient).sendTo(`${prefix}-rx-${index}`, { sentAt, pad }).then(
        () => {
          accepted += 1;
          acceptUs.recordValue(Math.max(1, Math.round((now() - sentAt) * 1000)));
        },
        () => {
          errors += 1;
        },
      ),
    );
  }
  await Promise.all(inFlight);
  return { accepted, errors };
}

let setup: Setup | undefined;
process.on('message', async (message: Setup | Command) => {
  try {
    if ('senderUrl' in message) {
      setup = message;
      await setUp(message);
      report({ kind: 'ready' });
      return;
    }
    const prefix = setup?.prefix ?? '';
    if (message.cmd === 'stop') {
      await Promise.all([...senders, ...receivers].map((client) => client.close()));
      process.exit(0);
    }
    const sent =
      message.cmd === 'closed'
        ? await closedLoop(message.durationMs, message.window, prefix)
        : await openLoop(message.durationMs, message.ratePerSecond, prefix);
    // Handled within the window (the rate), then what was still in flight (the latency).
    const deliveredInWindow = delivered;
    await new Promise((resolve) => setTimeout(resolve, 1000));
    report({
      kind: 'phase',
      ...sent,
      deliveredInWindow,
      delivered,
      latency: encodeIntoCompressedBase64(latencyUs),
      acceptLatency: encodeIntoCompressedBase64(acceptUs),
    });
  } catch (error) {
    report({ kind: 'error', message: String(error) });
  }
});
