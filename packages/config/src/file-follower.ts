import { readFile } from 'node:fs/promises';
import { type ConfigIssue, formatIssue } from './config-issue.ts';
import type { AnyServiceConfig } from './define.ts';
import { parseConfigFile } from './file-source.ts';
import { watchConfigFile } from './file-watcher.ts';
import type { ConfigLogger } from './override-store.ts';
import type { PlainObject } from './values.ts';

/** The config file a live config follows; `text` is what was read last (undefined: unreadable). */
export interface FollowedFile {
  path: string;
  shownPath: string;
  text: string | undefined;
}

/** What following a file needs from the live config. */
export interface FileFollowerHooks {
  log: ConfigLogger;
  intervalMs: number;
  debounceMs: number;
  /** Runs a change in the live config's queue. */
  run: (task: () => Promise<void>) => Promise<void>;
  /** False once the live config stopped. */
  isActive: () => boolean;
  /** Applies the file's new sections; returns why they were refused, or undefined. */
  apply: (values: PlainObject) => readonly ConfigIssue[] | undefined;
}

/**
 * Re-reads the config file whenever it changes and hands its sections to `apply`. A file that
 * cannot be read, parsed or validated is logged and ignored: the values in effect stay. Returns
 * the function that stops following.
 */
export function followConfigFile(
  file: FollowedFile,
  config: AnyServiceConfig,
  hooks: FileFollowerHooks,
): () => void {
  const reload = async () => {
    // A debounced event that fired while stop() waited for the queue. Timing-only: no test can
    // place it, hence the coverage hint.
    /* v8 ignore next */
    if (!hooks.isActive()) return;
    let text: string;
    try {
      text = await readFile(file.path, 'utf8');
    } catch (error) {
      const message = 'cannot read the config file; keeping the values in effect';
      hooks.log.error({ err: error, file: file.shownPath }, message);
      file.text = undefined;
      return;
    }
    // Both watchers report most edits; the second read finds the same text (and must not log a
    // bad file twice). Which one comes second is timing, hence the coverage hint.
    /* v8 ignore next */
    if (text === file.text) return;
    file.text = text;
    if (text.trim() === '') {
      // Most likely an editor that truncates and then writes: taking it would reset every
      // setting the file holds. (A file that really means nothing holds `{}`.)
      const message = 'the config file is empty; keeping the values in effect';
      hooks.log.warn({ file: file.shownPath }, message);
      return;
    }
    const parsed = parseConfigFile(file.shownPath, text, config);
    const issues = parsed.issues.length > 0 ? parsed.issues : hooks.apply(parsed.values);
    if (issues !== undefined) {
      const reason = issues.map(formatIssue).join('; ');
      hooks.log.error({ reason }, 'config file change refused; keeping the values in effect');
    }
  };
  return watchConfigFile(
    file.path,
    () => {
      void hooks
        .run(reload)
        .catch((error: unknown) =>
          hooks.log.error({ err: error }, 'reloading the config file failed'),
        );
    },
    {
      intervalMs: hooks.intervalMs,
      debounceMs: hooks.debounceMs,
      onError: (error) =>
        hooks.log.warn({ err: error }, 'config file watcher failed; polling instead'),
    },
  );
}
