// Tracking plans' control-plane messages as the Public API's JSON.
import type * as proto from '@manifold/proto';
import type { z } from 'zod';
import { fromMessage } from './from-message';
import * as models from './tracking-plan-models';

export function presentTrackingPlan(p: proto.TrackingPlan): z.input<typeof models.TrackingPlan> {
  return fromMessage(models.TrackingPlan, p);
}

export function presentPlanVersion(p: proto.TrackingPlan): z.input<typeof models.TrackingPlanVersion> {
  const events = (p.rules?.['events'] ?? {}) as Record<string, unknown>;
  return {
    version: p.version,
    name: p.name,
    sourceIds: p.sourceIds,
    eventCount: Object.keys(events).length,
    savedAt: p.savedAt?.toISOString() ?? null,
  };
}

export function presentPlanChange(c: proto.TrackingPlanChange): z.input<typeof models.PlanChange> {
  return { path: c.path, change: c.change as 'added' | 'removed' | 'changed', before: c.before, after: c.after };
}
