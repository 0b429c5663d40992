import type { SpecEvent } from '@manifold/events';
import { observeEvent, type CheckedEvent, type ObservedEvent } from '@manifold/tracking-plans';

/** Bounds of what is remembered per source (memory) and walked per event kind and interval (CPU). */
export interface ObservedEventsLimits {
  /** Event kinds (track names, other call types) per source; events of more are counted as cut. */
  eventsPerSource: number;
  /** Property paths per event kind; more are counted as cut. */
  pathsPerEvent: number;
  /** Events of one kind whose properties are walked per interval; the others are only counted. */
  walkedPerInterval: number;
}

export const DEFAULT_OBSERVED_EVENTS_LIMITS: ObservedEventsLimits = {
  eventsPerSource: 1000,
  pathsPerEvent: 200,
  walkedPerInterval: 5,
};

/** One event kind of one source: what was reported of it today, and what is new since the last interval. */
interface EventKind {
  type: string;
  event: string;
  /** `path type` pairs reported today (or waiting in `fresh`). */
  known: Set<string>;
  /** Path → JSON types seen for the first time today, not yet reported. */
  fresh: Map<string, string[]>;
  /** Whether the kind itself has not been reported today. */
  unreported: boolean;
  /** Events walked this interval. */
  walked: number;
}

/** What one source's events looked like, kept for one day. */
export class SourceObservations {
  private readonly tracks = new Map<string, EventKind>();
  private readonly calls = new Map<string, EventKind>();
  private cutEvents = 0;
  private cutPaths = 0;

  constructor(
    readonly workspaceId: string,
    private readonly limits: ObservedEventsLimits,
  ) {}

  /**
   * Per event: one map lookup and a counter, unless the kind's events of this interval have not
   * all been walked yet. So a source's traffic costs a few walks per kind and interval, and a
   * property path that exists is seen within a few intervals of traffic unless it is very rare.
   */
  see(event: SpecEvent): void {
    const track = event.type === 'track';
    const kinds = track ? this.tracks : this.calls;
    const key = track ? String(event.event ?? '') : event.type;
    let kind = kinds.get(key);
    if (!kind) {
      if (this.tracks.size + this.calls.size >= this.limits.eventsPerSource) {
        this.cutEvents++;
        return;
      }
      kind = {
        type: event.type,
        event: track ? key : '',
        known: new Set(),
        fresh: new Map(),
        unreported: true,
        walked: 0,
      };
      kinds.set(key, kind);
    }
    if (kind.walked >= this.limits.walkedPerInterval) return;
    kind.walked++;
    const seen = kind;
    const beyondWalk = observeEvent(event as CheckedEvent, this.limits.pathsPerEvent, (path, type) => {
      const pair = `${path} ${type}`;
      if (seen.known.has(pair)) return;
      if (seen.known.size >= this.limits.pathsPerEvent) {
        this.cutPaths++;
        return;
      }
      seen.known.add(pair);
      const types = seen.fresh.get(path);
      if (types) types.push(type);
      else seen.fresh.set(path, [type]);
    });
    // Added after the walk: the callback above counts into it too.
    this.cutPaths += beyondWalk;
  }

  /** What is new since the last call, and what the bounds cut since then; undefined: nothing. */
  take(): { observed: ObservedEvent[]; cut: { events: number; paths: number } } | undefined {
    const observed: ObservedEvent[] = [];
    for (const kinds of [this.tracks, this.calls]) {
      for (const kind of kinds.values()) {
        kind.walked = 0;
        if (!kind.unreported && kind.fresh.size === 0) continue;
        observed.push({ type: kind.type, event: kind.event, paths: Object.fromEntries(kind.fresh) });
        kind.fresh.clear();
        kind.unreported = false;
      }
    }
    const cut = { events: this.cutEvents, paths: this.cutPaths };
    this.cutEvents = this.cutPaths = 0;
    return observed.length > 0 || cut.events > 0 || cut.paths > 0 ? { observed, cut } : undefined;
  }
}
