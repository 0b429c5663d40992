import type { SpecEvent } from '@manifold/events';
import type { CompiledPlan, PlanVerdict, ViolationCount, ViolationSample } from '@manifold/tracking-plans';
import { sampleValue } from './sample-value';

/** Distinct counters per source and interval; violations beyond them are counted under OTHERS. */
const MAX_COUNTERS = 1000;
/** Samples kept per counter and interval. */
const SAMPLES_PER_COUNTER = 3;
/** The event name of violations counted past MAX_COUNTERS. */
export const OTHERS = '(others)';

/** One source's plan violations of the current interval, counted per plan version, event, rule, path and outcome. */
export class ViolationTally {
  private counters = new Map<string, ViolationCount>();

  /**
   * Counts each violation of one event: a map increment, and for the first few of a counter in
   * the interval a sample (`checked` is the object the plan checked, as it left it: what it
   * dropped is in `verdict.droppedValues`).
   */
  add(
    plan: CompiledPlan,
    event: SpecEvent,
    verdict: PlanVerdict,
    checked: Record<string, unknown> | undefined,
    receivedAt: string,
  ): void {
    const outcome = verdict.blocked ? 'blocked' : verdict.dropped.length > 0 ? 'dropped' : 'allowed';
    let eventName = event.type === 'track' ? String(event.event ?? '') : '';
    for (const violation of verdict.violations) {
      let path = violation.path;
      let key = `${plan.planId}|${plan.version}|${event.type}|${eventName}|${violation.rule}|${path}|${outcome}`;
      let counter = this.counters.get(key);
      if (!counter && this.counters.size >= MAX_COUNTERS) {
        eventName = OTHERS;
        path = '';
        key = `${plan.planId}|${plan.version}|${event.type}|${eventName}|${violation.rule}||${outcome}`;
        counter = this.counters.get(key);
      }
      if (!counter) {
        counter = {
          planId: plan.planId,
          planVersion: plan.version,
          eventType: event.type,
          eventName,
          rule: violation.rule,
          path,
          outcome,
          count: 0,
          samples: [],
        };
        this.counters.set(key, counter);
      }
      counter.count++;
      if (counter.samples.length < SAMPLES_PER_COUNTER) {
        const sample: ViolationSample = {
          messageId: event.messageId,
          path: violation.path,
          message: violation.message,
          at: receivedAt,
        };
        const value = sampleValue(checked, violation.path, verdict.droppedValues);
        if (value !== undefined) sample.value = value;
        counter.samples.push(sample);
      }
    }
  }

  /** The counters of the interval, and a fresh start. */
  take(): ViolationCount[] {
    const counters = [...this.counters.values()];
    this.counters = new Map();
    return counters;
  }
}
