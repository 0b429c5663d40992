import type { Command } from 'commander';
import type { Workspace } from '@manifold/proto';
import { printDone, printRecord, printTable, type Io } from '../output';
import type { Runner } from '../program';

const row = (w: Workspace) => ({
  id: w.id,
  slug: w.slug,
  name: w.name,
  owner: w.ownerEmail,
  members: w.members.map((m) => ({ email: m.email, role: m.role })),
  auto_disable_exceptions: w.autoDisableExceptions,
  created_at: w.createdAt ?? null,
  created_by: w.createdBy,
});

export function workspaceCommands(program: Command, run: Runner, io: Io): void {
  const ws = program.command('workspaces').alias('workspace').description('create, list, update and delete workspaces');
  ws.command('create <slug>')
    .requiredOption('--name <name>', 'display name')
    .requiredOption('--owner <email>', 'owner email')
    .action((slug: string, o: { name: string; owner: string }) =>
      run(async (c, g) =>
        printRecord(io, row(await c.workspaces.createWorkspace({ slug, name: o.name, ownerEmail: o.owner })), g.json),
      ),
    );
  ws.command('list').action(() =>
    run(async (c, g) =>
      printTable(
        io,
        (await c.workspaces.listWorkspaces({ page: { pageSize: 500 } })).workspaces.map(row),
        ['slug', 'name', 'owner', 'id'],
        g.json,
      ),
    ),
  );
  ws.command('get <workspace>').action((workspace: string) =>
    run(async (c, g) => printRecord(io, row(await c.workspaces.getWorkspace({ workspace })), g.json)),
  );
  ws.command('update <workspace>')
    .option('--name <name>')
    .option('--owner <email>')
    .action((workspace: string, o: { name?: string; owner?: string }) =>
      run(async (c, g) =>
        printRecord(
          io,
          row(await c.workspaces.updateWorkspace({ workspace, name: o.name, ownerEmail: o.owner })),
          g.json,
        ),
      ),
    );
  ws.command('delete <workspace>').action((workspace: string) =>
    run(async (c, g) => {
      await c.workspaces.deleteWorkspace({ workspace });
      printDone(io, `deleted workspace ${workspace}`, { deleted: 'workspace', workspace }, g.json);
    }),
  );
  ws.command('exempt <workspace> <source>')
    .description('keep a source out of auto-disable (--remove to undo)')
    .option('--remove', 'take the source off the exception list')
    .action((workspace: string, source: string, o: { remove?: boolean }) =>
      run(async (c, g) => {
        await c.workspaces.setAutoDisableException({ workspace, source, exempt: !o.remove });
        printDone(
          io,
          `${o.remove ? 'removed' : 'added'} ${source} ${o.remove ? 'from' : 'to'} the auto-disable exception list`,
          { workspace, source, auto_disable_exempt: !o.remove },
          g.json,
        );
      }),
    );
}
