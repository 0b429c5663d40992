import type { ControlPlaneClients, TrackingPlan } from '@manifold/proto';
import {
  DEFAULT_POLICIES,
  diffPlans,
  schemaChanges,
  type JsonSchema,
  type PlanChange,
  type PlanPolicies,
  type TrackingPlanRules,
} from '@manifold/tracking-plans';
import { planRules } from './check-tracking-plans';
import type { Step } from './plan';
import { removal } from './steps';
import type { SpecParts, TrackingPlanSpec } from './workspace-spec';
import type { WorkspaceState } from './workspace-state';

// The tracking-plan part of `manifold apply`: plans by name, each save a new version. Runs after
// the sources' steps, so a plan can hold sources the same file creates.

/** A saved plan's rules in the shape the file's are compared in (policies left out are `allow`). */
function savedRules(plan: TrackingPlan): TrackingPlanRules {
  const raw = plan.rules ?? {};
  const rules: TrackingPlanRules = {
    events: (raw['events'] ?? {}) as Record<string, JsonSchema>,
    policies: { ...DEFAULT_POLICIES, ...((raw['policies'] ?? {}) as Partial<PlanPolicies>) },
  };
  for (const key of ['identifyTraits', 'groupTraits', 'pageProperties'] as const) {
    if (raw[key] !== undefined) rules[key] = raw[key] as JsonSchema;
  }
  return rules;
}

const json = (value: unknown) => JSON.stringify(value);

/**
 * A plan's changes as lines under its step: an added event by name, a changed schema down to the
 * parts that changed (`~ events.Order Completed/properties/total/type: "number" -> "string"`).
 */
export function describePlanChanges(changes: readonly PlanChange[]): string[] {
  return changes.flatMap((c) => {
    if (c.change === 'added') return [`+ ${c.path}`];
    if (c.change === 'removed') return [`- ${c.path}`];
    return schemaChanges(c.before, c.after).map((s) => {
      const at = `${c.path}${s.pointer}`;
      if (s.change === 'added') return `+ ${at}: ${json(s.after)}`;
      if (s.change === 'removed') return `- ${at}`;
      return `~ ${at}: ${json(s.before)} -> ${json(s.after)}`;
    });
  });
}

const EMPTY_RULES: TrackingPlanRules = { events: {}, policies: DEFAULT_POLICIES };

/** The plan's source ids; a source created by this apply is looked up when the step runs. */
async function sourceIds(c: ControlPlaneClients, workspace: string, slugs: readonly string[], state: WorkspaceState) {
  return Promise.all(
    slugs.map(
      async (slug) =>
        state.sources.find((s) => s.slug === slug || s.id === slug)?.id ??
        (await c.sources.getSource({ workspace, source: slug })).id,
    ),
  );
}

function saveStep(
  workspace: string,
  i: number,
  want: TrackingPlanSpec,
  have: TrackingPlan | undefined,
  state: WorkspaceState,
  description: string,
): Step {
  return {
    description,
    path: ['trackingPlans', i],
    run: async (c) => {
      const saved = await c.trackingPlans.saveTrackingPlan({
        workspaceId: workspace,
        id: have?.id ?? '',
        name: want.name,
        sourceIds: await sourceIds(c, workspace, want.sources, state),
        rules: planRules(want),
      });
      return `tracking plan ${saved.name}: version ${saved.version}`;
    },
  };
}

/**
 * The steps that make the workspace's tracking plans match the file's: a new plan, or a new
 * version when its rules or sources differ (each change listed under the step). Plans the file
 * does not list are deleted with --prune (first: a source they release may be taken by a plan of
 * the file), and kept otherwise. Plans that release sources are saved before plans that take
 * sources, so a source can move from one plan to another in one apply.
 */
export function planTrackingPlans(workspace: string, parts: SpecParts, state: WorkspaceState, prune: boolean): Step[] {
  const releasing: Step[] = [];
  const taking: Step[] = [];
  const slugOf = new Map(state.sources.map((s) => [s.id, s.slug]));
  parts.trackingPlans.forEach((want, i) => {
    if (!want) return;
    const rules = planRules(want);
    const have = state.trackingPlans.find((p) => p.name === want.name.trim());
    if (!have) {
      const lines = describePlanChanges(diffPlans(EMPTY_RULES, rules));
      const sources = want.sources.length > 0 ? ` (sources: ${want.sources.join(', ')})` : '';
      const step = saveStep(
        workspace,
        i,
        want,
        undefined,
        state,
        [`+ create tracking plan ${want.name}${sources}`, ...lines.map((l) => `    ${l}`)].join('\n'),
      );
      (want.sources.length > 0 ? taking : releasing).push(step);
      return;
    }
    // Compared by slug: a file may name a source by its id too.
    const held = have.sourceIds.map((id) => slugOf.get(id) ?? id);
    const wanted = want.sources.map((s) => slugOf.get(s) ?? s);
    const added = wanted.filter((s) => !held.includes(s));
    const removed = held.filter((s) => !wanted.includes(s));
    const lines = [
      ...describePlanChanges(diffPlans(savedRules(have), rules)),
      ...added.map((s) => `+ source ${s}`),
      ...removed.map((s) => `- source ${s}`),
    ];
    if (lines.length === 0) return;
    const header = `~ update tracking plan ${want.name} (version ${have.version} -> ${have.version + 1})`;
    const step = saveStep(workspace, i, want, have, state, [header, ...lines.map((l) => `    ${l}`)].join('\n'));
    (added.length > 0 ? taking : releasing).push(step);
  });
  const listed = new Set(parts.trackingPlans.flatMap((p) => (p ? [p.name.trim()] : [])));
  const extra = state.trackingPlans
    .filter((p) => !listed.has(p.name))
    .map((p) =>
      removal(prune, `tracking plan ${p.name}`, (c) =>
        c.trackingPlans.deleteTrackingPlan({ workspaceId: workspace, id: p.id }),
      ),
    );
  return [...extra, ...releasing, ...taking];
}
