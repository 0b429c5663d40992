import type { TrackingPlanServiceServer } from '@manifold/proto';
import type { PlanInsights } from '../domain/plan-insights';
import type { TrackingPlans } from '../domain/tracking-plans';
import type { Operations } from '../operations/start-operations';
import { unary, type HandlerDeps } from './call-handler';
import { needed } from './operations-services';

export function trackingPlanService(
  plans: TrackingPlans,
  insights: PlanInsights,
  operations: Operations | undefined,
  deps: HandlerDeps,
): TrackingPlanServiceServer {
  return {
    saveTrackingPlan: unary('SaveTrackingPlan', deps, (req, ctx) => plans.save(req, ctx)),
    getTrackingPlan: unary('GetTrackingPlan', deps, (req) => plans.get(req.id, req.version)),
    listTrackingPlans: unary('ListTrackingPlans', deps, async (req) => ({ plans: await plans.list(req.workspaceId) })),
    diffTrackingPlan: unary('DiffTrackingPlan', deps, (req) => plans.diff(req)),
    deleteTrackingPlan: unary('DeleteTrackingPlan', deps, (req) => plans.delete(req)),
    // Quarantine replays read and write the data plane's Kafka (operations/quarantine).
    startQuarantineReplay: unary('StartQuarantineReplay', deps, (req, ctx) =>
      needed(operations).quarantineReplays.start(req, ctx),
    ),
    getQuarantineReplay: unary('GetQuarantineReplay', deps, (req) =>
      needed(operations).quarantineReplays.get(req.workspace, req.id),
    ),
    listQuarantineReplays: unary('ListQuarantineReplays', deps, (req) =>
      needed(operations).quarantineReplays.list(req),
    ),
    cancelQuarantineReplay: unary('CancelQuarantineReplay', deps, (req, ctx) =>
      needed(operations).quarantineReplays.cancel(req.workspace, req.id, ctx),
    ),
    listPlanViolations: unary('ListPlanViolations', deps, (req, ctx) => insights.listViolations(req, ctx)),
    generateTrackingPlan: unary('GenerateTrackingPlan', deps, (req, ctx) => insights.generate(req, ctx)),
  };
}
