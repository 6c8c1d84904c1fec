import { Command, CommanderError } from 'commander';
import packageJson from '../package.json' with { type: 'json' };
import { CliError, DEFAULT_URL } from './client.ts';
import { registerAgentCommands } from './commands/agents.ts';
import { registerConfigCommands } from './commands/config.ts';
import { registerDevCommand } from './commands/dev.ts';
import { registerDlqCommands } from './commands/dlq.ts';
import { registerEventCommands } from './commands/events.ts';
import { registerKeyCommands } from './commands/keys.ts';
import { registerMessageCommands } from './commands/messages.ts';
import { registerPayloadCommands } from './commands/payloads.ts';
import { registerPeerCommands } from './commands/peers.ts';
import { registerRoleCommands } from './commands/roles.ts';
import { registerSecurityCommands } from './commands/security.ts';
import { registerSendCommand } from './commands/send.ts';
import { registerStateCommands } from './commands/state.ts';
import { registerTailCommand } from './commands/tail.ts';
import { registerTaskCommands } from './commands/tasks.ts';
import { registerToolCommands } from './commands/tools.ts';
import type { CliIo } from './context.ts';

/** The `switchboard` program: every command, writing to `io`. */
export function createProgram(io: CliIo): Command {
  const program = new Command('switchboard')
    .description(
      'Operate a Switchboard mesh through its gateway. Set SB_URL and SB_API_KEY (an operator key).',
    )
    .version(packageJson.version)
    .option('--url <url>', `the gateway's URL (default: $SB_URL, else ${DEFAULT_URL})`)
    .option('--json', 'print JSON instead of tables, for scripts')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showHelpAfterError();
  registerKeyCommands(program, io);
  registerRoleCommands(program, io);
  registerAgentCommands(program, io);
  registerConfigCommands(program, io);
  registerStateCommands(program, io);
  registerSendCommand(program, io);
  registerMessageCommands(program, io);
  registerTailCommand(program, io);
  registerDlqCommands(program, io);
  registerEventCommands(program, io);
  registerPayloadCommands(program, io);
  registerSecurityCommands(program, io);
  // Tasks.
  registerTaskCommands(program, io);
  // Tools.
  registerToolCommands(program, io);
  // A2A peers (the directory is `agents find`).
  registerPeerCommands(program, io);
  // The whole mesh in one process (embedded mode).
  registerDevCommand(program, io);
  // Every subcommand reports usage errors through the same output and exit path.
  const configure = (command: Command) => {
    command.exitOverride().configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
    command.commands.forEach(configure);
  };
  program.commands.forEach(configure);
  return program;
}

/**
 * Runs the CLI with `argv` (without `node` and the script) and returns its exit code: 0 on
 * success, 1 on any error, which is printed as `<code>: <message>`.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    await createProgram(io).parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    // Interrupted (Ctrl-C): a request cut short is nothing the user needs to read about; a
    // command that failed to finish its own shutdown says so with a CliError.
    if (io.signal?.aborted === true && !(error instanceof CliError)) return 130;
    if (error instanceof CliError) {
      io.stderr(`${error.code}: ${error.message}\n`);
      return 1;
    }
    io.stderr(`E_INTERNAL: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}
