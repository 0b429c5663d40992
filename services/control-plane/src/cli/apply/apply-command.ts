import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { CliError } from '../connection';
import { describeError, type Io } from '../output';
import type { Runner } from '../program';
import { formatPath, loadSpec } from './load-spec';
import { isChange, planApply } from './plan';

export function applyCommand(program: Command, run: Runner, io: Io): void {
  program
    .command('apply')
    .description('make a workspace match a YAML file (idempotent)')
    .requiredOption('-f, --file <path>', 'workspace file')
    .option('--dry-run', 'print what would change, change nothing')
    .option('--prune', 'delete sources and destinations that the file does not list')
    .action((o: { file: string; dryRun?: boolean; prune?: boolean }) =>
      run(async (c) => {
        let text: string;
        try {
          text = await readFile(o.file, 'utf8');
        } catch {
          throw new CliError(`cannot read ${o.file}`);
        }
        const { spec, locate } = loadSpec(text, o.file, process.env);
        const steps = await planApply(c, spec, o.prune ?? false);
        const changes = steps.filter(isChange);
        for (const step of steps) io.stdout(`${step.description}\n`);
        if (changes.length === 0) {
          io.stdout(`no changes: workspace ${spec.workspace.slug} matches ${o.file}\n`);
          return;
        }
        if (o.dryRun) {
          io.stdout(`dry run: ${changes.length} change(s) not applied\n`);
          return;
        }
        for (const step of changes) {
          try {
            await step.run(c);
          } catch (error) {
            // Point at the part of the file that asked for this change.
            const message = describeError(error)
              .replace(/^invalid input:\n/, '')
              .replace(/^ {2}/gm, '');
            const at = step.path.length > 0 ? `${locate.at(step.path)}: ${formatPath(step.path)}: ` : '';
            throw new CliError(`${at}${step.description.slice(2)} failed:\n${message}`);
          }
        }
        io.stdout(`applied ${changes.length} change(s) to workspace ${spec.workspace.slug}\n`);
      }),
    );
}
