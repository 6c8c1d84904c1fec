// A load-generator process: connects its share of the agents (through the public SDK, on both
// gateways), one MCP client on /mcp and @a2a-js/sdk clients on the A2A peer, then offers the
// mix on an open-loop schedule each time the parent starts a phase. It records what the
// invariant checker needs: messages accepted, what each handler saw, tasks submitted and run,
// state writes acknowledged, and error codes.
import { randomUUID } from 'node:crypto';
import { type AgentClient, connect } from '@switchboard/sdk';
import { agentIdOf, gatewayOf, isFiltered, rolesOf, topicCountOf, topicOf } from './agent-model.ts';
import { codeOf } from './error-code.ts';
import { A2aClients } from './generator-a2a.ts';
import { McpToolClient } from './generator-mcp.ts';
import type {
  GeneratorCommand,
  GeneratorPhase,
  GeneratorReply,
  GeneratorSetup,
} from './generator-protocol.ts';
import {
  emptyTally,
  encodeTally,
  operationTally,
  type PhaseTally,
  secondTally,
} from './latency.ts';
import { type Operation, operationPicker } from './operations.ts';
import { type ClientRecords, emptyRecords } from './records.ts';
import { REMOTE_PEER, UPSTREAM_TOOL } from './remote-ends.ts';

const TOOL = { name: 'load.echo', version: '1.0.0' };
const TASK_TYPE = 'load.work';
const HOT_KEY = 'hot';
/** Agents of each process whose own scope holds the hot key that writers race on. */
const HOT_AGENTS = 2;

const now = () => performance.timeOrigin + performance.now();
const reply = (message: GeneratorReply) => process.send?.(message);

class Generator {
  private readonly clients = new Map<number, AgentClient>();
  private readonly own: number[] = [];
  private readonly a2aAgents: number[] = [];
  private readonly records: ClientRecords = emptyRecords();
  private readonly sightings = new Map<string, number>();
  private readonly taskRuns = new Map<string, number>();
  /** The version each hot key is at, as far as this process knows. */
  private readonly hotVersions = new Map<number, number>();
  private readonly mcp: McpToolClient;
  private readonly a2a: A2aClients;
  private readonly pad: string;
  private inFlight = 0;

  constructor(private readonly setup: GeneratorSetup) {
    this.pad = 'x'.repeat(setup.payloadBytes);
    this.mcp = new McpToolClient(setup.mcpUrl, setup.apiKey, setup.requestTimeoutMs);
    this.a2a = new A2aClients(setup.a2aUrl, setup.apiKey, setup.requestTimeoutMs);
  }

  private id(index: number): string {
    return agentIdOf(this.setup.runId, index);
  }

  async start(): Promise<number> {
    const { agents, processIndex, processCount } = this.setup;
    for (let index = 0; index < agents; index += 1) {
      if (index % processCount === processIndex) this.own.push(index);
      if (rolesOf(index, agents).a2aAgent) this.a2aAgents.push(index);
    }
    // The task type exists before any executor or submitter uses it (idempotent).
    const queue = [...this.own];
    const worker = async () => {
      for (let index = queue.shift(); index !== undefined; index = queue.shift()) {
        await this.connectAgent(index);
      }
    };
    await Promise.all(Array.from({ length: this.setup.connectConcurrency }, worker));
    const first = this.clients.get(this.own[0] as number);
    await first?.tasks.registerType({ name: TASK_TYPE, retry: { maxAttempts: 3 } });
    for (const index of this.own) {
      if (rolesOf(index, agents).taskExecutor) {
        await this.clients.get(index)?.tasks.handle(
          TASK_TYPE,
          (input, context) => {
            this.taskRuns.set(context.taskId, (this.taskRuns.get(context.taskId) ?? 0) + 1);
            return input;
          },
          { concurrency: 64 },
        );
      }
    }
    await this.mcp.connect();
    // Each hot key starts at version 1, so reads find it.
    for (const index of this.own.slice(0, HOT_AGENTS)) await this.writeHot(index, 0);
    return this.clients.size;
  }

  private async connectAgent(index: number): Promise<void> {
    const { agents, gatewayUrls, apiKey, requestTimeoutMs } = this.setup;
    const roles = rolesOf(index, agents);
    const client = await connect({
      url: gatewayUrls[gatewayOf(index)],
      apiKey,
      agent: {
        id: this.id(index),
        name: 'load agent',
        version: '1',
        ...(roles.a2aAgent ? { labels: { a2a: 'public' } } : {}),
      },
      requestTimeoutMs,
      messageConcurrency: 64,
    });
    this.clients.set(index, client);
    client.onMessage((message) => {
      const key = `${index}|${message.id}`;
      this.sightings.set(key, (this.sightings.get(key) ?? 0) + 1);
      return message.replyTo === null ? undefined : { echo: message.id };
    });
    if (roles.a2aAgent) client.a2a.serve(async (request) => request.text);
    await client.subscribe(
      `load.t${topicOf(index, agents)}.*`,
      isFiltered(index) ? { filter: { headers: { kind: 'keep' } } } : {},
    );
    if (roles.toolProvider) {
      await client.tools.provide(
        {
          ...TOOL,
          description: 'Echoes its text (load suite)',
          inputSchema: { type: 'object', properties: { text: { type: 'string' } } },
        },
        (args) => args.text ?? null,
      );
    }
  }

  private random<T>(items: readonly T[]): T {
    return items[Math.floor(Math.random() * items.length)] as T;
  }

  private otherAgent(sender: number): number {
    const { agents } = this.setup;
    if (agents === 1) return sender;
    const offset = 1 + Math.floor(Math.random() * (agents - 1));
    return (sender + offset) % agents;
  }

  private async writeHot(index: number, sequence: number): Promise<void> {
    const client = this.clients.get(index) as AgentClient;
    const writeId = randomUUID();
    const expectedVersion = this.hotVersions.get(index) ?? 0;
    try {
      const result = await client.store.put(
        HOT_KEY,
        { writeId, sequence, pad: this.pad },
        { expectedVersion },
      );
      this.records.stateAcks.push({
        scope: `agent:${this.id(index)}`,
        key: HOT_KEY,
        version: result.version,
        writeId,
      });
      this.hotVersions.set(index, Math.max(result.version, this.hotVersions.get(index) ?? 0));
    } catch (error) {
      const current = (error as { details?: { currentVersion?: number } }).details?.currentVersion;
      if (typeof current === 'number') {
        this.hotVersions.set(index, Math.max(current, this.hotVersions.get(index) ?? 0));
      }
      throw error;
    }
  }

  /** Runs one operation as `sender`; resolves when it completed, rejects with its error. */
  private async run(operation: Operation, sender: number, sequence: number): Promise<void> {
    const client = this.clients.get(sender) as AgentClient;
    const payload = { sequence, pad: this.pad };
    switch (operation) {
      case 'direct': {
        const to = this.otherAgent(sender);
        const { messageId: id } = await client.sendTo(this.id(to), payload);
        this.records.sent.push({ id, kind: 'direct', senderIndex: sender, toIndex: to });
        return;
      }
      case 'topic': {
        const topic = Math.floor(Math.random() * topicCountOf(this.setup.agents));
        const keep = Math.random() < 0.5;
        const { messageId: id } = await client.publish(`load.t${topic}.news`, payload, {
          headers: { kind: keep ? 'keep' : 'drop' },
        });
        this.records.sent.push({ id, kind: 'topic', senderIndex: sender, topic, keep });
        return;
      }
      case 'broadcast': {
        const { messageId: id } = await client.broadcast(payload);
        this.records.sent.push({ id, kind: 'broadcast', senderIndex: sender });
        return;
      }
      case 'request': {
        const to = this.otherAgent(sender);
        const answer = await client.request(this.id(to), payload);
        this.records.sent.push({
          id: answer.correlationId as string,
          kind: 'request',
          senderIndex: sender,
          toIndex: to,
        });
        return;
      }
      case 'task': {
        const { taskId } = await client.tasks.submit(TASK_TYPE, payload, {
          idempotencyKey: randomUUID(),
        });
        this.records.submittedTasks.push(taskId);
        const task = await client.tasks.wait(taskId, { timeoutMs: this.setup.requestTimeoutMs });
        if (task.status !== 'succeeded') {
          throw Object.assign(new Error(`task ${taskId} ${task.status}`), {
            code: `TASK_${task.status.toUpperCase()}`,
          });
        }
        return;
      }
      case 'tool': {
        await client.tools.call(TOOL.name, { text: this.pad });
        return;
      }
      case 'mcp-tool': {
        await this.mcp.call(TOOL.name, { text: this.pad });
        return;
      }
      case 'upstream-tool': {
        // Half through the SDK, half through MCP on /mcp: both reach the upstream MCP server.
        if (sequence % 2 === 0) await client.tools.call(UPSTREAM_TOOL, { text: this.pad });
        else await this.mcp.call(UPSTREAM_TOOL, { text: this.pad });
        return;
      }
      case 'state-read': {
        const hot = this.random(this.own.slice(0, HOT_AGENTS));
        await (this.clients.get(hot) as AgentClient).store.get(HOT_KEY);
        return;
      }
      case 'state-write': {
        await this.writeHot(this.random(this.own.slice(0, HOT_AGENTS)), sequence);
        return;
      }
      case 'a2a': {
        await this.a2a.send(this.id(this.random(this.a2aAgents)), this.pad);
        return;
      }
      case 'a2a-remote': {
        // Through the A2A peer to the remote agent; resolves with the update settling its task.
        const answer = await client.request(`a2a:${REMOTE_PEER}`, this.pad, {
          timeoutMs: this.setup.requestTimeoutMs,
        });
        const state = (answer.payload as { state?: unknown } | null)?.state;
        if (state !== 'completed') {
          throw Object.assign(new Error(`the remote A2A task ended ${String(state)}`), {
            code: `A2A_REMOTE_${String(state).toUpperCase()}`,
          });
        }
        this.records.remoteSends.push(answer.correlationId as string);
        return;
      }
      default: {
        const unknown: never = operation;
        throw new Error(`unknown operation ${String(unknown)}`);
      }
    }
  }

  async phase(phase: GeneratorPhase): Promise<PhaseTally> {
    const tally = emptyTally();
    const pick = operationPicker(phase.mix);
    const intervalMs = 1000 / phase.ratePerSecond;
    const total = Math.floor((phase.durationMs / 1000) * phase.ratePerSecond);
    const pending = new Set<Promise<void>>();
    const record = (operation: Operation, dueMs: number, code: string | undefined) => {
      const latencyUs = Math.max(1, Math.round((now() - dueMs) * 1000));
      const entry = operationTally(tally, operation);
      const second = Math.max(0, Math.floor((dueMs - phase.startAtMs) / 1000));
      const slot = secondTally(tally, second);
      // A conflicting write is the expected answer to a race, not a failure of the mesh.
      if (code === undefined || code === 'E_CONFLICT') {
        if (code === undefined) entry.ok += 1;
        else entry.errors[code] = (entry.errors[code] ?? 0) + 1;
        entry.latencyUs.recordValue(latencyUs);
        slot.ok += 1;
        slot.latencyUs.recordValue(latencyUs);
        return;
      }
      entry.errors[code] = (entry.errors[code] ?? 0) + 1;
      slot.errors += 1;
    };
    for (let sequence = 0; sequence < total; sequence += 1) {
      const dueMs = phase.startAtMs + sequence * intervalMs;
      const waitMs = dueMs - now();
      if (waitMs > 1) await new Promise((resolve) => setTimeout(resolve, waitMs));
      const operation = pick(Math.random());
      if (this.inFlight >= phase.maxInFlight) {
        record(operation, dueMs, 'E_GENERATOR_SATURATED');
        continue;
      }
      this.inFlight += 1;
      const running: Promise<void> = this.run(operation, this.random(this.own), sequence).then(
        () => record(operation, dueMs, undefined),
        (error: unknown) => record(operation, dueMs, codeOf(error)),
      );
      pending.add(running);
      void running.finally(() => {
        this.inFlight -= 1;
        pending.delete(running);
      });
    }
    await Promise.all(pending);
    return tally;
  }

  collect(): ClientRecords {
    this.records.sightings = [...this.sightings].map(([key, count]) => {
      const [index, messageId] = key.split('|') as [string, string];
      return [Number(index), messageId, count];
    });
    this.records.taskRuns = [...this.taskRuns];
    this.records.failedA2aSends = this.a2a.failedSends;
    return this.records;
  }

  async stop(): Promise<void> {
    await this.mcp.close();
    await Promise.all([...this.clients.values()].map((client) => client.close()));
  }
}

let generator: Generator | undefined;
process.on('message', (command: GeneratorCommand) => {
  void handle(command).catch((error: unknown) =>
    reply({
      kind: 'error',
      message: error instanceof Error ? (error.stack ?? error.message) : String(error),
    }),
  );
});

async function handle(command: GeneratorCommand): Promise<void> {
  switch (command.cmd) {
    case 'setup': {
      generator = new Generator(command);
      reply({ kind: 'ready', connected: await generator.start() });
      return;
    }
    case 'phase': {
      const tally = await (generator as Generator).phase(command);
      reply({ kind: 'phase', tally: encodeTally(tally) });
      return;
    }
    case 'records': {
      reply({ kind: 'records', records: (generator as Generator).collect() });
      return;
    }
    case 'stop': {
      await generator?.stop();
      process.exit(0);
      return;
    }
    default: {
      const unknown: never = command;
      throw new Error(`unknown command ${JSON.stringify(unknown)}`);
    }
  }
}
