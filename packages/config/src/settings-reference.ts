import { Services } from '@switchboard/protocol';
import type { AnyServiceConfig } from './define.ts';
import { describeSettings, type SettingDoc } from './setting-docs.ts';
import { renderSettingsTable } from './settings-table.ts';

const INTRO = [
  '<!-- Generated from the config schemas by `corepack pnpm docs:config`: edit the schemas, then run it. -->',
  '',
  '**Live** `yes`: a change (file or override) applies without a restart; `no`: it applies at the',
  'next start (meanwhile `config.get` reports it under `pendingRestart`); `no (file/env only)`: read',
  'before the override store opens, so an override is refused. In env, lists are comma-separated',
  'and a whole section can be one variable holding JSON. Secrets are never shown.',
].join('\n');

/**
 * The Markdown reference of every setting: one table of the shared settings (identical in every
 * service), then one table per service of its own section. A shared setting that one service
 * treats differently (say, declares live) is listed again in that service's table.
 */
export function renderSettingsReference(definitions: readonly AnyServiceConfig[]): string {
  const [first] = definitions;
  if (first === undefined) throw new Error('renderSettingsReference needs at least one service');
  const shared = sharedRows(first);
  const sections = [INTRO, '### Shared settings (every service)', renderSettingsTable(shared)];
  for (const definition of definitions) {
    const own = describeSettings(definition).filter((row) => !isSharedRow(definition, row));
    const differing = sharedRows(definition).filter(
      (row) => !shared.some((other) => JSON.stringify(other) === JSON.stringify(row)),
    );
    const { folder } = Services[definition.service];
    sections.push(
      `### ${definition.service} (\`apps/${folder}\`)`,
      renderSettingsTable([...own, ...differing]),
    );
  }
  return sections.join('\n\n');
}

function sharedRows(definition: AnyServiceConfig): SettingDoc[] {
  return describeSettings(definition).filter((row) => isSharedRow(definition, row));
}

function isSharedRow(definition: AnyServiceConfig, row: SettingDoc): boolean {
  return definition.sharedKeys.includes(row.key.split('.')[0] as string);
}
