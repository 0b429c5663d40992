import type { SourceConfig } from '@manifold/config-client';
import type { OutgoingMessage } from '@manifold/kafka';
import type { Logger } from '@manifold/logger';
import type { PlanReport } from '@manifold/tracking-plans';
import { isoTime } from '../../iso-time';
import type { MessageSender } from '../../publish/publish-queue';
import { DEFAULT_OBSERVED_EVENTS_LIMITS, SourceObservations, type ObservedEventsLimits } from './observed-events';
import { ViolationTally } from './violation-tally';

export interface PlanReporterOptions {
  topic: string;
  /** How often what was counted is sent (ms). */
  intervalMs: number;
  observed?: ObservedEventsLimits;
  /** Reports kept for another try while Kafka refuses them; older ones are given up (logged). */
  maxPending?: number;
  /**
   * How long stopping waits for the last reports to be sent (ms, default 5000). They are counts
   * for the console, not events: a Kafka slow to answer must not hold a shutdown up to its
   * deadline (which exits without the orderly stop).
   */
  stopTimeoutMs?: number;
}

/** How long one send of reports may take before they wait for the next interval. */
const SEND_TIMEOUT_MS = 10_000;

/** One source's state: its violations this interval and the shape of its events today. */
interface SourceState {
  tally: ViolationTally;
  observations: SourceObservations;
}

/**
 * Tracking-plan reports (TOPICS.planReports): per source, the interval's plan violations counted
 * with a few samples, and the property paths of its events first seen today. The hot path only
 * increments maps here; one Kafka message per source goes out per interval. Everything starts
 * afresh each UTC day, so a path is reported again (its last-seen day moves on) once a day.
 */
export class PlanReporter {
  private sources = new Map<string, SourceState>();
  private day: string;
  private pending: OutgoingMessage[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly producer: MessageSender,
    private readonly options: PlanReporterOptions,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {
    this.day = this.today();
  }

  start(): void {
    this.timer ??= setInterval(() => void this.flush(), this.options.intervalMs);
    this.timer.unref();
  }

  /** The state of a source, once per request (the per-event calls then touch only its maps). */
  forSource(source: SourceConfig): SourceState {
    let state = this.sources.get(source.id);
    if (!state) {
      state = {
        tally: new ViolationTally(),
        observations: new SourceObservations(
          source.workspaceId,
          this.options.observed ?? DEFAULT_OBSERVED_EVENTS_LIMITS,
        ),
      };
      this.sources.set(source.id, state);
    }
    return state;
  }

  /** Sends what was counted since the last flush (and what Kafka refused before); never throws. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.send());
    return this.flushing;
  }

  /** Stops the timer and sends what is left, waiting for it at most `stopTimeoutMs`. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    const timeoutMs = this.options.stopTimeoutMs ?? 5000;
    let timer: NodeJS.Timeout | undefined;
    const sent = await Promise.race([
      this.flush().then(() => true),
      new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs))),
    ]);
    clearTimeout(timer);
    if (!sent) this.logger.warn({ timeoutMs }, 'the last tracking-plan reports were not sent before stopping');
  }

  private async send(): Promise<void> {
    const at = isoTime(this.now());
    const messages = this.pending;
    for (const [sourceId, { tally, observations }] of this.sources) {
      const violations = tally.take();
      const seen = observations.take();
      if (violations.length === 0 && !seen) continue;
      const report: PlanReport = {
        workspaceId: observations.workspaceId,
        sourceId,
        at,
        violations,
        observed: seen?.observed ?? [],
        cut: seen?.cut ?? { events: 0, paths: 0 },
      };
      messages.push({ key: sourceId, value: JSON.stringify(report) });
    }
    this.pending = [];
    const day = this.today();
    if (day !== this.day) {
      // A new day: every path is reported again, and sources gone from the config are let go.
      this.day = day;
      this.sources = new Map();
    }
    if (messages.length === 0) return;
    try {
      // Bounded like every other send: a report not sent in time waits for the next interval.
      await this.producer.send(this.options.topic, messages, { timeoutMs: SEND_TIMEOUT_MS });
    } catch (error) {
      const max = this.options.maxPending ?? 1000;
      const given = Math.max(0, messages.length - max);
      this.pending = messages.slice(given);
      this.logger.warn(
        { err: error, waiting: this.pending.length, givenUp: given },
        given > 0
          ? 'tracking-plan reports not sent; the oldest are given up, the others tried again'
          : 'tracking-plan reports not sent; trying again at the next interval',
      );
    }
  }

  private today(): string {
    return isoTime(this.now()).slice(0, 10);
  }
}
