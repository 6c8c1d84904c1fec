import { SbError, type ServiceShortName, type SettingReport } from '@switchboard/protocol';
import { logAppliedChange } from './change-log.ts';
import { type ConfigIssue, formatIssue } from './config-issue.ts';
import {
  type ChangePlan,
  type ConfigState,
  planChange,
  reportSettings,
  startState,
} from './config-state.ts';
import type { AnyServiceConfig } from './define.ts';
import { type FollowedFile, followConfigFile } from './file-follower.ts';
import type { Layers } from './layers.ts';
import type { ConfigLogger, OverrideStore } from './override-store.ts';
import { acceptStoredOverrides, layersAfterStoredChange } from './overrides.ts';
import { isAtOrUnder, splitKey } from './paths.ts';
import { leafPaths } from './schema-walk.ts';
import { assertOverridable, findSetting } from './settings.ts';

/** Called after live settings changed, with the keys whose running value changed. */
export type ConfigListener<T> = (next: T, previous: T, changedKeys: readonly string[]) => void;

/** How `start` runs. */
export interface LiveConfigStartOptions {
  log: ConfigLogger;
  /** Re-read the config file when it changes (default: true when there is one). */
  watchFile?: boolean;
  /** Poll interval of the file watcher's fallback (default 1000). */
  fileWatchIntervalMs?: number;
  /** Quiet time after a file event before re-reading (default 100). */
  fileDebounceMs?: number;
}

/** What `loadConfig` hands to a live config. */
export interface LiveConfigInit<T> {
  config: AnyServiceConfig;
  layers: Layers;
  value: T;
  /** The config file: absolute path, path as given, text read at load. */
  file?: FollowedFile | undefined;
}

type Phase = 'loaded' | 'started' | 'stopped';

/**
 * A service's config while it runs. Read settings through `current` every time: live settings
 * (log level, rate limits, retry policy, timeouts) change without a restart, when the config file
 * changes or an operator sets an override. Each change is validated first (an invalid one is
 * refused with the reason, the old value stays) and logged; restart-only settings keep their
 * running value and report the pending one.
 */
export class LiveConfig<T> {
  readonly #config: AnyServiceConfig;
  readonly #file: FollowedFile | undefined;
  readonly #listeners = new Set<ConfigListener<T>>();
  #state: ConfigState<T>;
  #phase: Phase = 'loaded';
  #queue: Promise<unknown> = Promise.resolve();
  /** Set by `start`: where overrides live and where changes are logged. */
  #opened: { store: OverrideStore; log: ConfigLogger } | undefined;
  #stopStore: (() => Promise<void>) | undefined;
  #stopFile: (() => void) | undefined;

  constructor(init: LiveConfigInit<T>) {
    this.#config = init.config;
    this.#file = init.file === undefined ? undefined : { ...init.file };
    this.#state = startState(init.layers, init.value);
  }

  /** The service this config belongs to. */
  get service(): ServiceShortName {
    return this.#config.service;
  }

  /** The config in effect: a frozen snapshot, replaced (never changed) when settings change. */
  get current(): T {
    return this.#state.running;
  }

  /** Calls `listener` after each change of the running config; returns the unsubscribe. */
  onChange(listener: ConfigListener<T>): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /**
   * Every setting (or those at or under `key`) with its value (secrets redacted, `null` when
   * unset), source, liveness and pending restart value. An unknown key is `E_NOT_FOUND`.
   */
  report(key?: string): SettingReport[] {
    const all = leafPaths(this.#config.schema);
    const paths = key === undefined ? all : all.filter((path) => isAtOrUnder(path, splitKey(key)));
    // No setting there: findSetting throws the E_NOT_FOUND naming the keys that exist.
    if (key !== undefined && paths.length === 0) findSetting(this.#config, key);
    return reportSettings(this.#config, this.#state, paths);
  }

  /**
   * Validates and stores an override, then applies it here (the store's watch applies it on
   * every other replica; its echo here changes nothing). `restartRequired` is true when the
   * setting is restart-only and its value after a restart differs from the running one.
   * Unknown key: `E_NOT_FOUND`; invalid value or bootstrap key: `E_VALIDATION` (nothing stored).
   */
  async set(
    key: string,
    value: unknown,
  ): Promise<{ setting: SettingReport; restartRequired: boolean }> {
    const path = findSetting(this.#config, key);
    assertOverridable(this.#config, path);
    if (value === undefined) {
      throw new SbError('E_VALIDATION', `cannot set ${key}: give a value (unset removes one)`);
    }
    const { store } = this.#requireOpened();
    const { setting } = await this.#changeOverride(path, value, () => store.put(key, value));
    return { setting, restartRequired: setting.pendingRestart !== undefined };
  }

  /**
   * Removes an override: the setting falls back to the file, env or default. `removed` says
   * whether one was in effect. Refused (`E_VALIDATION`) when the config without it is invalid.
   */
  async unset(
    key: string,
  ): Promise<{ setting: SettingReport; removed: boolean; restartRequired: boolean }> {
    const path = findSetting(this.#config, key);
    const { store } = this.#requireOpened();
    // Deleted even when not in effect here: a stored override this replica skipped goes too.
    const result = await this.#changeOverride(path, undefined, () => store.delete(key));
    return { ...result, restartRequired: result.setting.pendingRestart !== undefined };
  }

  /**
   * Applies the stored overrides (every setting, restart-only ones too: call it before building
   * anything that reads them), skipping and logging each invalid one, then watches the store and
   * the config file. Call once.
   */
  async start(store: OverrideStore, options: LiveConfigStartOptions): Promise<void> {
    if (this.#phase !== 'loaded') {
      throw new SbError('E_CONFLICT', `the ${this.service} config was already ${this.#phase}`);
    }
    this.#phase = 'started';
    this.#opened = { store, log: options.log };
    await this.#exclusive(async () => {
      this.#applyStored(await store.load());
      this.#stopStore = await store.watch((key, value) => {
        void this.#exclusive(async () => this.#onStored(key, value)).catch((error: unknown) =>
          options.log.error({ err: error, key }, 'applying a config override failed'),
        );
      });
      if (this.#file !== undefined && options.watchFile !== false) {
        this.#stopFile = followConfigFile(this.#file, this.#config, {
          log: options.log,
          intervalMs: options.fileWatchIntervalMs ?? 1000,
          debounceMs: options.fileDebounceMs ?? 100,
          run: (task) => this.#exclusive(task),
          isActive: () => this.#phase === 'started',
          apply: (values) => {
            const layers = { ...this.#state.layers, file: values };
            const plan = planChange(this.#config, this.#state, layers);
            if (!plan.ok) return plan.issues;
            this.#apply(plan);
            return undefined;
          },
        });
      }
    });
  }

  /** Stops watching the store and the file and waits for changes in progress. Idempotent. */
  async stop(): Promise<void> {
    if (this.#phase === 'stopped') return;
    this.#phase = 'stopped';
    // After the queue: a start in progress has set its watchers up by then.
    await this.#queue;
    this.#stopFile?.();
    this.#stopFile = undefined;
    const stopStore = this.#stopStore;
    this.#stopStore = undefined;
    await stopStore?.();
  }

  #requireOpened(): { store: OverrideStore; log: ConfigLogger } {
    if (this.#phase !== 'started' || this.#opened === undefined) {
      throw new SbError('E_UNAVAILABLE', `the ${this.service} config overrides are not open`);
    }
    return this.#opened;
  }

  /** The logger of a started config (changes only happen once started). */
  get #log(): ConfigLogger {
    return (this.#opened as { log: ConfigLogger }).log;
  }

  /** Runs changes one at a time, in arrival order. */
  #exclusive<R>(task: () => Promise<R>): Promise<R> {
    const run = this.#queue.then(task);
    this.#queue = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  /**
   * Validates the override change (a value, or undefined to remove it), stores it, then applies
   * it here. Runs in the queue, so nothing changes between the check and the apply.
   */
  #changeOverride(
    path: readonly string[],
    value: unknown,
    store: () => Promise<void>,
  ): Promise<{ setting: SettingReport; removed: boolean }> {
    const key = path.join('.');
    return this.#exclusive(async () => {
      const overrides = new Map(this.#state.layers.overrides);
      const removed = overrides.delete(key);
      if (value !== undefined) overrides.set(key, value);
      const plan = planChange(this.#config, this.#state, { ...this.#state.layers, overrides });
      if (!plan.ok) {
        throw this.#refused(`cannot ${value === undefined ? 'unset' : 'set'} ${key}`, plan.issues);
      }
      await store();
      this.#apply(plan);
      const [setting] = reportSettings(this.#config, this.#state, [path]) as [SettingReport];
      return { setting, removed };
    });
  }

  #refused(what: string, issues: readonly ConfigIssue[]): SbError {
    const reason = issues.map(formatIssue).join('; ');
    this.#log.warn({ reason }, `config change refused: ${what}`);
    return new SbError('E_VALIDATION', `${what}: ${reason}`, { details: { issues } });
  }

  /** Takes a validated plan: logs what changed and what waits for a restart, then notifies. */
  #apply(plan: ChangePlan<T> & { ok: true }): void {
    const previous = this.#state;
    this.#state = plan.state;
    logAppliedChange(this.#log, this.#config, previous, plan.state, plan.changedKeys);
    if (plan.changedKeys.length === 0) return;
    for (const listener of this.#listeners) {
      try {
        listener(plan.state.running, previous.running, plan.changedKeys);
      } catch (error) {
        this.#log.error({ err: error }, 'config change listener failed');
      }
    }
  }

  /** Start: applies each stored override that validates, in key order; skips the rest. */
  #applyStored(stored: ReadonlyMap<string, unknown>): void {
    const { layers, skipped } = acceptStoredOverrides(this.#config, this.#state.layers, stored);
    for (const { key, reason } of skipped) {
      this.#log.warn({ key, reason }, 'skipped an invalid stored config override');
    }
    // The accepted layers validate, and at start nothing is mixed: the plan succeeds.
    this.#apply(
      planChange(this.#config, this.#state, layers, true) as ChangePlan<T> & { ok: true },
    );
  }

  /** A put or delete seen in the store (this replica's own included). */
  #onStored(key: string, value: unknown): void {
    if (this.#phase !== 'started') return;
    const next = layersAfterStoredChange(this.#config, this.#state.layers, key, value);
    if (next === 'unchanged') return;
    if ('reason' in next) {
      this.#log.warn(
        { key, reason: next.reason },
        'ignored an invalid config override from the store',
      );
      return;
    }
    const plan = planChange(this.#config, this.#state, next.layers);
    if (plan.ok) this.#apply(plan);
    else this.#refused(`override ${key} from the store`, plan.issues);
  }
}
