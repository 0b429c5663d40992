import { status, type ServiceError } from '@grpc/grpc-js';
import type { ControlPlaneClients, Destination, Source, Workspace } from '@manifold/proto';
import { CliError } from '../connection';
import type { PathSegment } from './load-spec';
import type { WorkspaceSpec } from './workspace-spec';

/** One change apply would make; `path` says which part of the file asked for it. */
export interface Step {
  description: string;
  path: PathSegment[];
  run(c: ControlPlaneClients): Promise<unknown>;
}

const isNotFound = (e: unknown) => (e as Partial<ServiceError>).code === status.NOT_FOUND;

async function currentWorkspace(c: ControlPlaneClients, slug: string): Promise<Workspace | undefined> {
  try {
    return await c.workspaces.getWorkspace({ workspace: slug });
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

const sameMembers = (a: Workspace['members'], b: Workspace['members']) =>
  JSON.stringify([...a].sort((x, y) => x.email.localeCompare(y.email))) ===
  JSON.stringify([...b].sort((x, y) => x.email.localeCompare(y.email)));

/**
 * Compares the file with the control plane and lists the steps that make them match.
 * Secret settings are compared on the server (a dry-run update), so an unchanged secret is
 * not a change and a second apply has nothing to do.
 */
export async function planApply(c: ControlPlaneClients, spec: WorkspaceSpec, prune: boolean): Promise<Step[]> {
  const steps: Step[] = [];
  const ws = spec.workspace;
  const existing = await currentWorkspace(c, ws.slug);
  const members = [{ email: ws.owner, role: 'owner' }, ...ws.members.filter((m) => m.email !== ws.owner)];
  if (!existing) {
    steps.push({
      description: `+ create workspace ${ws.slug}`,
      path: ['workspace'],
      run: () => c.workspaces.createWorkspace({ slug: ws.slug, name: ws.name, ownerEmail: ws.owner, members }),
    });
  } else if (existing.name !== ws.name || existing.ownerEmail !== ws.owner || !sameMembers(existing.members, members)) {
    steps.push({
      description: `~ update workspace ${ws.slug}`,
      path: ['workspace'],
      run: () =>
        c.workspaces.updateWorkspace({
          workspace: ws.slug,
          name: ws.name,
          ownerEmail: ws.owner,
          updateMembers: true,
          members,
        }),
    });
  }

  const sources: Source[] = existing
    ? (await c.sources.listSources({ workspace: ws.slug, page: { pageSize: 500 } })).sources
    : [];
  const destinations: Destination[] = existing
    ? (await c.destinations.listDestinations({ workspace: ws.slug, page: { pageSize: 500 } })).destinations
    : [];
  const sourceSlugById = new Map(sources.map((s) => [s.id, s.slug]));

  spec.sources.forEach((want, i) => {
    const have = sources.find((s) => s.slug === want.slug);
    if (!have) {
      steps.push({
        description: `+ create source ${want.slug}`,
        path: ['sources', i],
        run: () => c.sources.createSource({ workspace: ws.slug, ...want }),
      });
      return;
    }
    if (have.type !== want.type) {
      throw new CliError(
        `sources[${i}] ${want.slug}: type is ${have.type} and cannot change to ${want.type}; create a new source`,
      );
    }
    const changes = (['name', 'environment', 'category', 'enabled'] as const).filter((k) => have[k] !== want[k]);
    if (changes.length > 0) {
      steps.push({
        description: `~ update source ${want.slug}: ${changes.join(', ')}`,
        path: ['sources', i],
        run: () =>
          c.sources.updateSource({
            workspace: ws.slug,
            source: want.slug,
            name: want.name,
            environment: want.environment,
            category: want.category,
            enabled: want.enabled,
            reason: 'manifold apply',
          }),
      });
    }
  });

  const wanted = [
    ...spec.destinations.map((d, i) => ({
      ...d,
      catalogId: d.catalog,
      interval: 0,
      path: ['destinations', i] as PathSegment[],
      kind: 'destination',
    })),
    ...spec.warehouses.map((w, i) => ({
      ...w,
      catalogId: w.kind,
      interval: w.interval,
      path: ['warehouses', i] as PathSegment[],
      kind: 'warehouse',
    })),
  ];
  for (const want of wanted) {
    const have = destinations.find((d) => d.name === want.name);
    if (!have) {
      steps.push({
        description: `+ create ${want.kind} ${want.name} (${want.catalogId})`,
        path: want.path,
        run: () =>
          c.destinations.createDestination({
            workspace: ws.slug,
            name: want.name,
            catalogId: want.catalogId,
            settings: want.settings,
            enabled: want.enabled,
            sources: want.sources,
            syncIntervalSeconds: want.interval,
          }),
      });
      continue;
    }
    if (have.catalogId !== want.catalogId) {
      throw new CliError(
        `${want.kind} ${want.name} is a ${have.catalogId} and cannot become a ${want.catalogId}; rename one of them`,
      );
    }
    const update = {
      workspace: ws.slug,
      destination: want.name,
      settings: want.settings,
      enabled: want.enabled,
      syncIntervalSeconds: want.kind === 'warehouse' ? want.interval : undefined,
      reason: 'manifold apply',
    };
    const preview = await c.destinations.updateDestination({ ...update, dryRun: true });
    if (preview.changedFields.length > 0) {
      steps.push({
        description: `~ update ${want.kind} ${want.name}: ${preview.changedFields.join(', ')}`,
        path: want.path,
        run: () => c.destinations.updateDestination(update),
      });
    }
    const connected = new Set(have.sourceIds.map((id) => sourceSlugById.get(id) ?? id));
    for (const slug of want.sources.filter((s) => !connected.has(s))) {
      steps.push({
        description: `+ connect ${slug} -> ${want.name}`,
        path: want.path,
        run: () => c.destinations.connectSource({ workspace: ws.slug, source: slug, destination: want.name }),
      });
    }
    for (const slug of [...connected].filter((s) => !want.sources.includes(s))) {
      steps.push({
        description: `- disconnect ${slug} -> ${want.name}`,
        path: want.path,
        run: () => c.destinations.disconnectSource({ workspace: ws.slug, source: slug, destination: want.name }),
      });
    }
  }

  const extraDestinations = destinations.filter((d) => !wanted.some((w) => w.name === d.name));
  const extraSources = sources.filter((s) => !spec.sources.some((w) => w.slug === s.slug));
  for (const d of extraDestinations) {
    steps.push(
      prune
        ? {
            description: `- delete ${d.warehouse ? 'warehouse' : 'destination'} ${d.name}`,
            path: [],
            run: () => c.destinations.deleteDestination({ workspace: ws.slug, destination: d.id }),
          }
        : {
            description: `  (not in the file, kept: ${d.warehouse ? 'warehouse' : 'destination'} ${d.name}; --prune deletes it)`,
            path: [],
            run: async () => undefined,
          },
    );
  }
  for (const s of extraSources) {
    steps.push(
      prune
        ? {
            description: `- delete source ${s.slug}`,
            path: [],
            run: () => c.sources.deleteSource({ workspace: ws.slug, source: s.id }),
          }
        : {
            description: `  (not in the file, kept: source ${s.slug}; --prune deletes it)`,
            path: [],
            run: async () => undefined,
          },
    );
  }
  return steps;
}

/** Steps that change something (the "kept" notes change nothing). */
export const isChange = (step: Step) => !step.description.startsWith('  ');
