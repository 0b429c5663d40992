import type { PartitionOffset } from '@manifold/kafka';

/**
 * An event waiting for a load, kept as the JSON Kafka delivered: parsed only when loaded, so
 * waiting events cost a buffer each instead of an object graph the garbage collector must trace.
 */
export interface PendingEvent {
  body: Buffer;
  /** From the message headers, to name an event the warehouse refuses. */
  messageId: string;
  partition: number;
  offset: bigint;
  /** When the loader read it (ms since the epoch): how long it has waited. */
  readAt: number;
}

/**
 * The events one warehouse has taken from Kafka but not yet loaded, by source, and the offsets
 * it may commit. The commit point of a partition is the earliest offset still waiting (or, with
 * nothing waiting, the offset after the last message seen): messages for other warehouses and
 * loaded events never hold it back, and an event whose load failed holds back everything after
 * it until it is loaded.
 */
export class PendingEvents {
  private bySource = new Map<string, PendingEvent[]>();
  private count = 0;
  private readonly nextOffset = new Map<number, bigint>();
  private readonly committed = new Map<number, bigint>();

  constructor(private readonly topic: string) {}

  get size(): number {
    return this.count;
  }

  /** Records that a message was read, whether or not it concerns this warehouse. */
  seen(partition: number, offset: bigint): void {
    const next = offset + 1n;
    if ((this.nextOffset.get(partition) ?? -1n) < next) this.nextOffset.set(partition, next);
  }

  add(sourceId: string, pending: PendingEvent): void {
    const list = this.bySource.get(sourceId);
    if (list) list.push(pending);
    else this.bySource.set(sourceId, [pending]);
    this.count++;
  }

  /** Takes everything waiting, by source, for a load; what is not loaded must be given back. */
  takeAll(): Map<string, PendingEvent[]> {
    const taken = this.bySource;
    this.bySource = new Map();
    this.count = 0;
    return taken;
  }

  /** Puts back the events of a failed load, ahead of those that arrived meanwhile. */
  giveBack(sourceId: string, events: PendingEvent[]): void {
    const newer = this.bySource.get(sourceId) ?? [];
    this.bySource.set(sourceId, [...events, ...newer]);
    this.count += events.length;
  }

  /**
   * Offsets safe to commit now (everything before them is loaded or not for this warehouse),
   * leaving out partitions whose point has not moved. `inFlight` are events being loaded.
   */
  commitPoints(inFlight: Iterable<PendingEvent[]> = []): PartitionOffset[] {
    const earliest = new Map<number, bigint>();
    const consider = (list: PendingEvent[]) => {
      for (const { partition, offset } of list) {
        const current = earliest.get(partition);
        if (current === undefined || offset < current) earliest.set(partition, offset);
      }
    };
    for (const list of this.bySource.values()) consider(list);
    for (const list of inFlight) consider(list);
    const points: PartitionOffset[] = [];
    for (const [partition, next] of this.nextOffset) {
      const waiting = earliest.get(partition);
      const point = waiting !== undefined && waiting < next ? waiting : next;
      if (point > (this.committed.get(partition) ?? -1n)) {
        points.push({ topic: this.topic, partition, offset: point.toString() });
      }
    }
    return points;
  }

  /** Per source, when its longest-waiting event was read (lists keep read order; given-back events go first). */
  oldestBySource(): Map<string, number> {
    const oldest = new Map<string, number>();
    for (const [sourceId, list] of this.bySource) {
      const first = list[0];
      if (first) oldest.set(sourceId, first.readAt);
    }
    return oldest;
  }

  markCommitted(points: readonly PartitionOffset[]): void {
    for (const p of points) this.committed.set(p.partition, BigInt(p.offset));
  }
}
