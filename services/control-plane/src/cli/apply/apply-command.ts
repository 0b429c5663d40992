import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { CliError } from '../connection';
import { describeError, type Io } from '../output';
import type { Runner } from '../program';
import { catalogFrom, checkSpec } from './check-spec';
import { formatPath, loadSpec } from './load-spec';
import { isChange, planApply, type Step } from './plan';
import { readSigningSecrets } from './signing-secrets';
import { emptyState, readWorkspaceState } from './workspace-state';

export function applyCommand(program: Command, run: Runner, io: Io): void {
  program
    .command('apply')
    .description('make a workspace match a YAML file (idempotent); checks the whole file first')
    .requiredOption('-f, --file <path>', 'workspace file')
    .option('--dry-run', 'check the file and print what would change, change nothing')
    .option(
      '--prune',
      'delete sources, destinations, models, connections and tracking plans that the file does not list',
    )
    .action((o: { file: string; dryRun?: boolean; prune?: boolean }) =>
      run(async (c) => {
        let text: string;
        try {
          text = await readFile(o.file, 'utf8');
        } catch {
          throw new CliError(`cannot read ${o.file}`);
        }
        const prune = o.prune ?? false;
        const { spec, parts, problems, locate } = loadSpec(text, o.file, process.env);
        const catalog = catalogFrom((await c.catalog.listCatalog({ search: '', category: '' })).entries);
        const state = parts.workspace ? await readWorkspaceState(c, parts.workspace.slug) : emptyState();
        problems.push(...checkSpec(parts, catalog, state, prune));
        const signing = await readSigningSecrets(parts, o.file);
        problems.push(...signing.problems);
        const plan = parts.workspace
          ? await planApply(c, parts.workspace, parts, state, prune, signing.secrets)
          : undefined;
        problems.push(...(plan?.problems ?? []));
        if (problems.length > 0 || !spec || !plan) {
          throw new CliError(
            `${locate.report(problems)}\n${problems.length} problem(s) in ${o.file}; nothing was changed`,
          );
        }

        const changes = plan.steps.filter(isChange);
        for (const step of plan.steps) io.stdout(`${step.description}\n`);
        if (changes.length === 0) {
          io.stdout(`no changes: workspace ${spec.workspace.slug} matches ${o.file}\n`);
          return;
        }
        if (o.dryRun) {
          io.stdout(`dry run: ${changes.length} change(s) not applied\n`);
          return;
        }
        const applied: Step[] = [];
        for (const step of changes) {
          try {
            const note = await step.run(c);
            if (note) io.stdout(`${note}\n`);
            applied.push(step);
          } catch (error) {
            throw new CliError(interrupted(step, error, applied, changes.length, (path) => locate.at(path)));
          }
        }
        io.stdout(`applied ${changes.length} change(s) to workspace ${spec.workspace.slug}\n`);
      }),
    );
}

/** What failed, where the file asked for it, and what had already been changed. */
function interrupted(
  step: Step,
  error: unknown,
  applied: readonly Step[],
  total: number,
  at: (path: Step['path']) => string,
): string {
  const message = describeError(error)
    .replace(/^invalid input:\n/, '')
    .replace(/^ {2}/gm, '');
  const where = step.path.length > 0 ? `${at(step.path)}: ${formatPath(step.path)}: ` : '';
  const made =
    applied.length === 0
      ? 'nothing was changed before it'
      : [
          `${applied.length} of ${total} change(s) were made before it:`,
          ...applied.map((s) => `  ${s.description}`),
        ].join('\n');
  return `${where}${step.description.slice(2)} failed:\n${message}\n${made}`;
}
