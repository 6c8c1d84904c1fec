import type { Command } from 'commander';
import { type CliIo, contextOf } from '../context.ts';
import { cell, formatTable } from '../table.ts';

/** A setting as a service reports it. */
interface Setting {
  key: string;
  value: unknown;
  source: string;
  live: boolean;
  pendingRestart?: { value: unknown; source: string };
}

const path = (service: string, key?: string) =>
  `/v1/config/${encodeURIComponent(service)}${key === undefined ? '' : `/${encodeURIComponent(key)}`}`;

/** A value typed on the command line: JSON when it parses (`5`, `true`, `["a"]`), else text. */
export function parseValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function describeSetting(setting: Setting, restartRequired: boolean): string {
  const restart = restartRequired ? ' (takes effect after a restart)' : '';
  return `${setting.key} = ${JSON.stringify(setting.value)} (${setting.source})${restart}`;
}

/** `switchboard config get | set | unset`. */
export function registerConfigCommands(program: Command, io: CliIo): void {
  const config = program
    .command('config')
    .description(
      "A service's settings and live overrides (services: gateway, router, tools, a2a, state, tasks)",
    );

  config
    .command('get <service> [key]')
    .description('Settings with value and source, all or those at or under key')
    .action(async (service: string, key: string | undefined, _options, command: Command) => {
      const context = contextOf(command, io);
      const report = await context
        .client()
        .request<{ service: string; settings: Setting[] }>('GET', path(service, key));
      if (context.json) {
        context.printJson(report);
        return;
      }
      context.print(
        formatTable(report.settings, [
          { heading: 'key', value: (setting) => setting.key },
          { heading: 'value', value: (setting) => JSON.stringify(setting.value) ?? '-' },
          { heading: 'source', value: (setting) => setting.source },
          { heading: 'live', value: (setting) => (setting.live ? 'yes' : 'restart') },
          {
            heading: 'after restart',
            value: (setting) =>
              setting.pendingRestart === undefined ? '-' : cell(setting.pendingRestart.value),
          },
        ]),
      );
    });

  config
    .command('set <service> <key> <value>')
    .description('Set a live override (value as JSON, or text); the service validates it')
    .action(async (service: string, key: string, value: string, _options, command: Command) => {
      const context = contextOf(command, io);
      const result = await context
        .client()
        .request<{ setting: Setting; restartRequired: boolean }>('PUT', path(service, key), {
          value: parseValue(value),
        });
      if (context.json) context.printJson(result);
      else context.print(describeSetting(result.setting, result.restartRequired));
    });

  config
    .command('unset <service> <key>')
    .description('Remove a live override: the file, env or default value applies again')
    .action(async (service: string, key: string, _options, command: Command) => {
      const context = contextOf(command, io);
      const result = await context
        .client()
        .request<{ setting: Setting; removed: boolean; restartRequired: boolean }>(
          'DELETE',
          path(service, key),
        );
      if (context.json) {
        context.printJson(result);
        return;
      }
      const note = result.removed ? '' : ' (there was no override)';
      context.print(`${describeSetting(result.setting, result.restartRequired)}${note}`);
    });
}
