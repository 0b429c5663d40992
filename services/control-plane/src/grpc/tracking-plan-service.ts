import type { TrackingPlanServiceServer } from '@manifold/proto';
import type { PlanInsights } from '../domain/plan-insights';
import type { TrackingPlans } from '../domain/tracking-plans';
import { unary, type HandlerDeps } from './call-handler';

export function trackingPlanService(
  plans: TrackingPlans,
  insights: PlanInsights,
  deps: HandlerDeps,
): TrackingPlanServiceServer {
  return {
    saveTrackingPlan: unary('SaveTrackingPlan', deps, (req, ctx) => plans.save(req, ctx)),
    getTrackingPlan: unary('GetTrackingPlan', deps, (req) => plans.get(req.id, req.version)),
    listTrackingPlans: unary('ListTrackingPlans', deps, async (req) => ({ plans: await plans.list(req.workspaceId) })),
    diffTrackingPlan: unary('DiffTrackingPlan', deps, (req) => plans.diff(req)),
    listPlanViolations: unary('ListPlanViolations', deps, (req, ctx) => insights.listViolations(req, ctx)),
    generateTrackingPlan: unary('GenerateTrackingPlan', deps, (req, ctx) => insights.generate(req, ctx)),
  };
}
