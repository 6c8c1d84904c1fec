import { type FSWatcher, type Stats, unwatchFile, watch, watchFile } from 'node:fs';
import { basename, dirname } from 'node:path';

/** How a config file is watched. */
export interface FileWatchOptions {
  /** Poll interval of the fallback watcher. */
  intervalMs: number;
  /** Quiet time after the last event before `onChange` runs (editors write in bursts). */
  debounceMs: number;
  /** Called when the directory watcher fails; polling carries on. */
  onError: (error: unknown) => void;
}

/**
 * Calls `onChange` (debounced) when the file at `path` may have changed. Watches the directory
 * filtered by the file name, which survives editors that replace the file instead of writing it,
 * plus `fs.watchFile` polling where directory events are not delivered (network and container
 * file systems). Returns the function that stops both and clears the pending debounce; until
 * then they hold the process open, like any started resource.
 */
export function watchConfigFile(
  path: string,
  onChange: () => void,
  options: FileWatchOptions,
): () => void {
  const name = basename(path);
  let timer: NodeJS.Timeout | undefined;
  const schedule = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      onChange();
    }, options.debounceMs);
  };
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(dirname(path), (_event, filename) => {
      // Some platforms give no file name: any event in the directory may be ours.
      if (filename === null || filename === name) schedule();
    });
    watcher.on('error', options.onError);
  } catch (error) {
    options.onError(error);
  }
  const poll = (current: Stats, previous: Stats) => {
    if (current.mtimeMs !== previous.mtimeMs || current.size !== previous.size) schedule();
  };
  watchFile(path, { interval: options.intervalMs }, poll);
  return () => {
    clearTimeout(timer);
    timer = undefined;
    watcher?.close();
    unwatchFile(path, poll);
  };
}
