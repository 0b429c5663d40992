import type { PendingEvent, PendingEvents } from './pending-events';

/**
 * Tells whether a warehouse has stopped loading: the events that have waited longest (in memory
 * or in a load under way) have gone more than `thresholdMs` without a load of their source
 * committing. A warehouse that is down, a source whose loads keep failing, a load that hangs:
 * all look the same from here, and all need someone. An idle warehouse (nothing waiting) is not
 * stalled however long ago it last loaded.
 */
export class StallWatch {
  private readonly loadedAt = new Map<string, number>();
  /** Per source, when the oldest event taken by the load round under way was read. */
  private readonly inFlight = new Map<string, number>();
  /** The last reason a load failed, until a load of any source commits. */
  private lastError: string | undefined;

  constructor(
    private readonly pending: PendingEvents,
    private readonly thresholdMs: number,
  ) {}

  /** A load round took these events (lists in read order). */
  taken(bySource: ReadonlyMap<string, readonly PendingEvent[]>): void {
    for (const [sourceId, events] of bySource) {
      const first = events[0];
      if (!first) continue;
      const known = this.inFlight.get(sourceId);
      if (known === undefined || first.readAt < known) this.inFlight.set(sourceId, first.readAt);
    }
  }

  /** The round is over: its events are loaded, set aside, or waiting again. */
  roundEnded(): void {
    this.inFlight.clear();
  }

  loaded(sourceId: string, now = Date.now()): void {
    this.loadedAt.set(sourceId, now);
    this.lastError = undefined;
  }

  failed(reason: string): void {
    this.lastError = reason;
  }

  /** How long the longest-waiting events have gone without a load of their source; 0 when none wait. */
  delayMs(now = Date.now()): number {
    let worst = 0;
    const consider = (sourceId: string, oldest: number): void => {
      const since = Math.max(oldest, this.loadedAt.get(sourceId) ?? 0);
      if (now - since > worst) worst = now - since;
    };
    for (const [sourceId, oldest] of this.pending.oldestBySource()) consider(sourceId, oldest);
    for (const [sourceId, oldest] of this.inFlight) consider(sourceId, oldest);
    return worst;
  }

  /** Why the warehouse is stalled, for /readyz; undefined while it is not. */
  report(now = Date.now()): string | undefined {
    const delay = this.delayMs(now);
    if (delay <= this.thresholdMs) return undefined;
    const waiting = this.pending.size;
    const last = this.lastError ? `; last error: ${this.lastError}` : '';
    return `no load for ${Math.round(delay / 1000)} s while events wait (${waiting} in memory)${last}`;
  }
}
