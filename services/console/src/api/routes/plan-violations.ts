import { z } from 'zod';
import type { ListPlanViolationsResponse } from '@manifold/proto';
import { GeneratedPlan, PlanViolations } from '../plan-violation-models';
import { defineRoute } from '../route';
import { workspaceParams } from './destinations';
import { planIn } from './tracking-plans';

const sourceParams = workspaceParams.extend({ source: z.string().describe('Source slug or id') });

const window = z.object({
  from: z.iso.datetime().optional().describe('Window start (RFC 3339); defaults to 24 hours before `to`'),
  to: z.iso.datetime().optional().describe('Window end (RFC 3339); defaults to now'),
});

function presentViolations(r: ListPlanViolationsResponse): z.input<typeof PlanViolations> {
  return {
    groups: r.groups.map((g) => ({
      ...g,
      hours: g.hours.map((h) => ({ hour: (h.hour ?? new Date(0)).toISOString(), count: h.count })),
      samples: g.samples.map((s) => ({ ...s, at: (s.at ?? new Date(0)).toISOString() })),
    })),
    total: r.total,
    from: (r.from ?? new Date(0)).toISOString(),
    to: (r.to ?? new Date(0)).toISOString(),
  };
}

const asDate = (time: string | undefined): Date | undefined => (time ? new Date(time) : undefined);

export const planViolationRoutes = [
  defineRoute({
    method: 'get',
    path: '/workspaces/:workspace/sources/:source/plan-violations',
    operationId: 'listSourcePlanViolations',
    summary:
      "A source's tracking-plan violations per event, rule and path: counts per hour, totals and the latest samples",
    tag: 'Tracking plans',
    access: 'read',
    params: sourceParams,
    query: window,
    response: PlanViolations,
    async handler({ controlPlane, email, workspace, params, query }) {
      return presentViolations(
        await controlPlane.trackingPlans.listPlanViolations(
          {
            workspace: workspace!.id,
            planId: '',
            sourceId: params.source,
            from: asDate(query.from),
            to: asDate(query.to),
          },
          { actor: email },
        ),
      );
    },
  }),
  defineRoute({
    method: 'get',
    path: '/workspaces/:workspace/tracking-plans/:plan/violations',
    operationId: 'listPlanViolations',
    summary:
      "A tracking plan's violations (every version, every connected source) per event, rule and path: counts per hour, totals and the latest samples",
    tag: 'Tracking plans',
    access: 'read',
    params: workspaceParams.extend({ plan: z.string().describe('Plan id') }),
    query: window,
    response: PlanViolations,
    async handler({ controlPlane, email, workspace, params, query }) {
      // An unknown plan answers 404, as a source's route does, not an empty list of violations.
      await planIn(controlPlane, workspace!, params.plan, 0, email);
      return presentViolations(
        await controlPlane.trackingPlans.listPlanViolations(
          {
            workspace: workspace!.id,
            planId: params.plan,
            sourceId: '',
            from: asDate(query.from),
            to: asDate(query.to),
          },
          { actor: email },
        ),
      );
    },
  }),
  defineRoute({
    method: 'get',
    path: '/workspaces/:workspace/sources/:source/generated-plan',
    operationId: 'generateTrackingPlan',
    summary:
      "A starting tracking plan from the property paths and types observed on a source's events in the last days (policies all allow; nothing saved)",
    tag: 'Tracking plans',
    access: 'read',
    params: sourceParams,
    query: z.object({ days: z.coerce.number().int().min(1).max(30).default(7) }),
    response: GeneratedPlan,
    async handler({ controlPlane, email, workspace, params, query }) {
      const generated = await controlPlane.trackingPlans.generateTrackingPlan(
        { workspace: workspace!.id, source: params.source, days: query.days },
        { actor: email },
      );
      return { ...generated, rules: generated.rules ?? {} };
    },
  }),
];
