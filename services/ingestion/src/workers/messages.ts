import type { DebuggerEntry } from '../debugger/live-debugger';

/**
 * What a worker and the primary tell each other over the cluster's IPC channel. Nothing here is
 * sent per request: rate-limit use goes in one message per interval, debugger entries only while
 * someone watches their source live.
 */
export type WorkerMessage =
  /** The worker serves: its listener's URL and its own admin port (metrics, readiness). */
  | { kind: 'ready'; url: string; adminPort: number }
  /** Tokens this worker took per write key since its last report. */
  | { kind: 'rate-taken'; taken: Array<[string, number]> }
  /** A debugger stream opened (or closed: `on` false) on this worker for a source. */
  | { kind: 'debugger-watch'; sourceId: string; on: boolean }
  /** An entry this worker recorded for a source someone watches. */
  | { kind: 'debugger-entry'; entry: DebuggerEntry }
  /** Asks for the recent entries of a source across all workers. */
  | { kind: 'debugger-recent'; requestId: number; sourceId: string; limit: number; after: number }
  /** This worker's part of a `debugger-collect`. */
  | { kind: 'debugger-part'; requestId: number; entries: DebuggerEntry[] };

export type PrimaryMessage =
  /** Tokens the other workers took per write key: take them from this worker's buckets too. */
  | { kind: 'rate-taken'; taken: Array<[string, number]> }
  /** Forward (or stop forwarding) the entries of a source to the primary. */
  | { kind: 'debugger-forward'; sourceId: string; on: boolean }
  /** An entry of a watched source, recorded by any worker. */
  | { kind: 'debugger-entry'; entry: DebuggerEntry }
  /** Send this worker's recent entries of a source. */
  | { kind: 'debugger-collect'; requestId: number; sourceId: string; limit: number; after: number }
  /** The answer to a worker's `debugger-recent`. */
  | { kind: 'debugger-recent'; requestId: number; entries: DebuggerEntry[] };

/** The environment variable that tells a worker its slot (0 .. workers-1). */
export const WORKER_SLOT_ENV = 'INGESTION_WORKER_SLOT';
