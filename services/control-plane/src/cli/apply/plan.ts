import { status, type ServiceError } from '@grpc/grpc-js';
import { isReverseEtlMapping } from '@manifold/destination-kit';
import { fieldViolations, type ControlPlaneClients, type DestinationMapping, type Workspace } from '@manifold/proto';
import { wantedDestinations, type WantedDestination } from './check-spec';
import { pathOfField, type PathSegment, type Problem } from './load-spec';
import { planModels } from './plan-models';
import { planTrackingPlans } from './plan-tracking-plans';
import { done, removal } from './steps';
import type { SourceSpec, SpecParts, WorkspaceSpec } from './workspace-spec';
import type { WorkspaceState } from './workspace-state';

/** One change apply would make; `path` says which part of the file asked for it. */
export interface Step {
  description: string;
  path: PathSegment[];
  /** Makes the change; may return a line to print once it is made (a new source's write key). */
  run(c: ControlPlaneClients): Promise<string | undefined>;
}

export interface Plan {
  steps: Step[];
  /** What the control plane would refuse, found while planning. */
  problems: Problem[];
}

const sameMembers = (a: Workspace['members'], b: Workspace['members']) =>
  JSON.stringify([...a].sort((x, y) => x.email.localeCompare(y.email))) ===
  JSON.stringify([...b].sort((x, y) => x.email.localeCompare(y.email)));

/** Mappings compared on what a user writes, in order. */
const mappingsText = (mappings: readonly DestinationMapping[]) =>
  JSON.stringify(mappings.map((m) => [m.id, m.name, m.enabled, m.trigger, m.action, m.fields ?? {}]));

const setMappings = (
  c: ControlPlaneClients,
  workspace: string,
  want: WantedDestination,
  kept: readonly DestinationMapping[] = [],
) =>
  c.destinations.setDestinationMappings({
    workspace,
    destination: want.name,
    mappings: [...(want.mappings ?? []), ...kept],
    comment: 'manifold apply',
    dryRun: false,
  });

/** The control plane's request field names, as the file names them. */
const FILE_FIELDS: Record<string, string> = {
  sync_interval_seconds: 'interval',
  'webhook.signing_secret': 'webhook.signingSecret',
};

/**
 * What an update would change, asked of the server (a dry run: secrets are compared there), or
 * what it refuses, each at its place in the file under `base`.
 */
async function changedOnServer(
  dryRun: () => Promise<{ changedFields: string[] }>,
  base: PathSegment[],
): Promise<{ fields: string[] } | { problems: Problem[] }> {
  try {
    return { fields: (await dryRun()).changedFields };
  } catch (error) {
    if ((error as Partial<ServiceError>).code !== status.INVALID_ARGUMENT) throw error;
    return {
      problems: fieldViolations(error).map(({ field, message }) => ({
        path: [...base, ...pathOfField(FILE_FIELDS[field] ?? field)],
        message,
      })),
    };
  }
}

/** A webhook source's settings as the control plane takes them; a secret the file leaves out is kept. */
const webhookOf = (want: SourceSpec, secret: string | undefined) =>
  want.webhook
    ? {
        webhook: {
          kind: want.webhook.kind,
          ...(secret !== undefined ? { signingSecret: secret } : {}),
          ...(want.webhook.mapping ? { mapping: want.webhook.mapping as Record<string, unknown> } : {}),
        },
      }
    : {};

/**
 * Compares the file with the control plane and lists the steps that make them match. Secret
 * settings are compared on the server (a dry-run update), so an unchanged secret is not a change
 * and a second apply has nothing to do; that dry run also reports settings the server refuses.
 */
export async function planApply(
  c: ControlPlaneClients,
  ws: WorkspaceSpec['workspace'],
  parts: SpecParts,
  state: WorkspaceState,
  prune: boolean,
  /** Webhook sources' signing secrets, by index in the file (signing-secrets.ts). */
  secrets: ReadonlyMap<number, string> = new Map(),
): Promise<Plan> {
  const steps: Step[] = [];
  const problems: Problem[] = [];
  const existing = state.workspace;
  const members = [{ email: ws.owner, role: 'owner' }, ...ws.members.filter((m) => m.email !== ws.owner)];
  if (!existing) {
    steps.push({
      description: `+ create workspace ${ws.slug}`,
      path: ['workspace'],
      run: () => done(c.workspaces.createWorkspace({ slug: ws.slug, name: ws.name, ownerEmail: ws.owner, members })),
    });
  } else if (existing.name !== ws.name || existing.ownerEmail !== ws.owner || !sameMembers(existing.members, members)) {
    steps.push({
      description: `~ update workspace ${ws.slug}`,
      path: ['workspace'],
      run: () =>
        done(
          c.workspaces.updateWorkspace({
            workspace: ws.slug,
            name: ws.name,
            ownerEmail: ws.owner,
            updateMembers: true,
            members,
          }),
        ),
    });
  }

  const { sources, destinations } = state;
  const sourceSlugById = new Map(sources.map((s) => [s.id, s.slug]));
  const modelIds = new Set(state.models.map((m) => m.model.id));

  for (const [i, want] of parts.sources.entries()) {
    if (!want) continue;
    const { webhook: _webhook, ...fields } = want;
    const webhook = webhookOf(want, secrets.get(i));
    const have = sources.find((s) => s.slug === want.slug);
    if (!have) {
      steps.push({
        description: `+ create source ${want.slug}${want.webhook ? ` (webhook ${want.webhook.kind})` : ''}`,
        path: ['sources', i],
        run: async () => {
          const created = await c.sources.createSource({ workspace: ws.slug, ...fields, ...webhook });
          return `source ${want.slug} write key: ${created.writeKeys[0]?.key ?? '(none)'}`;
        },
      });
      continue;
    }
    if (have.type !== want.type) {
      problems.push({
        path: ['sources', i, 'type'],
        message: `source ${want.slug} is of type ${have.type} and cannot change to ${want.type}; create a new source`,
      });
      continue;
    }
    // Compared on the server (a dry run), so an unchanged signing secret is not a change.
    const update = {
      workspace: ws.slug,
      source: want.slug,
      name: want.name,
      environment: want.environment,
      category: want.category,
      enabled: want.enabled,
      reason: 'manifold apply',
      ...webhook,
    };
    const changed = await changedOnServer(() => c.sources.updateSource({ ...update, dryRun: true }), ['sources', i]);
    if ('problems' in changed) problems.push(...changed.problems);
    else if (changed.fields.length > 0) {
      steps.push({
        description: `~ update source ${want.slug}: ${changed.fields.join(', ')}`,
        path: ['sources', i],
        run: () => done(c.sources.updateSource(update)),
      });
    }
  }

  const wanted = wantedDestinations(parts);
  for (const want of wanted) {
    const have = destinations.find((d) => d.name === want.name);
    if (!have) {
      steps.push({
        description: `+ create ${want.kind} ${want.name} (${want.catalogId})`,
        path: want.path,
        run: async () => {
          await c.destinations.createDestination({
            workspace: ws.slug,
            name: want.name,
            catalogId: want.catalogId,
            settings: want.settings,
            enabled: want.enabled,
            sources: want.sources,
            syncIntervalSeconds: want.interval,
          });
          // Created with the presets; the file's mappings become its second version.
          if (want.mappings) await setMappings(c, ws.slug, want);
          return undefined;
        },
      });
      continue;
    }
    if (have.catalogId !== want.catalogId) {
      problems.push({
        path: [...want.path, want.kind === 'warehouse' ? 'kind' : 'catalog'],
        message: `${want.kind} ${want.name} is a ${have.catalogId} and cannot become a ${want.catalogId}; rename one of them`,
      });
      continue;
    }
    const update = {
      workspace: ws.slug,
      destination: want.name,
      settings: want.settings,
      enabled: want.enabled,
      syncIntervalSeconds: want.kind === 'warehouse' ? want.interval : undefined,
      reason: 'manifold apply',
    };
    const changed = await changedOnServer(
      () => c.destinations.updateDestination({ ...update, dryRun: true }),
      want.path,
    );
    if ('problems' in changed) problems.push(...changed.problems);
    else if (changed.fields.length > 0) {
      steps.push({
        description: `~ update ${want.kind} ${want.name}: ${changed.fields.join(', ')}`,
        path: want.path,
        run: () => done(c.destinations.updateDestination(update)),
      });
    }
    // A Reverse ETL connection's mapping (`retl-<id>`) belongs to its connection, which the file's
    // models declare: a destination's mappings in the file leave those alone.
    const connectionMappings = have.mappings.filter(isReverseEtlMapping);
    const ownMappings = have.mappings.filter((m) => !isReverseEtlMapping(m));
    if (want.mappings && mappingsText(ownMappings) !== mappingsText(want.mappings)) {
      steps.push({
        description: `~ update mappings of ${want.name} (${want.mappings.length})`,
        path: [...want.path, 'mappings'],
        run: () => done(setMappings(c, ws.slug, want, connectionMappings)),
      });
    }
    // A model connected to the destination is one of its sources too; the file's models declare those.
    const connected = new Set(
      have.sourceIds.filter((id) => !modelIds.has(id)).map((id) => sourceSlugById.get(id) ?? id),
    );
    for (const slug of want.sources.filter((s) => !connected.has(s))) {
      steps.push({
        description: `+ connect ${slug} -> ${want.name}`,
        path: want.path,
        run: () => done(c.destinations.connectSource({ workspace: ws.slug, source: slug, destination: want.name })),
      });
    }
    for (const slug of [...connected].filter((s) => !want.sources.includes(s))) {
      steps.push({
        description: `- disconnect ${slug} -> ${want.name}`,
        path: want.path,
        run: () => done(c.destinations.disconnectSource({ workspace: ws.slug, source: slug, destination: want.name })),
      });
    }
  }

  const listedSlugs = new Set(parts.sources.flatMap((s) => (s ? [s.slug] : [])));
  const extraDestinations = destinations.filter((d) => !wanted.some((w) => w.name === d.name));
  const extraSources = sources.filter((s) => !listedSlugs.has(s.slug));
  for (const d of extraDestinations) {
    const what = `${d.warehouse ? 'warehouse' : 'destination'} ${d.name}`;
    steps.push(
      removal(prune, what, (c) => c.destinations.deleteDestination({ workspace: ws.slug, destination: d.id })),
    );
  }
  for (const s of extraSources) {
    steps.push(removal(prune, `source ${s.slug}`, (c) => c.sources.deleteSource({ workspace: ws.slug, source: s.id })));
  }
  // Models after the destinations: a model may use a warehouse and destinations created above.
  const models = planModels(ws.slug, parts, state, prune);
  // Tracking plans last: a plan holds sources by id, and those the file creates exist by then.
  const plans = planTrackingPlans(ws.slug, parts, state, prune);
  return { steps: [...steps, ...models.steps, ...plans], problems: [...problems, ...models.problems] };
}

/** Steps that change something (the "kept" notes change nothing). */
export const isChange = (step: Step) => !step.description.startsWith('  ');
