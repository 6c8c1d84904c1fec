import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mintApiKey } from '@switchboard/authz';
import { type AgentClient, connect } from '@switchboard/sdk';
import {
  type AgentCardServer,
  createAgentKey,
  createTestContext,
  type ServiceProcess,
  serveAgentCard,
  spawnService,
  type TestContext,
  waitFor,
} from '@switchboard/testing';
import { type Browser, chromium, type Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The console end to end in headless Chromium: the built app served by a real gateway process,
// a real router behind it, SDK agents, and an operator clicking through the pages. Each page
// is checked with axe-core and photographed into reports/console/ for a person to look at.

const consoleRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const screenshots = join(consoleRoot, '../../reports/console');
const axeSource = readFileSync(
  createRequire(import.meta.url).resolve('axe-core/axe.min.js'),
  'utf8',
);
const CHROMIUM = process.env.SB_CHROMIUM ?? '/usr/bin/chromium';
// As root Chromium starts only without its sandbox; the rest keeps it off the network.
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

let context: TestContext;
let built: string;
let gateway: ServiceProcess;
let router: ServiceProcess;
let state: ServiceProcess;
let taskWorker: ServiceProcess;
let registry: ServiceProcess;
let a2aPeer: ServiceProcess;
let remoteAgent: AgentCardServer;
let browser: Browser;
let page: Page;
let base: string;
let agentKey: string;
const bootstrap = mintApiKey();
const agents: AgentClient[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `the console tests drive Chromium at ${CHROMIUM}: install it (apt-get install -y chromium) or set SB_CHROMIUM to its path`,
    );
  }
  built = mkdtempSync(join(tmpdir(), 'sb-console-'));
  await build({ root: consoleRoot, logLevel: 'warn', build: { outDir: built, emptyOutDir: true } });
  context = await createTestContext();
  const common = { ...context.env, SB_LOG__LEVEL: 'warn' };
  gateway = await spawnService('gateway', {
    ...common,
    SB_GATEWAY__PORT: '0',
    SB_GATEWAY__CONSOLE_DIR: built,
    SB_GATEWAY__AUTH__BOOTSTRAP_KEY_SHA256: bootstrap.sha256,
    SB_GATEWAY__OVERVIEW__SAMPLE_INTERVAL_MS: '200',
    SB_GATEWAY__EVENTS__STATS_INTERVAL_MS: '500',
  });
  router = await spawnService('message-router', {
    ...common,
    SB_ROUTER__PORT: '0',
    SB_ROUTER__DELIVERY__SWEEP_INTERVAL_MS: '50',
    SB_ROUTER__DELIVERY__ACK_TIMEOUT_MS: '2000',
    SB_ROUTER__DELIVERY__BACKOFF_BASE_MS: '20',
    SB_ROUTER__DELIVERY__BACKOFF_MAX_MS: '100',
    SB_ROUTER__DELIVERY__MAX_ATTEMPTS: '2',
  });
  state = await spawnService('state', { ...common, SB_STATE__PORT: '0' });
  taskWorker = await spawnService('task-worker', {
    ...common,
    SB_TASKS__PORT: '0',
    SB_TASKS__SWEEP_INTERVAL_MS: '50',
    SB_TASKS__EXECUTOR_CACHE_MS: '50',
    SB_TASKS__STATS_REFRESH_MS: '100',
  });
  registry = await spawnService('tool-registry', {
    ...common,
    SB_TOOLS__PORT: '0',
    SB_TOOLS__AUDIT__FLUSH_INTERVAL_MS: '10',
    SB_TOOLS__AUDIT__FIGURES_CACHE_TTL_MS: '0',
  });
  a2aPeer = await spawnService('a2a-peer', {
    ...common,
    SB_A2A__PORT: '0',
    // The remote agent of the peers test listens on loopback, which the SSRF guard refuses.
    SB_A2A__PEERS__ALLOW_PRIVATE: 'true',
    SB_A2A__PEERS__HEALTH_INTERVAL_MS: '100',
    SB_A2A__PEERS__DOWN_AFTER_FAILURES: '2',
  });
  remoteAgent = await serveAgentCard({ name: 'Remote echo', skills: ['echo'] });
  base = `http://127.0.0.1:${gateway.port}`;
  agentKey = await createAgentKey(gateway.port, bootstrap.token, [
    { kind: 'publish', topics: ['>'] },
    { kind: 'subscribe', topics: ['>'] },
    { kind: 'task', types: ['console.>'], actions: ['submit', 'execute', 'read', 'cancel'] },
    { kind: 'tool', names: ['console.>'], actions: ['list', 'call', 'provide'] },
  ]);
  mkdirSync(screenshots, { recursive: true });
  // Playwright gives every launch a fresh temporary profile.
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
});

afterAll(async () => {
  await Promise.all(agents.map((agent) => agent.close()));
  await browser?.close();
  await remoteAgent?.close();
  await Promise.all(
    [gateway, router, state, taskWorker, registry, a2aPeer].map((service) => service?.stop()),
  );
  await context?.cleanup();
  rmSync(built, { recursive: true, force: true });
});

async function connectAgent(id: string): Promise<AgentClient> {
  const agent = await connect({
    url: `ws://127.0.0.1:${gateway.port}`,
    apiKey: agentKey,
    agent: { id, name: `Agent ${id}`, version: '1.0.0', capabilities: [{ name: 'summarize' }] },
    reconnect: { initialDelayMs: 50, maxDelayMs: 500 },
  });
  agents.push(agent);
  return agent;
}

/** No serious or critical accessibility violation on the page as it is now. */
async function expectAccessible(name: string): Promise<void> {
  // Evaluated over the DevTools protocol, which the page's CSP (no inline scripts) allows.
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(): Promise<{ violations: unknown[] }> } }).axe;
    const result = await axe.run();
    return result.violations as Array<{ id: string; impact: string; help: string }>;
  });
  const serious = violations.filter((item) => ['serious', 'critical'].includes(item.impact));
  expect(serious, `${name}: ${JSON.stringify(serious)}`).toEqual([]);
  await page.screenshot({ path: join(screenshots, `${name}.png`), fullPage: true });
}

async function open(path: string, heading: string): Promise<void> {
  await page.goto(`${base}/console/#/${path}`);
  await page.getByRole('heading', { level: 1, name: heading }).waitFor();
}

describe('the operator console', () => {
  it('refuses the API without a session and shows the sign-in page', async () => {
    const refused = await page.request.get(`${base}/v1/agents`);
    expect(refused.status()).toBe(401);
    const response = await page.goto(`${base}/console`);
    expect(response?.headers()['content-security-policy']).toContain("default-src 'self'");
    await page.getByRole('heading', { name: 'Switchboard console' }).waitFor();
    await expectAccessible('sign-in');
  });

  it('signs in with an operator key, kept only as an httpOnly cookie', async () => {
    await page.getByLabel('Operator API key').fill('sbk_wrong_key');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').getByText('E_UNAUTHORIZED').waitFor();

    await page.getByLabel('Operator API key').fill(bootstrap.token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
    const stored = await page.evaluate(() =>
      JSON.stringify({ ...localStorage, ...sessionStorage }),
    );
    expect(stored).not.toContain(bootstrap.token);
    const [cookie] = await page.context().cookies();
    expect(cookie).toMatchObject({ name: 'sb_session', httpOnly: true, sameSite: 'Strict' });
    expect(await page.evaluate(() => document.cookie)).toBe('');
    await page.getByText('live', { exact: true }).waitFor();
    await page.getByRole('row', { name: /router up/ }).waitFor();
    await expectAccessible('overview');
  });

  it('shows an agent the moment it connects', async () => {
    await open('agents', 'Agents');
    await page.getByText('No agent matches').waitFor();
    const watcher = await connectAgent('console-watcher');
    // No reload: the agent.connected event refreshes the list.
    const row = page.getByRole('button', { name: 'console-watcher' });
    await row.waitFor();
    const first = await watcher.store.put('plan', { steps: ['draft'] }, { expectedVersion: 0 });
    await watcher.store.put(
      'plan',
      { steps: ['draft', 'review'] },
      { expectedVersion: first.version },
    );
    await row.click();
    await page.getByRole('heading', { name: 'Agent console-watcher' }).waitFor();
    // Its lifecycle (the state service followed the connection) and its state, version by version.
    await page.getByText(/registered → starting/).waitFor();
    await page.getByRole('button', { name: 'plan' }).click();
    await page.getByRole('list', { name: 'Differences' }).getByText('$.steps[1]').waitFor();
    await expectAccessible('agents');
  });

  it('sends a message and finds it in the history', async () => {
    const receiver = await connectAgent('console-receiver');
    const received: unknown[] = [];
    receiver.onMessage(async (message) => {
      received.push(message.payload);
    });
    await open('messages', 'Messages');
    await page.getByLabel('Agent id').fill('console-receiver');
    await page.getByLabel('Payload (JSON)').fill('{"from":"console test"}');
    await page.getByRole('button', { name: 'Send' }).click();
    await page
      .getByRole('status')
      .getByText(/Accepted .* for 1 recipient/)
      .waitFor();
    await waitFor(() => received.length === 1);
    expect(received).toEqual([{ from: 'console test' }]);
    await page.getByRole('cell', { name: 'agent console-receiver' }).first().waitFor();
    await expectAccessible('messages');
    // The overview now shows how long deliveries took (the router's last-minute p99).
    await open('overview', 'Overview');
    const p99 = page.locator('.figure', { hasText: 'delivery p99' }).locator('.value');
    await expect.poll(() => p99.textContent(), { timeout: 10_000 }).toMatch(/^\d+\.\d$/);
  });

  it('replays a dead letter, which is then delivered', async () => {
    const flaky = await connectAgent('console-flaky');
    let failing = true;
    const delivered: unknown[] = [];
    flaky.onMessage(async (message) => {
      if (failing) throw new Error('not today');
      delivered.push(message.payload);
    });
    await open('dead-letters', 'Dead letters');
    const sent = await page.request.post(`${base}/v1/messages`, {
      headers: { authorization: `Bearer ${bootstrap.token}` },
      data: { to: { kind: 'agent', agentId: 'console-flaky' }, payload: { try: 'again' } },
    });
    expect(sent.status()).toBe(202);
    // Two failed attempts make a dead letter; the live event puts it on the page.
    const row = page.getByRole('row', { name: /console-flaky/ });
    await row.waitFor();
    failing = false;
    await row.getByRole('checkbox').check();
    await page.getByRole('button', { name: 'Replay 1 selected' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Replay' }).click();
    await page.getByRole('status').getByText('Replayed 1').waitFor();
    await waitFor(() => delivered.length === 1);
    expect(delivered).toEqual([{ try: 'again' }]);
    await expectAccessible('dead-letters');
  });

  it('submits a task and watches it complete', async () => {
    const executor = await connectAgent('console-executor');
    await executor.tasks.registerType({ name: 'console.echo' });
    await executor.tasks.handle('console.echo', async (input) => ({ echoed: input }));
    await open('tasks', 'Tasks');
    await page.getByLabel('Input (JSON)').fill('{"n":7}');
    await page.getByRole('button', { name: 'Submit' }).click();
    // The new task opens; task.changed events bring it to its end without a reload.
    const detail = page.getByRole('complementary', { name: /Task / });
    await detail.locator('dd .badge', { hasText: 'succeeded' }).waitFor();
    await detail.getByText('"echoed"').waitFor();
    await page
      .getByRole('list', { name: 'Transitions' })
      .getByText(/running → succeeded/)
      .waitFor();
    await page
      .getByRole('row', { name: /console\.echo/ })
      .first()
      .waitFor();
    await expectAccessible('tasks');
    // The overview counts it among the tasks that succeeded in the last minute.
    await open('overview', 'Overview');
    const succeeded = page
      .locator('.figure', { hasText: 'tasks succeeded, last minute' })
      .locator('.value');
    await expect.poll(() => succeeded.textContent(), { timeout: 10_000 }).toBe('1');
  });

  it('shows a tool with its health, figures and audit trail, and deprecates it', async () => {
    const provider = await connectAgent('console-provider');
    await provider.tools.provide(
      {
        name: 'console.upper',
        version: '1.0.0',
        description: 'Upper-cases text',
        inputSchema: { type: 'object', properties: { text: { type: 'string' } } },
      },
      async (args) => ({ text: String(args.text).toUpperCase() }),
    );
    const caller = await connectAgent('console-caller');
    const { result } = await caller.tools.call('console.upper', { text: 'hi' });
    expect(result).toEqual({ text: 'HI' });
    const admin = { authorization: `Bearer ${bootstrap.token}` };
    await waitFor(async () => {
      const audit = await page.request.get(`${base}/v1/tools/audit`, { headers: admin });
      return ((await audit.json()) as { items: unknown[] }).items.length > 0;
    });
    await open('tools', 'Tools');
    const row = page.getByRole('row', { name: /console\.upper 1\.0\.0 active 1 healthy 1 0/ });
    await row.waitFor();
    await page.getByRole('row', { name: /agent:console-caller console\.upper@1\.0\.0/ }).waitFor();
    await expectAccessible('tools');
    await row.getByRole('button', { name: 'Deprecate console.upper@1.0.0' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Deprecate' }).click();
    await page.getByRole('row', { name: /console\.upper 1\.0\.0 deprecated/ }).waitFor();
    // The overview's tool-call error rate counts that call: none of it failed.
    await open('overview', 'Overview');
    const errors = page.locator('.figure', { hasText: 'tool-call errors' }).locator('.value');
    await expect.poll(() => errors.textContent(), { timeout: 10_000 }).toBe('0.0');
  });

  it('adds an A2A peer, follows its health live, finds it in the directory and removes it', async () => {
    await open('peers', 'A2A peers');
    await page.getByText('No peer yet').waitFor();
    await page.getByLabel('Name').fill('remote-echo');
    await page.getByLabel('Card or base URL').fill(remoteAgent.baseUrl);
    await page.getByRole('button', { name: 'Add peer' }).click();
    await page.getByRole('status').getByText('Added remote-echo (Remote echo, up)').waitFor();
    const row = page.getByRole('row', { name: /remote-echo up \d+ ms .* unsigned echo/ });
    await row.waitFor();
    const detail = page.getByRole('complementary', { name: 'Remote echo' });
    await detail.getByText(`${remoteAgent.baseUrl}/jsonrpc`).waitFor();
    await detail.getByText('does echo').waitFor();
    await page.getByLabel('Skill', { exact: true }).fill('echo');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('row', { name: /a2a:remote-echo remote up Remote echo echo/ }).waitFor();
    await expectAccessible('peers');

    // The peer goes down and comes back: a2a.peer events update the page without a reload.
    await remoteAgent.pause();
    await page.getByRole('row', { name: /remote-echo down/ }).waitFor();
    await open('overview', 'Overview');
    const peers = page.locator('.figure', { hasText: 'A2A peers up / down' }).locator('.value');
    await expect.poll(() => peers.textContent(), { timeout: 10_000 }).toBe('0 / 1');
    await remoteAgent.resume();
    await expect.poll(() => peers.textContent(), { timeout: 10_000 }).toBe('1 / 0');

    await open('peers', 'A2A peers');
    await page.getByRole('button', { name: 'remote-echo', exact: true }).click();
    await page.getByRole('button', { name: 'Remove remote-echo' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Remove' }).click();
    await page.getByRole('status').getByText('Removed remote-echo').waitFor();
    await page.getByText('No peer yet').waitFor();
  });

  it('creates a key, shown once, and revokes it', async () => {
    await open('keys', 'API keys');
    await page.getByLabel('Name').fill('made in the console');
    await page.getByRole('button', { name: 'Create' }).click();
    const token = await page.getByTestId('new-key').textContent();
    expect(token).toMatch(/^sbk_/);
    const row = page.getByRole('row', { name: /made in the console/ });
    await row.waitFor();
    const id = (await row.getByRole('cell').first().textContent()) as string;
    await row.getByRole('button', { name: `Revoke ${id}` }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Revoke' }).click();
    await row.waitFor({ state: 'detached' });
    const refused = await page.request.get(`${base}/v1/agents`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(refused.status()).toBe(401);
    await page.getByLabel('Show revoked keys').check();
    await page.getByRole('row', { name: /made in the console.*revoked/ }).waitFor();
    await expectAccessible('keys');
  });

  it('lists stored security events and alerts, adds new ones live and shows one in full', async () => {
    await open('security', 'Security');
    const events = page.getByRole('table').filter({ hasText: 'client address' });
    // Stored before the page opened: the revoked key presented in the keys test.
    await events
      .getByRole('row', { name: /revoked_key_used/ })
      .first()
      .waitFor();

    // Requests with a bad key are refused, reported and arrive live; 55 of them from one
    // address make the auth_failure_spike detector fire (20 a minute, however the minute falls)
    // and fill more than a page.
    const refusals = await Promise.all(
      Array.from({ length: 55 }, () =>
        page.request.get(`${base}/v1/security/events`, {
          headers: { authorization: 'Bearer sbk_not_a_key_of_this_mesh' },
        }),
      ),
    );
    expect(refusals.map((refused) => refused.status())).toEqual(refusals.map(() => 401));
    const failed = events
      .getByRole('row', { name: /auth_failed.*\/v1\/security\/events.*E_UNAUTHORIZED/ })
      .first();
    await failed.waitFor();
    await page
      .getByRole('list', { name: 'Alerts' })
      .getByText(/auth_failure_spike address 127\.0\.0\.1 · \d+ times · 1 min from/)
      .first()
      .waitFor();

    // Only auth failures: the revoked key's event goes, the refused request stays.
    await page.getByRole('checkbox', { name: 'auth_failed' }).check();
    await page.getByRole('button', { name: 'Filter', exact: true }).click();
    await failed.waitFor();
    await events
      .getByRole('row', { name: /revoked_key_used/ })
      .first()
      .waitFor({ state: 'detached' });

    await failed.getByRole('button').click();
    const detail = page.getByRole('complementary', { name: /auth_failed at/ });
    const facts = detail.getByRole('definition');
    await facts.getByText('/v1/security/events', { exact: true }).waitFor();
    await facts.getByText('E_UNAUTHORIZED', { exact: true }).waitFor();
    await expectAccessible('security');
    await page.keyboard.press('Escape');
    await detail.waitFor({ state: 'detached' });
  });

  it('shows key changes live, the roles and the revoked keys', async () => {
    await open('security', 'Security');
    await page.getByRole('row', { name: /observer.*keys:read/ }).waitFor();
    const admin = { authorization: `Bearer ${bootstrap.token}` };
    const created = await page.request.post(`${base}/v1/keys`, {
      headers: admin,
      data: { name: 'short-lived', roles: ['observer'] },
    });
    const { key } = (await created.json()) as { key: { id: string } };
    await page.request.delete(`${base}/v1/keys/${key.id}`, { headers: admin });
    const changes = page.getByRole('list', { name: 'Key and connection changes' });
    await changes.getByText('key revoked').waitFor();
    await changes.getByText('key created').waitFor();
    await page.getByRole('row', { name: new RegExp(`${key.id}.*short-lived.*revoked`) }).waitFor();
  });

  it('sets a live config override and removes it', async () => {
    await open('config', 'Configuration');
    const row = page.getByRole('row', { name: /gateway\.events\.statsIntervalMs/ });
    await row.getByRole('textbox').fill('1234');
    await row.getByRole('button', { name: 'Set' }).click();
    await row.getByText('override', { exact: true }).waitFor();
    const setting = await page.request.get(
      `${base}/v1/config/gateway/gateway.events.statsIntervalMs`,
      { headers: { authorization: `Bearer ${bootstrap.token}` } },
    );
    expect((await setting.json()).settings).toEqual([
      expect.objectContaining({ value: 1234, source: 'override' }),
    ]);
    await expectAccessible('config');
    await row.getByRole('button', { name: 'Unset' }).click();
    // Back to the value the gateway was started with.
    await row.getByText('env', { exact: true }).waitFor();
  });

  it('fits a phone-width screen: wide tables scroll in their box, the page does not', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    const pageOverflow = () =>
      page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    for (const [path, heading] of [
      ['overview', 'Overview'],
      ['agents', 'Agents'],
      ['peers', 'A2A peers'],
      ['keys', 'API keys'],
    ] as const) {
      await open(path, heading);
      expect(await pageOverflow(), path).toBeLessThanOrEqual(0);
    }
    await expectAccessible('phone-keys');
    // The security page once its events and keys are in.
    await open('security', 'Security');
    await page
      .getByRole('row', { name: /auth_failed/ })
      .first()
      .waitFor();
    await page.getByRole('row', { name: /short-lived.*revoked/ }).waitFor();
    expect(await pageOverflow(), 'security').toBeLessThanOrEqual(0);
    await expectAccessible('phone-security');
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('returns to the sign-in page, saying why, when the session ends elsewhere', async () => {
    await open('agents', 'Agents');
    // The session ends behind the page's back (as when it expires or its key is revoked).
    const session = await (await page.request.get(`${base}/v1/session`)).json();
    const ended = await page.request.delete(`${base}/v1/session`, {
      headers: { 'x-csrf-token': session.csrfToken },
    });
    expect(ended.status()).toBe(204);
    await page.getByRole('link', { name: 'Keys' }).click();
    await page.getByRole('status').getByText('Your session ended').waitFor();
    await page.getByLabel('Operator API key').fill(bootstrap.token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'API keys' }).waitFor();
  });

  it('signs out, after which the cookie opens nothing', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Switchboard console' }).waitFor();
    expect((await page.request.get(`${base}/v1/agents`)).status()).toBe(401);
  });
});
