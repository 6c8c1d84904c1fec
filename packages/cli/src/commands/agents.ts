import type { DirectoryEntry } from '@switchboard/protocol';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { queryString } from '../client.ts';
import { type CliIo, contextOf } from '../context.ts';
import { cell, formatRecord, formatTable } from '../table.ts';
import { collectPair, parsePositiveInt, printMore } from './options.ts';

/** An agent as the API returns it. */
interface Agent {
  id: string;
  name: string;
  version: string;
  description: string | null;
  capabilities: Array<{ name: string; version?: string }>;
  labels: Record<string, string>;
  status: string;
  gatewayId: string | null;
  connectionId: string | null;
  registeredBy: string;
  registeredAt: string;
  connectedAt: string | null;
  disconnectedAt: string | null;
  disconnectReason: string | null;
}

const capabilitiesOf = (agent: Agent) =>
  cell(agent.capabilities.map((capability) => capability.name));
const labelsOf = (agent: Agent) =>
  cell(Object.entries(agent.labels).map(([key, value]) => `${key}=${value}`));

function parseStatus(value: string): string {
  if (value !== 'connected' && value !== 'disconnected') {
    throw new InvalidArgumentError('use connected or disconnected');
  }
  return value;
}

/** `switchboard agents ls | show | disconnect | find`. */
export function registerAgentCommands(program: Command, io: CliIo): void {
  const agents = program.command('agents').description('The agent catalog');

  agents
    .command('ls')
    .description('List agents by id')
    .option('--capability <name>', 'agents with this capability')
    .option(
      '--label <key=value>',
      'agents with this label; repeatable (all must match)',
      collectPair,
    )
    .option('--status <status>', 'connected or disconnected', parseStatus)
    .option('--limit <n>', 'agents per page (1 to 200)', parsePositiveInt)
    .option('--cursor <cursor>', 'the page after this cursor')
    .action(async (options, command: Command) => {
      const context = contextOf(command, io);
      const { capability, label, status, limit, cursor } = options as {
        capability?: string;
        label?: string[];
        status?: string;
        limit?: number;
        cursor?: string;
      };
      const page = await context
        .client()
        .request<{ items: Agent[]; nextCursor: string | null }>(
          'GET',
          `/v1/agents${queryString({ capability, label, status, limit, cursor })}`,
        );
      if (context.json) {
        context.printJson(page);
        return;
      }
      context.print(
        formatTable(page.items, [
          { heading: 'id', value: (agent) => agent.id },
          { heading: 'name', value: (agent) => agent.name },
          { heading: 'version', value: (agent) => agent.version },
          { heading: 'status', value: (agent) => agent.status },
          { heading: 'capabilities', value: capabilitiesOf },
          { heading: 'labels', value: labelsOf },
          { heading: 'gateway', value: (agent) => cell(agent.gatewayId) },
        ]),
      );
      printMore(io, page.nextCursor);
    });

  agents
    .command('show <id>')
    .description('Show one agent')
    .action(async (id: string, _options, command: Command) => {
      const context = contextOf(command, io);
      const agent = await context
        .client()
        .request<Agent>('GET', `/v1/agents/${encodeURIComponent(id)}`);
      if (context.json) {
        context.printJson(agent);
        return;
      }
      context.print(
        formatRecord([
          ['id', agent.id],
          ['name', `${agent.name} ${agent.version}`],
          ['description', cell(agent.description)],
          ['status', agent.status],
          ['capabilities', capabilitiesOf(agent)],
          ['labels', labelsOf(agent)],
          ['gateway', cell(agent.gatewayId)],
          ['connection', cell(agent.connectionId)],
          ['registered', `${agent.registeredAt} by ${agent.registeredBy}`],
          ['connected', cell(agent.connectedAt)],
          [
            'disconnected',
            agent.disconnectedAt === null
              ? '-'
              : `${agent.disconnectedAt} (${agent.disconnectReason ?? '-'})`,
          ],
        ]),
      );
    });

  agents
    .command('find')
    .description(
      'Search the directory: local agents published over A2A and remote peers, by skill, tag, status and words',
    )
    .option('--skill <id>', 'agents with this skill')
    .option('--tag <tag>', 'agents with a skill so tagged')
    .option(
      '--status <status>',
      'local: connected or disconnected; remote: up, degraded, down or unknown',
    )
    .option('--q <words>', 'words in the name, description or skills')
    .addOption(
      new Option('--kind <kind>', 'only local or only remote agents').choices(['local', 'remote']),
    )
    .action(
      async (
        options: { skill?: string; tag?: string; status?: string; q?: string; kind?: string },
        command: Command,
      ) => {
        const context = contextOf(command, io);
        const { items } = await context
          .client()
          .request<{ items: DirectoryEntry[] }>('GET', `/v1/a2a/directory${queryString(options)}`);
        if (context.json) {
          context.printJson(items);
          return;
        }
        context.print(
          formatTable(items, [
            { heading: 'address', value: (entry) => entry.address },
            { heading: 'kind', value: (entry) => entry.kind },
            { heading: 'status', value: (entry) => entry.status },
            { heading: 'name', value: (entry) => entry.name },
            { heading: 'skills', value: (entry) => cell(entry.skills.map((skill) => skill.id)) },
            { heading: 'description', value: (entry) => cell(entry.description) },
          ]),
        );
      },
    );

  agents
    .command('disconnect <id>')
    .description("Close an agent's connection, wherever it is (it may reconnect)")
    .action(async (id: string, _options, command: Command) => {
      const context = contextOf(command, io);
      const outcome = await context
        .client()
        .request<{ agentId: string; outcome: string; gatewayId: string | null }>(
          'POST',
          `/v1/agents/${encodeURIComponent(id)}/disconnect`,
        );
      if (context.json) {
        context.printJson(outcome);
        return;
      }
      const said: Record<string, string> = {
        closed: `closed its connection on gateway ${outcome.gatewayId ?? '-'}`,
        marked_disconnected: 'no gateway held it; marked disconnected',
        not_connected: 'it was not connected',
      };
      context.print(`${outcome.agentId}: ${said[outcome.outcome] ?? outcome.outcome}`);
    });
}
