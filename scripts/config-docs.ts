/**
 * `pnpm docs:config`: rewrites the settings tables in README.md (between the `config-table`
 * markers) from the services' config schemas. `pnpm docs:config --check` changes nothing and
 * exits 1, showing what differs, when the README is not up to date (CI runs it).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  describeTextChange,
  renderSettingsReference,
  replaceMarkedSection,
} from '@switchboard/config';
import { serviceShortNames } from '@switchboard/protocol';
import { serviceDefinitions } from './service-definitions.ts';

const readmePath = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'README.md');
const definitions = serviceShortNames.map((short) => serviceDefinitions[short]);

const current = readFileSync(readmePath, 'utf8');
const next = replaceMarkedSection(current, 'config-table', renderSettingsReference(definitions));

if (process.argv.includes('--check')) {
  if (next === current) {
    console.log('README.md: the settings tables are up to date');
  } else {
    console.error(
      'README.md: the settings tables are out of date; run `corepack pnpm docs:config`',
    );
    console.error(describeTextChange(current, next));
    process.exitCode = 1;
  }
} else if (next === current) {
  console.log('README.md: the settings tables were already up to date');
} else {
  writeFileSync(readmePath, next);
  console.log('README.md: settings tables rewritten');
}
