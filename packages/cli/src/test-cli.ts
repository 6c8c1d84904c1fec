import type { OperatorGateway } from '../../../apps/gateway/src/http/test-operator.ts';
import { runCli } from './cli.ts';

/** What one run of the CLI printed, and its exit code. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Options of one run: Ctrl-C as a signal, and output as it comes. */
export interface CliRunOptions {
  signal?: AbortSignal;
  onStdout?: (text: string) => void;
  onStderr?: (text: string) => void;
}

/**
 * Runs the CLI in process with `SB_URL` at the test gateway and `apiKey` (default: the admin
 * token) as `SB_API_KEY`.
 */
export function cliAgainst(gateway: () => OperatorGateway) {
  return async (
    args: string[],
    apiKey: string | undefined = gateway().adminToken,
    options: CliRunOptions = {},
  ): Promise<CliRun> => {
    let stdout = '';
    let stderr = '';
    const code = await runCli(args, {
      env: { SB_URL: `http://127.0.0.1:${gateway().port}`, SB_API_KEY: apiKey },
      stdout: (text) => {
        stdout += text;
        options.onStdout?.(text);
      },
      stderr: (text) => {
        stderr += text;
        options.onStderr?.(text);
      },
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
    return { code, stdout, stderr };
  };
}
