import type {
  GenerateTrackingPlanRequest,
  GenerateTrackingPlanResponse,
  ListPlanViolationsRequest,
  ListPlanViolationsResponse,
  PlanViolationGroup,
} from '@manifold/proto';
import { generatePlanRules } from '@manifold/tracking-plans';
import type { Store } from '../store/store';
import type { CallContext } from './context';
import { ControlPlaneError } from './errors';
import type { ObservedEvents } from './observed-events';
import { SAMPLES_PER_RULE, type PlanViolationCounts } from './plan-violation-counts';
import { resolveSource } from './sources';
import { resolveWorkspace } from './workspaces';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** Violations are kept this long; a longer window would only find nothing more. */
export const PLAN_REPORT_RETENTION_MS = 30 * DAY_MS;
const MAX_GENERATE_DAYS = 30;
/** Groups answered with their samples, the most violated first; the others come with counts only. */
const MAX_SAMPLED_GROUPS = 100;

/**
 * What ingestion reported of tracking plans, as the API serves it: violations per hour, event
 * and rule with samples, and starting plans generated from the observed shapes of events.
 */
export class PlanInsights {
  constructor(
    private readonly store: Store,
    private readonly violations: PlanViolationCounts,
    private readonly observed: ObservedEvents,
  ) {}

  async listViolations(req: ListPlanViolationsRequest, ctx: CallContext): Promise<ListPlanViolationsResponse> {
    const workspace = await resolveWorkspace(this.store, req.workspace);
    if (!req.planId === !req.sourceId) {
      throw ControlPlaneError.invalid([{ field: 'plan_id', message: 'give a plan_id or a source_id (one of them)' }]);
    }
    const to = req.to ?? ctx.now;
    const from = req.from ?? new Date(to.getTime() - DAY_MS);
    if (from.getTime() >= to.getTime()) {
      throw ControlPlaneError.invalid([{ field: 'from', message: 'must be before to' }]);
    }
    const scope = req.planId
      ? { workspaceId: workspace._id, planId: req.planId }
      : { workspaceId: workspace._id, sourceId: (await resolveSource(this.store, workspace, req.sourceId))._id };
    // Counts are filed under the hour they were reported in: the hour `from` falls in is included.
    const firstHour = new Date(Math.floor(from.getTime() / HOUR_MS) * HOUR_MS);
    const counts = await this.violations.counts.find({ ...scope, hour: { $gte: firstHour, $lte: to } }).toArray();
    const groups = new Map<string, PlanViolationGroup & { byHour: Map<number, number> }>();
    const keyOf = (d: { eventType: string; eventName: string; rule: string; path: string; outcome: string }) =>
      [d.eventType, d.eventName, d.rule, d.path, d.outcome].join('|');
    let total = 0;
    for (const doc of counts) {
      const key = keyOf(doc);
      let group = groups.get(key);
      if (!group) {
        const { eventType, eventName, rule, path, outcome } = doc;
        group = { eventType, eventName, rule, path, outcome, count: 0, hours: [], samples: [], byHour: new Map() };
        groups.set(key, group);
      }
      group.count += doc.count;
      total += doc.count;
      const hour = doc.hour.getTime();
      group.byHour.set(hour, (group.byHour.get(hour) ?? 0) + doc.count);
    }
    // Each group's own latest samples (one indexed query per group, the most violated first), so
    // a rule that breaks often cannot crowd the samples of the others out.
    const sampled = [...groups.values()].sort((a, b) => b.count - a.count).slice(0, MAX_SAMPLED_GROUPS);
    for (const group of sampled) {
      const { eventType, eventName, rule, path, outcome } = group;
      // A group without a path (an unplanned event, or counted past ingestion's bound) takes its
      // samples whatever their path.
      const samples = await this.violations.samples
        .find({
          ...scope,
          eventType,
          eventName,
          rule,
          outcome,
          ...(path ? { path } : {}),
          at: { $gte: from, $lte: to },
        })
        .sort({ at: -1 })
        .limit(SAMPLES_PER_RULE)
        .toArray();
      group.samples = samples.map((sample) => ({
        messageId: sample.messageId,
        path: sample.path,
        message: sample.message,
        value: sample.value ?? '',
        at: sample.at,
        sourceId: sample.sourceId,
        planVersion: sample.planVersion,
      }));
    }
    const listed = [...groups.values()]
      .map(({ byHour, ...group }) => ({
        ...group,
        hours: [...byHour].sort(([a], [b]) => a - b).map(([hour, count]) => ({ hour: new Date(hour), count })),
      }))
      .sort((a, b) => b.count - a.count || keyOf(a).localeCompare(keyOf(b)));
    return { groups: listed, total, from, to };
  }

  async generate(req: GenerateTrackingPlanRequest, ctx: CallContext): Promise<GenerateTrackingPlanResponse> {
    const workspace = await resolveWorkspace(this.store, req.workspace);
    const source = await resolveSource(this.store, workspace, req.source);
    const days = req.days || 7;
    if (days < 1 || days > MAX_GENERATE_DAYS) {
      throw ControlPlaneError.invalid([{ field: 'days', message: `must be from 1 to ${MAX_GENERATE_DAYS}` }]);
    }
    // Today and the days before it, whole (UTC): paths carry the day they were last seen.
    const since = new Date(Math.floor(ctx.now.getTime() / DAY_MS) * DAY_MS - (days - 1) * DAY_MS);
    const { observed, cut } = await this.observed.since(source._id, since);
    return {
      rules: generatePlanRules(observed) as unknown as Record<string, unknown>,
      eventsObserved: observed.length,
      eventsCut: cut.events,
      pathsCut: cut.paths,
    };
  }
}
