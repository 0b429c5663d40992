import type { ObservedEvent } from './observe-event';

/** What became of an event that broke its plan (see PlanVerdict). */
export type ViolationOutcome = 'allowed' | 'dropped' | 'blocked';

/** One violation as an example: which event, where, why, and what the value was (shortened, masked). */
export interface ViolationSample {
  messageId: string;
  /** JSON pointer into `properties` / `traits`; "" for the event itself (unplanned event). */
  path: string;
  message: string;
  /** The offending value shortened to a few dozen characters; names that look like credentials are masked. */
  value?: string;
  /** When ingestion received the event (ISO-8601). */
  at: string;
}

/** How many events broke one rule at one path in one interval, with a few of them as samples. */
export interface ViolationCount {
  planId: string;
  planVersion: number;
  /** The call type, and the track event's name ('' for other calls). */
  eventType: string;
  eventName: string;
  rule: string;
  path: string;
  outcome: ViolationOutcome;
  count: number;
  samples: ViolationSample[];
}

/**
 * What one ingestion process saw of one source's events in one interval (one record of
 * `TOPICS.planReports` per source and interval, keyed by source id): the violations of its plan
 * counted, and the property paths and types of its events, each new one reported once a day.
 */
export interface PlanReport {
  workspaceId: string;
  sourceId: string;
  /** The end of the interval (ISO-8601): counts are put in this hour. */
  at: string;
  violations: ViolationCount[];
  observed: ObservedEvent[];
  /** What the bounds left out this interval: event kinds beyond the per-source cap, paths beyond the per-event cap. */
  cut: { events: number; paths: number };
}
