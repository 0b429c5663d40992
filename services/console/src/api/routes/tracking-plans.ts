import { z } from 'zod';
import type { TrackingPlan as PlanMessage, Workspace } from '@manifold/proto';
import { checkPlanRules, diffPlans, type TrackingPlanRules } from '@manifold/tracking-plans';
import type { ControlPlane } from '../../control-plane/clients';
import { HttpError, notFound } from '../../server/http-error';
import { presentPlanChange, presentPlanVersion, presentTrackingPlan } from '../present-tracking-plans';
import { defineRoute } from '../route';
import { PlanChange, PlanPreview, PlanRules, TrackingPlan, TrackingPlanVersion } from '../tracking-plan-models';
import { workspaceParams } from './destinations';

// Tracking plans: each save (an edit, a restore, a source connected or disconnected) is a new
// version in the control plane, which compiles every schema and refuses problems with their paths
// (rules.events.<name>/properties/...). The console adds what a user needs around that: a draft's
// preview (diff and problems, nothing saved), versions, restore and a starting plan from events.

const TAG = 'Tracking plans';
const planParams = workspaceParams.extend({ plan: z.string().describe('Tracking plan id') });
/** Versions listed at most (newest first). */
const VERSIONS_LISTED = 100;

/** A version of a plan (0: the latest), answered 404 like a missing one when it is another workspace's. */
export async function planIn(
  controlPlane: ControlPlane,
  workspace: Workspace,
  id: string,
  version: number,
  actor: string,
): Promise<PlanMessage> {
  const plan = await controlPlane.trackingPlans.getTrackingPlan({ id, version }, { actor });
  if (plan.workspaceId !== workspace.id) throw notFound('tracking plan');
  return plan;
}

/** A source of the workspace (id or name) as its id; an unknown one answers 404. */
async function sourceIdOf(controlPlane: ControlPlane, workspace: Workspace, source: string, actor: string) {
  return (await controlPlane.sources.getSource({ workspace: workspace.id, source }, { actor })).id;
}

/** The next version of a plan: what `change` makes of the latest one. */
async function saveNext(
  controlPlane: ControlPlane,
  workspace: Workspace,
  latest: PlanMessage,
  change: { name?: string | undefined; sourceIds?: string[]; rules?: Record<string, unknown> },
  actor: string,
) {
  return presentTrackingPlan(
    await controlPlane.trackingPlans.saveTrackingPlan(
      {
        workspaceId: workspace.id,
        id: latest.id,
        name: change.name ?? latest.name,
        sourceIds: change.sourceIds ?? latest.sourceIds,
        rules: change.rules ?? latest.rules ?? {},
      },
      { actor },
    ),
  );
}

const saveFields = {
  name: z.string().min(1).max(200),
  rules: PlanRules,
};

export const trackingPlanRoutes = [
  defineRoute({
    method: 'get',
    path: '/workspaces/:workspace/tracking-plans',
    operationId: 'listTrackingPlans',
    summary: 'The tracking plans of a workspace, each at its latest version, by name',
    tag: TAG,
    access: 'read',
    params: workspaceParams,
    response: z.object({ plans: z.array(TrackingPlan) }),
    async handler({ controlPlane, email, workspace }) {
      const { plans } = await controlPlane.trackingPlans.listTrackingPlans(
        { workspaceId: workspace!.id },
        { actor: email },
      );
      return { plans: plans.map(presentTrackingPlan) };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/workspaces/:workspace/tracking-plans',
    operationId: 'createTrackingPlan',
    summary: 'Create a plan (version 1); refused schemas answer 400 with each problem on its path',
    tag: TAG,
    access: 'write',
    status: 201,
    params: workspaceParams,
    body: z.object({
      ...saveFields,
      sources: z.array(z.string().min(1).max(200)).default([]).describe('Source ids or names held to the plan'),
    }),
    response: TrackingPlan,
    async handler({ controlPlane, email, workspace, body }) {
      const sourceIds = await Promise.all(body.sources.map((s) => sourceIdOf(controlPlane, workspace!, s, email)));
      return presentTrackingPlan(
        await controlPlane.trackingPlans.saveTrackingPlan(
          { workspaceId: workspace!.id, id: '', name: body.name, sourceIds, rules: body.rules },
          { actor: email },
        ),
      );
    },
  }),
  defineRoute({
    method: 'get',
    path: '/workspaces/:workspace/tracking-plans/:plan',
    operationId: 'getTrackingPlan',
    summary: 'A plan at one version (default: the latest)',
    tag: TAG,
    access: 'read',
    params: planParams,
    query: z.object({ version: z.coerce.number().int().min(0).default(0).describe('0 or left out: the latest') }),
    response: TrackingPlan,
    async handler({ controlPlane, email, workspace, params, query }) {
      return presentTrackingPlan(await planIn(controlPlane, workspace!, params.plan, query.version, email));
    },
  }),
  defineRoute({
    method: 'delete',
    path: '/workspaces/:workspace/tracking-plans/:plan',
    operationId: 'deleteTrackingPlan',
    summary:
      'Delete a plan and all its versions: its sources are held to no plan from then on (what it quarantined stays, for a quarantine replay)',
    tag: TAG,
    access: 'write',
    params: planParams,
    response: z.object({ releasedSourceIds: z.array(z.string()).describe('The sources the plan held') }),
    async handler({ controlPlane, email, workspace, params }) {
      const { releasedSourceIds } = await controlPlane.trackingPlans.deleteTrackingPlan(
        { workspaceId: workspace!.id, id: params.plan },
        { actor: email },
      );
      return { releasedSourceIds };
    },
  }),
  defineRoute({
    method: 'put',
    path: '/workspaces/:workspace/tracking-plans/:plan',
    operationId: 'saveTrackingPlan',
    summary:
      'Save a new version (its sources stay); with expectedVersion, refused with 409 when someone saved since. ' +
      'Refused schemas answer 400 with each problem on its path',
    tag: TAG,
    access: 'write',
    params: planParams,
    body: z.object({
      name: saveFields.name.optional(),
      rules: PlanRules,
      expectedVersion: z.number().int().min(1).optional().describe('The version the edit started from'),
    }),
    response: TrackingPlan,
    async handler({ controlPlane, email, workspace, params, body }) {
      const latest = await planIn(controlPlane, workspace!, params.plan, 0, email);
      if (body.expectedVersion !== undefined && body.expectedVersion !== latest.version) {
        throw new HttpError(
          409,
          'conflict',
          `version ${latest.version} was saved since version ${body.expectedVersion}: reload the plan and edit it again`,
        );
      }
      return saveNext(controlPlane, workspace!, latest, { name: body.name, rules: body.rules }, email);
    },
  }),
  defineRoute({
    method: 'post',
    path: '/workspaces/:workspace/tracking-plans/:plan/preview',
    operationId: 'previewTrackingPlan',
    summary: "A draft's changes from the latest version and the problems a save would be refused for; nothing saved",
    tag: TAG,
    access: 'write',
    params: planParams,
    body: z.object({ rules: PlanRules }),
    response: PlanPreview,
    async handler({ controlPlane, email, workspace, params, body }) {
      const latest = await planIn(controlPlane, workspace!, params.plan, 0, email);
      const current = PlanRules.parse(latest.rules ?? {}) as TrackingPlanRules;
      const draft = body.rules as TrackingPlanRules;
      return {
        changes: diffPlans(current, draft),
        problems: checkPlanRules(draft).map((p) => ({ field: `rules.${p.path}`, message: p.message })),
        latestVersion: latest.version,
      };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/workspaces/:workspace/tracking-plans/:plan/versions',
    operationId: 'listTrackingPlanVersions',
    summary: `A plan's versions, newest first (at most ${VERSIONS_LISTED}): name, sources, planned events, when`,
    tag: TAG,
    access: 'read',
    params: planParams,
    response: z.object({ versions: z.array(TrackingPlanVersion) }),
    async handler({ controlPlane, email, workspace, params }) {
      const latest = await planIn(controlPlane, workspace!, params.plan, 0, email);
      // The control plane answers one version per call; a plan's versions are few and small.
      const older = Array.from(
        { length: Math.min(latest.version, VERSIONS_LISTED) - 1 },
        (_, i) => latest.version - 1 - i,
      );
      const versions = await Promise.all(
        older.map((v) => controlPlane.trackingPlans.getTrackingPlan({ id: latest.id, version: v }, { actor: email })),
      );
      return { versions: [latest, ...versions].map(presentPlanVersion) };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/workspaces/:workspace/tracking-plans/:plan/diff',
    operationId: 'diffTrackingPlan',
    summary: 'What changed from one version to another, path by path',
    tag: TAG,
    access: 'read',
    params: planParams,
    query: z.object({
      from: z.coerce.number().int().min(1),
      to: z.coerce.number().int().min(0).default(0).describe('0 or left out: the latest'),
    }),
    response: z.object({ changes: z.array(PlanChange) }),
    async handler({ controlPlane, email, workspace, params, query }) {
      await planIn(controlPlane, workspace!, params.plan, 0, email);
      const { changes } = await controlPlane.trackingPlans.diffTrackingPlan(
        { id: params.plan, fromVersion: query.from, toVersion: query.to },
        { actor: email },
      );
      return { changes: changes.map(presentPlanChange) };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/workspaces/:workspace/tracking-plans/:plan/restore',
    operationId: 'restoreTrackingPlan',
    summary: "Save an earlier version's rules as a new version (the plan's name and sources stay as they are)",
    tag: TAG,
    access: 'write',
    params: planParams,
    body: z.object({ version: z.number().int().min(1) }),
    response: TrackingPlan,
    async handler({ controlPlane, email, workspace, params, body }) {
      const latest = await planIn(controlPlane, workspace!, params.plan, 0, email);
      const earlier = await planIn(controlPlane, workspace!, params.plan, body.version, email);
      return saveNext(controlPlane, workspace!, latest, { rules: earlier.rules ?? {} }, email);
    },
  }),
  defineRoute({
    method: 'post',
    path: '/workspaces/:workspace/tracking-plans/:plan/sources',
    operationId: 'connectTrackingPlanSource',
    summary: "Hold a source's events to the plan (a new version); a source already held to another plan answers 400",
    tag: TAG,
    access: 'write',
    params: planParams,
    // Ids and names are short; a huge one was echoed into the control plane's error trailer, which gRPC refused (502).
    body: z.object({ source: z.string().min(1).max(200).describe('Source id or name') }),
    response: TrackingPlan,
    async handler({ controlPlane, email, workspace, params, body }) {
      const latest = await planIn(controlPlane, workspace!, params.plan, 0, email);
      const id = await sourceIdOf(controlPlane, workspace!, body.source, email);
      if (latest.sourceIds.includes(id)) return presentTrackingPlan(latest);
      return saveNext(controlPlane, workspace!, latest, { sourceIds: [...latest.sourceIds, id] }, email);
    },
  }),
  defineRoute({
    method: 'delete',
    path: '/workspaces/:workspace/tracking-plans/:plan/sources/:source',
    operationId: 'disconnectTrackingPlanSource',
    summary: "Stop holding a source's events to the plan (a new version)",
    tag: TAG,
    access: 'write',
    params: planParams.extend({ source: z.string().describe('Source id') }),
    response: TrackingPlan,
    async handler({ controlPlane, email, workspace, params }) {
      const latest = await planIn(controlPlane, workspace!, params.plan, 0, email);
      if (!latest.sourceIds.includes(params.source)) throw notFound(`source ${params.source} on this plan`);
      const sourceIds = latest.sourceIds.filter((id) => id !== params.source);
      return saveNext(controlPlane, workspace!, latest, { sourceIds }, email);
    },
  }),
];
