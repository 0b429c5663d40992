import type { DebuggerEntry, DebuggerView } from '../debugger/live-debugger';
import { LiveDebugger } from '../debugger/live-debugger';
import { RateLimiter, type RateLimitOptions } from '../rate-limit';
import type { PrimaryMessage, WorkerMessage } from './messages';

/** How often a worker reports the rate-limit tokens it took (ms): the most the others lag. */
export const RATE_SHARE_INTERVAL_MS = 20;

type Listener = (entry: DebuggerEntry) => void;

/**
 * Debugger entry ids that are unique across workers and in time order: microseconds since the
 * epoch, the low bits holding the worker's slot (up to 16 workers).
 */
export function timeOrderedSeq(slot: number): () => number {
  let last = 0;
  return () => {
    const micros = Date.now() * 1000;
    const candidate = micros - (micros % 16) + slot;
    last = candidate > last ? candidate : last + 16;
    return last;
  };
}

/**
 * A worker's side of the state the workers of one process share through the primary: the
 * rate-limit buckets (each worker reports what it took; the others take it too) and the live
 * debugger (recent entries collected from every worker; live entries of a watched source relayed
 * to the workers whose streams watch it).
 */
export class WorkerLink {
  readonly rateLimiter: RateLimiter;
  readonly liveDebugger: LiveDebugger;
  /** What this worker's debugger routes read: every worker's entries. */
  readonly debuggerView: DebuggerView;
  private readonly forwarding = new Map<string, () => void>();
  private readonly watchers = new Map<string, Set<Listener>>();
  private readonly pending = new Map<number, (entries: DebuggerEntry[]) => void>();
  private nextRequestId = 1;
  private readonly timer: NodeJS.Timeout;

  constructor(
    slot: number,
    rateLimit: RateLimitOptions,
    debuggerBufferSize: number,
    private readonly send: (message: WorkerMessage) => void = (message) => process.send?.(message),
  ) {
    this.rateLimiter = new RateLimiter(rateLimit);
    this.liveDebugger = new LiveDebugger(debuggerBufferSize, timeOrderedSeq(slot));
    if (this.rateLimiter.enabled) this.rateLimiter.share();
    this.timer = setInterval(() => {
      const taken = this.rateLimiter.takenSinceLastCall();
      if (taken.length > 0) this.send({ kind: 'rate-taken', taken });
    }, RATE_SHARE_INTERVAL_MS);
    this.timer.unref();
    this.debuggerView = {
      recent: (sourceId, limit = Number.MAX_SAFE_INTEGER, after = 0) =>
        new Promise<DebuggerEntry[]>((resolve) => {
          const requestId = this.nextRequestId++;
          this.pending.set(requestId, resolve);
          this.send({ kind: 'debugger-recent', requestId, sourceId, limit, after });
        }),
      subscribe: (sourceId, listener) => this.watch(sourceId, listener),
    };
  }

  /** Handles a message from the primary. */
  receive(message: PrimaryMessage): void {
    switch (message.kind) {
      case 'rate-taken':
        for (const [key, tokens] of message.taken) this.rateLimiter.takeElsewhere(key, tokens);
        return;
      case 'debugger-forward': {
        const stop = this.forwarding.get(message.sourceId);
        if (message.on && !stop) {
          const unsubscribe = this.liveDebugger.subscribe(message.sourceId, (entry) =>
            this.send({ kind: 'debugger-entry', entry }),
          );
          this.forwarding.set(message.sourceId, unsubscribe);
        } else if (!message.on && stop) {
          stop();
          this.forwarding.delete(message.sourceId);
        }
        return;
      }
      case 'debugger-entry':
        for (const listener of this.watchers.get(message.entry.sourceId) ?? []) listener(message.entry);
        return;
      case 'debugger-collect':
        this.send({
          kind: 'debugger-part',
          requestId: message.requestId,
          entries: this.liveDebugger.recent(message.sourceId, message.limit, message.after),
        });
        return;
      case 'debugger-recent':
        this.pending.get(message.requestId)?.(message.entries);
        this.pending.delete(message.requestId);
        return;
    }
  }

  private watch(sourceId: string, listener: Listener): () => void {
    let set = this.watchers.get(sourceId);
    if (!set) {
      set = new Set();
      this.watchers.set(sourceId, set);
      this.send({ kind: 'debugger-watch', sourceId, on: true });
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.watchers.get(sourceId) === set) {
        this.watchers.delete(sourceId);
        this.send({ kind: 'debugger-watch', sourceId, on: false });
      }
    };
  }

  close(): void {
    clearInterval(this.timer);
    for (const resolve of this.pending.values()) resolve([]);
    this.pending.clear();
  }
}
