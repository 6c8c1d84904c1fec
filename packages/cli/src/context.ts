import type { Command } from 'commander';
import { DEFAULT_URL, OperatorClient } from './client.ts';

/** Where the CLI reads its environment and writes its output; tests pass their own. */
export interface CliIo {
  env: Readonly<Record<string, string | undefined>>;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Ends long-running commands (`events`): Ctrl-C in a terminal. */
  signal?: AbortSignal;
}

/** What a command's action needs: output, the mode, and a client of the operator API. */
export interface CommandContext {
  io: CliIo;
  json: boolean;
  client(): OperatorClient;
  /** Prints a line (or a value as JSON in `--json` mode). */
  print(text: string): void;
  printJson(value: unknown): void;
}

/** The context of `command`, from its global options and the environment. */
export function contextOf(command: Command, io: CliIo): CommandContext {
  const options = command.optsWithGlobals<{ url?: string; json?: boolean }>();
  return {
    io,
    json: options.json === true,
    client: () =>
      new OperatorClient(options.url ?? io.env.SB_URL ?? DEFAULT_URL, io.env.SB_API_KEY, io.signal),
    print: (text) => io.stdout(`${text}\n`),
    printJson: (value) => io.stdout(`${JSON.stringify(value, null, 2)}\n`),
  };
}
