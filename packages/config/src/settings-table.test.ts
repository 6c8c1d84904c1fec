import { describe, expect, it } from 'vitest';
import { NO_DEFAULT, type SettingDoc } from './setting-docs.ts';
import { renderSettingsTable } from './settings-table.ts';

function row(overrides: Partial<SettingDoc>): SettingDoc {
  return {
    key: 'a.b',
    envName: 'SB_A__B',
    type: 'string',
    defaultText: NO_DEFAULT,
    isLive: false,
    isBootstrap: false,
    isSecret: false,
    ...overrides,
  };
}

describe('renderSettingsTable', () => {
  it('renders a padded Markdown table: variable, key, default, live, description and type', () => {
    const table = renderSettingsTable([
      row({
        key: 'log.level',
        envName: 'SB_LOG__LEVEL',
        type: 'one of info | warn',
        defaultText: 'info',
        isLive: true,
        description: 'Lowest level logged',
      }),
      row({ key: 'x', envName: 'SB_X', type: 'integer >= 1' }),
    ]);
    expect(table.split('\n')).toEqual([
      '| Variable        | Key         | Default | Live | Description                               |',
      '| --------------- | ----------- | ------- | ---- | ----------------------------------------- |',
      '| `SB_LOG__LEVEL` | `log.level` | `info`  | yes  | Lowest level logged — one of info \\| warn |',
      '| `SB_X`          | `x`         | —       | no   | integer >= 1                              |',
    ]);
  });

  it('says which settings an override may not set and which are secret', () => {
    const [, , bootstrap, both, secret] = renderSettingsTable([
      row({ isBootstrap: true }),
      row({ isBootstrap: true, isLive: true }),
      row({ isSecret: true, description: 'Password' }),
    ]).split('\n');
    expect(bootstrap).toMatch(/\| no \(file\/env only\) {2}\| string +\|$/);
    expect(both).toMatch(/\| yes \(file\/env only\) \| string +\|$/);
    expect(secret).toMatch(/\| no +\| Password — string, secret \|$/);
  });

  it('keeps backticks, pipes and line breaks from breaking a cell', () => {
    const [, , line] = renderSettingsTable([
      row({ defaultText: 'a`b', description: 'one\n  two' }),
      row({ defaultText: '`x|y' }),
    ]).split('\n');
    expect(line).toMatch(/\| ``a`b`` +\|/);
    expect(line).toContain('| one two — string |');
    expect(renderSettingsTable([row({ defaultText: '`x|y' })])).toContain('| `` `x\\|y `` |');
  });

  it('renders the header alone when there are no settings', () => {
    expect(renderSettingsTable([])).toBe(
      [
        '| Variable | Key | Default | Live | Description |',
        '| -------- | --- | ------- | ---- | ----------- |',
      ].join('\n'),
    );
  });
});
