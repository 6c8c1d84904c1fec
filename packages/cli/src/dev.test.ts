import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@switchboard/embedded';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './cli.ts';

// `switchboard dev`: the embedded mesh from the command line, as a developer starts it on a
// machine with only Node.js, until Ctrl-C.

const dataDir = mkdtempSync(join(tmpdir(), 'sb-cli-dev-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** Runs `dev` until it prints its endpoints, then interrupts it as Ctrl-C would. */
async function runDevUntilReady(args: string[]) {
  const interrupt = new AbortController();
  let stdout = '';
  let stderr = '';
  const code = runCli(
    ['dev', '--data-dir', dataDir, '--postgres-port', String(await freePort()), ...args],
    {
      env: {
        SB_NAMESPACE: 'cli_dev_test',
        ...Object.fromEntries(
          ['GATEWAY', 'ROUTER', 'TOOLS', 'A2A', 'STATE', 'TASKS'].map((short) => [
            `SB_${short}__PORT`,
            '0',
          ]),
        ),
      },
      stdout: (text) => {
        stdout += text;
        if (text.includes('Ctrl-C stops it')) interrupt.abort();
      },
      stderr: (text) => {
        stderr += text;
      },
      signal: interrupt.signal,
    },
  );
  return { code: await code, stdout: () => stdout, stderr: () => stderr };
}

describe('switchboard dev', () => {
  it('prints one line per endpoint and the admin key once ready, and stops on Ctrl-C', async () => {
    const run = await runDevUntilReady([]);
    expect(run.stderr()).toBe('');
    expect(run.code).toBe(0);
    const output = run.stdout();
    expect(output).toMatch(/running in embedded mode \(one process, ready in [\d.]+ s/);
    for (const endpoint of ['agents', 'operator API', 'console', 'MCP', 'A2A', 'router']) {
      expect(output).toMatch(new RegExp(`^ {2}${endpoint} +\\S`, 'm'));
    }
    expect(output).toMatch(/\/mcp$/m);
    const key = readFileSync(join(dataDir, 'admin-key'), 'utf8').trim();
    expect(output).toContain(`export SB_API_KEY=${key}`);
    expect(output.trimEnd().endsWith('stopped')).toBe(true);

    // The key belongs to the data: kept on a restart, replaced with --reset.
    expect((await runDevUntilReady([])).stdout()).toContain(key);
    const reset = await runDevUntilReady(['--reset']);
    expect(reset.stdout()).toContain('(--reset)');
    expect(reset.stdout()).not.toContain(key);
  });

  it('refuses a port that is not one', async () => {
    const run = await runCli(['dev', '--gateway-port', '70000'], {
      env: {},
      stdout: () => {},
      stderr: () => {},
    });
    expect(run).toBe(1);
  });
});
