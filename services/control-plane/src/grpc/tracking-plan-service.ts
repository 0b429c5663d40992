import type { TrackingPlanServiceServer } from '@manifold/proto';
import type { TrackingPlans } from '../domain/tracking-plans';
import { unary, type HandlerDeps } from './call-handler';

export function trackingPlanService(plans: TrackingPlans, deps: HandlerDeps): TrackingPlanServiceServer {
  return {
    saveTrackingPlan: unary('SaveTrackingPlan', deps, (req, ctx) => plans.save(req, ctx)),
    getTrackingPlan: unary('GetTrackingPlan', deps, (req) => plans.get(req.id, req.version)),
    listTrackingPlans: unary('ListTrackingPlans', deps, async (req) => ({ plans: await plans.list(req.workspaceId) })),
    diffTrackingPlan: unary('DiffTrackingPlan', deps, (req) => plans.diff(req)),
  };
}
