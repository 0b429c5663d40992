import { isoTime } from '../iso-time';
import type { Rejection } from '../http/errors';

import type { PlanVerdict } from '@manifold/tracking-plans';

/** blocked: accepted from the sender, but its tracking plan sent it to the quarantine topic. */
export type DebuggerStatus = 'accepted' | 'rejected' | 'failed' | 'blocked';

/** What an event's tracking plan found, as its Kafka header and the debugger carry it. */
export interface PlanFindings extends PlanVerdict {
  planId: string;
  version: number;
}

/** One event as the console's debugger shows it. */
export interface DebuggerEntry {
  /** Increasing per source; the SSE event id, so a reconnecting stream resumes after it. */
  seq: number;
  sourceId: string;
  /** When ingestion decided (ISO-8601). */
  at: string;
  status: DebuggerStatus;
  type?: string | undefined;
  messageId?: string | undefined;
  /** Why it was not accepted (rejected: Spec or limits; failed: Kafka did not take it). */
  reason?: Rejection | undefined;
  /** The stored event when accepted; what was sent (without the write key) otherwise. */
  event: unknown;
  /** What the source's tracking plan found: each violation's property (path) and rule. */
  plan?: PlanFindings | undefined;
  /** Events of a webhook delivery: the app, and which signing secret verified it (never the secret). */
  webhook?: WebhookFacts | undefined;
}

/**
 * Which of a webhook source's signing secrets matched a delivery: `current`, `previous` (the one
 * a rotation replaced, while it is still accepted), or `unverified` (the source has no secret).
 */
export type SignedWith = 'current' | 'previous' | 'unverified';

export interface WebhookFacts {
  kind: string;
  signedWith: SignedWith;
}

export type NewDebuggerEntry = Omit<DebuggerEntry, 'seq' | 'sourceId' | 'at'>;

class Ring {
  readonly items: DebuggerEntry[] = [];
  next = 0;
  seq = 0;

  /**
   * @param nextSeq where entry ids come from when several workers' entries are merged (ids
   *   unique and in time order across workers); otherwise each source counts from 1.
   */
  constructor(
    private readonly capacity: number,
    private readonly nextSeq?: () => number,
  ) {}

  push(entry: DebuggerEntry): void {
    if (this.items.length < this.capacity) this.items.push(entry);
    else this.items[this.next] = entry;
    this.next = (this.next + 1) % this.capacity;
  }

  /** Oldest first. */
  ordered(): DebuggerEntry[] {
    if (this.items.length < this.capacity) return this.items.slice();
    return [...this.items.slice(this.next), ...this.items.slice(0, this.next)];
  }
}

type Listener = (entry: DebuggerEntry) => void;

/** What the debugger's routes read: this process's buffer, or all workers' (workers mode). */
export interface DebuggerView {
  recent(sourceId: string, limit?: number, afterSeq?: number): DebuggerEntry[] | Promise<DebuggerEntry[]>;
  subscribe(sourceId: string, listener: Listener): () => void;
}

/**
 * The last N events of each source and a feed of new ones. It lives in this process: each
 * replica shows the traffic it received (the console merges replicas or uses one).
 */
export class LiveDebugger implements DebuggerView {
  private readonly rings = new Map<string, Ring>();
  private readonly listeners = new Map<string, Set<Listener>>();

  /**
   * @param nextSeq where entry ids come from when several workers' entries are merged (ids
   *   unique and in time order across workers); otherwise each source counts from 1.
   */
  constructor(
    private readonly capacity: number,
    private readonly nextSeq?: () => number,
  ) {}

  /** How many entries of a request are worth recording: all while someone watches live, else the buffer's size. */
  entriesWanted(sourceId: string): number {
    return this.listeners.has(sourceId) ? Number.MAX_SAFE_INTEGER : this.capacity;
  }

  record(sourceId: string, entry: NewDebuggerEntry): void {
    if (this.capacity <= 0 && !this.listeners.has(sourceId)) return;
    let ring = this.rings.get(sourceId);
    if (!ring) {
      ring = new Ring(Math.max(1, this.capacity));
      this.rings.set(sourceId, ring);
    }
    const full: DebuggerEntry = {
      seq: this.nextSeq ? this.nextSeq() : ++ring.seq,
      sourceId,
      at: isoTime(Date.now()),
      ...entry,
    };
    ring.push(full);
    const listeners = this.listeners.get(sourceId);
    if (listeners) for (const listener of listeners) listener(full);
  }

  /** Up to `limit` most recent entries, oldest first, optionally only those after `afterSeq`. */
  recent(sourceId: string, limit = this.capacity, afterSeq = 0): DebuggerEntry[] {
    const all = this.rings.get(sourceId)?.ordered() ?? [];
    const newer = afterSeq > 0 ? all.filter((e) => e.seq > afterSeq) : all;
    return newer.slice(Math.max(0, newer.length - limit));
  }

  subscribe(sourceId: string, listener: Listener): () => void {
    let set = this.listeners.get(sourceId);
    if (!set) {
      set = new Set();
      this.listeners.set(sourceId, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(sourceId);
    };
  }

  subscriberCount(sourceId: string): number {
    return this.listeners.get(sourceId)?.size ?? 0;
  }
}
