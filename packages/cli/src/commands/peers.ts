import { type PeerRecord, PeerStatuses } from '@switchboard/protocol';
import { type Command, Option } from 'commander';
import { queryString } from '../client.ts';
import { type CliIo, contextOf } from '../context.ts';
import { cell, formatRecord, formatTable } from '../table.ts';

const pathOf = (name: string) => `/v1/a2a/peers/${encodeURIComponent(name)}`;

/** A latency for people: whole milliseconds, `-` before the first successful check. */
export const latencyOf = (latencyMs: number | null) =>
  latencyMs === null ? '-' : `${Math.round(latencyMs)} ms`;

const skillsOf = (peer: PeerRecord) => cell(peer.skills.map((skill) => skill.id));

/** `switchboard peers add | ls | show | rm`: remote A2A agents. */
export function registerPeerCommands(program: Command, io: CliIo): void {
  const peers = program
    .command('peers')
    .description('Remote A2A agents (peers): registered by URL, their cards and health');

  peers
    .command('add <name> <url>')
    .description(
      'Register (or re-register) a peer: its Agent Card is fetched, validated and, when signed, verified',
    )
    .option('--token <token>', 'a bearer credential to call the peer with (stored encrypted)')
    .option('--publish-tools', "publish the peer's skills as tools a2a.<name>.<skill>")
    .action(
      async (
        name: string,
        url: string,
        options: { token?: string; publishTools?: boolean },
        command: Command,
      ) => {
        const context = contextOf(command, io);
        const peer = await context.client().request<PeerRecord>('POST', '/v1/a2a/peers', {
          name,
          url,
          ...(options.token === undefined ? {} : { token: options.token }),
          publishTools: options.publishTools === true,
        });
        if (context.json) {
          context.printJson(peer);
          return;
        }
        const skills = `${peer.skills.length} skill${peer.skills.length === 1 ? '' : 's'}`;
        context.print(
          `added ${peer.name}: ${peer.agentName} ${peer.version} at ${peer.endpoint} (card ${peer.signature}, ${skills}, ${peer.status})`,
        );
      },
    );

  peers
    .command('ls')
    .description('List peers with their status, latency and last contact')
    .addOption(new Option('--status <status>', 'only peers with this status').choices(PeerStatuses))
    .action(async (options: { status?: string }, command: Command) => {
      const context = contextOf(command, io);
      const { items } = await context
        .client()
        .request<{ items: PeerRecord[] }>('GET', `/v1/a2a/peers${queryString(options)}`);
      if (context.json) {
        context.printJson(items);
        return;
      }
      context.print(
        formatTable(items, [
          { heading: 'name', value: (peer) => peer.name },
          { heading: 'status', value: (peer) => peer.status },
          { heading: 'latency', value: (peer) => latencyOf(peer.latencyMs) },
          { heading: 'last seen', value: (peer) => cell(peer.lastSeenAt) },
          { heading: 'card', value: (peer) => peer.signature },
          { heading: 'skills', value: skillsOf },
          { heading: 'agent', value: (peer) => `${peer.agentName} ${peer.version}` },
        ]),
      );
    });

  peers
    .command('show <name>')
    .description('One peer: its card, health and what the last check said')
    .action(async (name: string, _options, command: Command) => {
      const context = contextOf(command, io);
      const peer = await context.client().request<PeerRecord>('GET', pathOf(name));
      if (context.json) {
        context.printJson(peer);
        return;
      }
      context.print(
        formatRecord([
          ['name', peer.name],
          ['agent', `${peer.agentName} ${peer.version}`],
          ['description', cell(peer.description)],
          ['card', `${peer.cardUrl} (${peer.signature})`],
          ['endpoint', peer.endpoint],
          ['streaming', peer.streaming ? 'yes' : 'no'],
          ['status', peer.status],
          ['latency', latencyOf(peer.latencyMs)],
          ['last seen', cell(peer.lastSeenAt)],
          ['last error', cell(peer.lastError)],
          ['tools', peer.publishTools ? `published as a2a.${peer.name}.<skill>` : 'not published'],
          ['added', `${peer.addedAt} by ${peer.addedBy}`],
          ...peer.skills.map(
            (skill) =>
              [
                `skill ${skill.id}`,
                `${skill.description}${skill.tags.length === 0 ? '' : ` [${skill.tags.join(', ')}]`}`,
              ] as const,
          ),
        ]),
      );
    });

  peers
    .command('rm <name>')
    .description('Forget a peer (its remote tasks stay readable)')
    .action(async (name: string, _options, command: Command) => {
      const context = contextOf(command, io);
      const result = await context.client().request<{ removed: boolean }>('DELETE', pathOf(name));
      if (context.json) context.printJson({ name, ...result });
      else context.print(result.removed ? `removed ${name}` : `${name}: there was no such peer`);
    });
}
