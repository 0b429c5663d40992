import { Command, CommanderError } from 'commander';
import { ConfigError, loadConfig } from '@manifold/config';
import {
  checkControlPlaneTlsConfig,
  controlPlaneTls,
  controlPlaneTlsConfigShape,
  type ControlPlaneClients,
  type ControlPlaneTls,
} from '@manifold/proto';
import { applyCommand } from './apply/apply-command';
import { catalogCommands } from './commands/catalog';
import { deadLetterCommands } from './commands/dead-letters';
import { modelCommands } from './commands/models';
import { planCommands } from './commands/plans';
import { replayCommands } from './commands/replays';
import { traceCommands } from './commands/trace';
import { destinationCommands } from './commands/destinations';
import { sourceCommands } from './commands/sources';
import { workspaceCommands } from './commands/workspaces';
import { CliError, clientsFrom, type GlobalOptions } from './connection';
import { describeError, type Io } from './output';

/** Runs one command: connects, calls `action`, reports failures as one readable message. */
export type Runner = (action: (clients: ControlPlaneClients, global: GlobalOptions) => Promise<void>) => Promise<void>;

/**
 * The `manifold` CLI. Returns the exit code instead of exiting, so tests run it in-process.
 */
export async function runCli(argv: readonly string[], io: Io, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let exitCode = 0;
  const program = new Command('manifold')
    .description('Manage Manifold workspaces, sources, destinations and warehouses through the control plane')
    .option('--address <host:port>', 'control plane gRPC address', env['CONTROL_PLANE_ADDRESS'] ?? '127.0.0.1:50051')
    // No default value here: commander prints defaults in --help, and this one is a secret.
    .option('--token <token>', 'service token (default: $CONTROL_PLANE_TOKEN)')
    .option(
      '--actor <who>',
      'recorded as created/changed by',
      env['MANIFOLD_ACTOR'] ?? `cli:${env['USER'] ?? 'unknown'}`,
    )
    .option('--json', 'print JSON instead of tables')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout(s), writeErr: (s) => io.stderr(s) });

  const run: Runner = async (action) => {
    const given = program.opts<GlobalOptions>();
    let clients: ControlPlaneClients | undefined;
    try {
      const global: GlobalOptions = { ...given, token: given.token ?? env['CONTROL_PLANE_TOKEN'], tls: cliTls(env) };
      clients = clientsFrom(global);
      await action(clients, global);
    } catch (error) {
      io.stderr(`error: ${error instanceof CliError ? error.message : describeError(error)}\n`);
      exitCode = 1;
    } finally {
      clients?.close();
    }
  };

  workspaceCommands(program, run, io);
  sourceCommands(program, run, io);
  destinationCommands(program, run, io);
  catalogCommands(program, run, io);
  deadLetterCommands(program, run, io);
  replayCommands(program, run, io);
  traceCommands(program, run, io);
  modelCommands(program, run, io);
  planCommands(program, run, io);
  applyCommand(program, run, io);

  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    throw error;
  }
  return exitCode;
}

/** TLS to the control plane from the same variables the services read. */
function cliTls(env: NodeJS.ProcessEnv): ControlPlaneTls | undefined {
  try {
    return controlPlaneTls(loadConfig('manifold', controlPlaneTlsConfigShape, env, [checkControlPlaneTlsConfig]));
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(error.message);
    throw error;
  }
}
