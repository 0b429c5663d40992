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
  /** The topic it was read from when not the events topic (a replay for this warehouse). */
  topic?: string;
}

/**
 * The events one warehouse has taken from Kafka but not yet loaded, by source, and the offsets
 * it may commit. The commit point of a partition is the earliest offset still waiting (or, with
 * nothing waiting, the offset after the last message seen): messages for other warehouses and
 * loaded events never hold it back, and an event whose load failed holds back everything after
 * it until it is loaded. Partitions of another topic (replays for this warehouse) are kept apart
 * the same way.
 */
export class PendingEvents {
  private bySource = new Map<string, PendingEvent[]>();
  private count = 0;
  /** Per `<topic>\0<partition>`. */
  private readonly nextOffset = new Map<string, bigint>();
  private readonly committed = new Map<string, bigint>();

  constructor(private readonly topic: string) {}

  get size(): number {
    return this.count;
  }

  /** Records that a message was read, whether or not it concerns this warehouse. */
  seen(partition: number, offset: bigint, topic: string = this.topic): void {
    const next = offset + 1n;
    const key = partitionKey(topic, partition);
    if ((this.nextOffset.get(key) ?? -1n) < next) this.nextOffset.set(key, next);
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
    const earliest = new Map<string, bigint>();
    const consider = (list: PendingEvent[]) => {
      for (const { partition, offset, topic } of list) {
        const key = partitionKey(topic ?? this.topic, partition);
        const current = earliest.get(key);
        if (current === undefined || offset < current) earliest.set(key, offset);
      }
    };
    for (const list of this.bySource.values()) consider(list);
    for (const list of inFlight) consider(list);
    const points: PartitionOffset[] = [];
    for (const [key, next] of this.nextOffset) {
      const waiting = earliest.get(key);
      const point = waiting !== undefined && waiting < next ? waiting : next;
      if (point > (this.committed.get(key) ?? -1n)) {
        const [topic, partition] = key.split('\u0000') as [string, string];
        points.push({ topic, partition: Number(partition), offset: point.toString() });
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
    for (const p of points) this.committed.set(partitionKey(p.topic, p.partition), BigInt(p.offset));
  }
}

function partitionKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}
