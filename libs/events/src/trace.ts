// Per-event trace: what each destination instance did with each event (attempts with their
// masked requests and answers, filter decisions), written by the translators to a time-retained
// topic, and where to find an event's records (the index messages).

/** A request as stored: every credential of its instance masked before it leaves the translator. */
export interface TraceRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  /** Masked, cut to the translator's TRACE_BODY_CHARS. */
  body?: string;
}

/** One request sent and what came back (or why nothing did). */
export interface TraceExchange {
  request: TraceRequest;
  /** Headers only for answers other than 2xx (a success's headers rarely explain anything, and cost every event). */
  response?: { status: number; headers: Record<string, string>; body: string };
  /** Why there was no answer (connection refused, timeout); masked. */
  error?: string;
}

/**
 * - `delivered`: the destination took it.
 * - `retrying`: this attempt failed; the event waits in a retry topic.
 * - `failed`: dead-lettered (given up, rejected, invalid settings, a translation bug).
 * - `filtered`: deliberately not sent (integrations object, destination filters, no call for
 *   the event, a disabled instance, a duplicate messageId).
 */
export type TraceOutcome = 'delivered' | 'retrying' | 'failed' | 'filtered';

/** What one destination instance did with one event, once. */
export interface TraceEntry {
  messageId: string;
  workspaceId: string;
  sourceId: string;
  destinationId: string;
  destinationType: string;
  /** The events-topic message (`topic/partition/offset`), or a redelivery's origin. */
  origin: string;
  receivedAt: string;
  eventType: string;
  /** A track's event name. */
  eventName?: string;
  outcome: TraceOutcome;
  /** Why it was filtered, retried or failed (the delivery stats' reasons). */
  reason?: string;
  /** In words (masked). */
  message?: string;
  /** This attempt's number (1 for the first); 0 when nothing was sent. */
  attempt: number;
  /** When it was decided (ms since the epoch). */
  at: number;
  /** The exchange of this attempt, in the record's `exchanges` (events whose exchanges read the same share one). */
  exchange?: number;
  /** When its request was sent (ms since the epoch) and how long the answer took. */
  sentAt?: number;
  durationMs?: number;
  /** The redrive or replay that sent it again. */
  runId?: string;
  /** The instance mapping whose request the exchange shows (absent for the presets' routes). */
  mappingId?: string;
  mappingName?: string;
}

/** One message of the traces topic: entries of many events, and the exchanges they refer to. */
export interface TraceRecord {
  exchanges: TraceExchange[];
  entries: TraceEntry[];
}

/**
 * The order of an entry's fields on the wire. A trace record is written for every event and
 * instance, so its bytes are most of a trace's cost (JSON, the producer's CRC, the broker): each
 * entry is an array in this order, trailing absent fields left out, and workspace, source,
 * instance and type given as `null` when they are those of the entry before (most are).
 */
const FIELDS = [
  'messageId',
  'workspaceId',
  'sourceId',
  'destinationId',
  'destinationType',
  'origin',
  'receivedAt',
  'eventType',
  'eventName',
  'outcome',
  'reason',
  'message',
  'attempt',
  'at',
  'exchange',
  'runId',
  'sentAt',
  'durationMs',
  // Added later: absent (so left out, trailing) in records written before.
  'mappingId',
  'mappingName',
] as const;
/** The fields given as null when they repeat the entry before's. */
const REPEATED = new Set([1, 2, 3, 4]);
const WIRE_VERSION = 2;

/** A trace record as the traces topic holds it (see FIELDS). */
export function encodeTraceRecord(record: TraceRecord): string {
  const rows: unknown[][] = [];
  let previous: TraceEntry | undefined;
  for (const entry of record.entries) {
    rows.push(entryRow(entry, previous));
    previous = entry;
  }
  return JSON.stringify({ v: WIRE_VERSION, x: record.exchanges, e: rows });
}

/**
 * An entry as its row of FIELDS, written out field by field: this runs for every event and
 * instance, and reading the fields by name in a loop cost several times as much. A field added
 * to FIELDS must be added here too (redelivery.test.ts round-trips an entry with every field).
 */
function entryRow(entry: TraceEntry, previous: TraceEntry | undefined): unknown[] {
  const row: unknown[] = [
    entry.messageId,
    previous?.workspaceId === entry.workspaceId ? null : entry.workspaceId,
    previous?.sourceId === entry.sourceId ? null : entry.sourceId,
    previous?.destinationId === entry.destinationId ? null : entry.destinationId,
    previous?.destinationType === entry.destinationType ? null : entry.destinationType,
    entry.origin,
    entry.receivedAt,
    entry.eventType,
    entry.eventName ?? null,
    entry.outcome,
    entry.reason ?? null,
    entry.message ?? null,
    entry.attempt,
    entry.at,
    entry.exchange ?? null,
    entry.runId ?? null,
    entry.sentAt ?? null,
    entry.durationMs ?? null,
    entry.mappingId ?? null,
    entry.mappingName ?? null,
  ];
  let length = row.length;
  while (length > 0 && row[length - 1] === null) length--;
  row.length = length;
  return row;
}

/** Reads a message of the traces topic back; throws when it is not a trace record. */
export function decodeTraceRecord(value: Buffer | string): TraceRecord {
  const parsed = JSON.parse(typeof value === 'string' ? value : value.toString('utf8')) as {
    v?: unknown;
    x?: TraceExchange[];
    e?: unknown[][];
  };
  if (parsed.v !== WIRE_VERSION || !Array.isArray(parsed.e) || !Array.isArray(parsed.x)) {
    throw new Error('not a trace record');
  }
  const entries: TraceEntry[] = [];
  let previous: Record<string, unknown> | undefined;
  for (const row of parsed.e) {
    const entry: Record<string, unknown> = {};
    FIELDS.forEach((name, i) => {
      const value = row[i];
      if (value !== null && value !== undefined) entry[name] = value;
      else if (previous && REPEATED.has(i)) entry[name] = previous[name];
    });
    entries.push(entry as unknown as TraceEntry);
    previous = entry;
  }
  return { exchanges: parsed.x, entries };
}

/**
 * One message of the trace index topic: the trace records one write put in one partition
 * (offsets baseOffset, baseOffset + 1, ...), and which events each holds: `keys` is a flat list
 * of pairs (traceKeyHash of the event, index of the record in the write).
 */
export interface TraceIndexMessage {
  v: 1;
  partition: number;
  baseOffset: string;
  records: number;
  /** Time of the write (ISO-8601): the index is kept as long as the records. */
  at: string;
  keys: number[];
}

/**
 * The 32-bit FNV-1a hash an event is indexed under: workspace and messageId (a messageId is the
 * client's, so two workspaces may send the same one). Collisions only cost a record read more.
 */
export function traceKeyHash(workspaceId: string, messageId: string): number {
  // The hash of `${workspaceId}|${messageId}`, without building that string for every event.
  let hash = fnv1a(0x811c9dc5, workspaceId);
  hash = Math.imul(hash ^ 0x7c, 0x01000193);
  return fnv1a(hash, messageId) >>> 0;
}

function fnv1a(seed: number, text: string): number {
  let hash = seed;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash;
}
