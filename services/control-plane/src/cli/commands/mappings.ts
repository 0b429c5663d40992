import type { Command } from 'commander';
import type { Destination, DestinationMapping } from '@manifold/proto';
import { CliError } from '../connection';
import { printDone, printTable, type Io } from '../output';
import { readDocument } from '../read-document';
import type { Runner } from '../program';

const mappingRow = (m: DestinationMapping) => ({
  id: m.id,
  name: m.name,
  enabled: m.enabled,
  action: m.action,
  trigger: m.trigger,
  fields: m.fields ?? {},
});

/** A JSON or YAML file holding a list of mappings (or `{mappings: [...]}`, as `mappings get --json` prints). */
export async function mappingsFile(path: string): Promise<DestinationMapping[]> {
  const parsed = await readDocument(path);
  const list = Array.isArray(parsed) ? parsed : (parsed as { mappings?: unknown } | null)?.mappings;
  if (!Array.isArray(list)) throw new CliError(`${path} must hold a list of mappings`);
  // The control plane checks each one and names every problem by its path.
  return list as DestinationMapping[];
}

function printMappings(io: Io, d: Destination, json?: boolean): void {
  if (json) return io.stdout(`${JSON.stringify({ version: d.mappingsVersion, mappings: d.mappings }, null, 2)}\n`);
  io.stdout(`version ${d.mappingsVersion}\n`);
  printTable(io, d.mappings.map(mappingRow), ['id', 'name', 'enabled', 'action', 'trigger']);
}

/** `destinations mappings ...`: read, replace, reset, list versions and roll back a destination's mappings. */
export function mappingCommands(destinations: Command, run: Runner, io: Io): void {
  const cmd = destinations
    .command('mappings')
    .description("a destination's mappings: which events run which action, with which fields");
  cmd
    .command('get <workspace> <name>')
    .action((workspace: string, destination: string) =>
      run(async (c, g) => printMappings(io, await c.destinations.getDestination({ workspace, destination }), g.json)),
    );
  cmd
    .command('set <workspace> <name>')
    .description('replace every mapping with those of a JSON or YAML file')
    .requiredOption('-f, --file <path>', 'a list of {id, name, enabled, trigger, action, fields}')
    .option('--comment <why>', 'kept with the version', '')
    .option('--expected-version <n>', 'refuse the save if the mappings changed since version n')
    .option('--dry-run', 'check them and print them, save nothing')
    .action(
      (
        workspace: string,
        destination: string,
        o: { file: string; comment: string; expectedVersion?: string; dryRun?: boolean },
      ) =>
        run(async (c, g) => {
          const d = await c.destinations.setDestinationMappings({
            workspace,
            destination,
            mappings: await mappingsFile(o.file),
            comment: o.comment,
            dryRun: o.dryRun ?? false,
            expectedVersion: o.expectedVersion === undefined ? undefined : Number(o.expectedVersion),
          });
          printMappings(io, d, g.json);
        }),
    );
  cmd
    .command('reset <workspace> <name>')
    .description("replace the mappings with the destination's presets")
    .option('--comment <why>', 'kept with the version', '')
    .option('--dry-run', 'print the presets, save nothing')
    .action((workspace: string, destination: string, o: { comment: string; dryRun?: boolean }) =>
      run(async (c, g) => {
        const d = await c.destinations.resetDestinationMappings({
          workspace,
          destination,
          comment: o.comment,
          dryRun: o.dryRun ?? false,
        });
        printMappings(io, d, g.json);
      }),
    );
  cmd
    .command('versions <workspace> <name>')
    .description('every saved version, newest first: who, when, why, what changed')
    .action((workspace: string, destination: string) =>
      run(async (c, g) => {
        const { versions } = await c.destinations.listDestinationMappingVersions({ workspace, destination });
        printTable(
          io,
          versions.map((v) => ({ ...v, changes: v.diff.join('; ') })),
          ['version', 'changedBy', 'changedAt', 'comment', 'changes'],
          g.json,
        );
      }),
    );
  cmd
    .command('rollback <workspace> <name> <version>')
    .description("make an earlier version's mappings current again (saved as a new version)")
    .option('--comment <why>', 'kept with the version', '')
    .action((workspace: string, destination: string, version: string, o: { comment: string }) =>
      run(async (c, g) => {
        const d = await c.destinations.rollbackDestinationMappings({
          workspace,
          destination,
          version: Number(version),
          comment: o.comment,
        });
        printDone(
          io,
          `mappings of ${destination} are version ${version}'s again, as version ${d.mappingsVersion}`,
          { version: d.mappingsVersion, mappings: d.mappings },
          g.json,
        );
      }),
    );
}
