import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineServiceConfig } from './define.ts';
import { renderSettingsReference } from './settings-reference.ts';

const stateConfig = defineServiceConfig({
  service: 'state',
  section: z.strictObject({ port: z.int().min(0).max(65_535).default(7704).describe('HTTP port') }),
});

const tasksConfig = defineServiceConfig({
  service: 'tasks',
  section: z.strictObject({ leaseMs: z.int().min(10).default(30_000) }),
  live: ['tasks.leaseMs', 'nats.eventRetentionMs'],
});

/** The text from a heading up to the next one. */
function sectionOf(text: string, heading: string): string {
  const from = text.indexOf(heading);
  expect(from, heading).toBeGreaterThanOrEqual(0);
  const next = text.indexOf('\n### ', from + heading.length);
  return text.slice(from, next === -1 ? undefined : next);
}

describe('renderSettingsReference', () => {
  const text = renderSettingsReference([stateConfig, tasksConfig]);

  it('opens with a generated-file note and the legend of the Live column', () => {
    expect(text.startsWith('<!-- Generated from the config schemas by')).toBe(true);
    expect(text).toContain('`no (file/env only)`');
  });

  it('lists the shared settings once and each service its own section', () => {
    const shared = sectionOf(text, '### Shared settings (every service)');
    expect(shared).toContain('| `SB_NAMESPACE` ');
    expect(shared).not.toContain('SB_STATE__');
    const state = sectionOf(text, '### state (`apps/state`)');
    expect(state).toContain(
      '| `SB_STATE__PORT` | `state.port` | `7704`  | no   | HTTP port — integer 0..65535 |',
    );
    expect(state).not.toContain('SB_NAMESPACE');
    expect(state).not.toContain('SB_NATS__');
    const tasks = sectionOf(text, '### tasks (`apps/task-worker`)');
    expect(tasks).toContain('`SB_TASKS__LEASE_MS`');
  });

  it('repeats a shared setting in the table of a service that treats it differently', () => {
    const shared = sectionOf(text, '### Shared settings (every service)');
    expect(shared).toMatch(
      /`SB_NATS__EVENT_RETENTION_MS` +\| `nats.eventRetentionMs` +\| `604800000` +\| no /,
    );
    const tasks = sectionOf(text, '### tasks (`apps/task-worker`)');
    expect(tasks).toMatch(
      /`SB_NATS__EVENT_RETENTION_MS` +\| `nats.eventRetentionMs` +\| `604800000` +\| yes /,
    );
    expect(sectionOf(text, '### state (`apps/state`)')).not.toContain('EVENT_RETENTION');
  });

  it('needs at least one service', () => {
    expect(() => renderSettingsReference([])).toThrow(/at least one service/);
  });
});
