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
 * instance, so its bytes are most of a trace's cost (JSON, the producer's copies and CRC, the
 * broker): each entry is an array in this order, trailing absent fields left out.
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
type Field = (typeof FIELDS)[number];
const ORIGIN = FIELDS.indexOf('origin');
/** The fields that hold numbers; the others hold strings. */
const NUMBERS = new Set<number>(
  ['attempt', 'at', 'exchange', 'sentAt', 'durationMs'].map((f) => FIELDS.indexOf(f as Field)),
);
/** Times written as milliseconds after the record's `t` (version 3). */
const TIMES = new Set<number>(['at', 'sentAt'].map((f) => FIELDS.indexOf(f as Field)));

/**
 * Version 3 (written since 2026-12-02). In a row, a string field is its value, `0` when absent,
 * or `1` when it is the entry before's (instance, source, type, outcome, a batch's receivedAt:
 * most fields repeat); a number field is its value or `null` when absent, the times (`at`,
 * `sentAt`) counted from the record's `t`; the origin, always present, is a string, or a number
 * when it differs from the entry before's only in what follows its last `/` (the next offsets of
 * a partition: `events/3/1041` after `events/3/1040` is `1041`). A delivered event's row is about
 * 70 bytes instead of 190.
 */
const WIRE_VERSION = 3;
/** Version 2 (written before; still read): strings as they are, `null` when absent, and the fields below `null` when they repeat the entry before's. */
const REPEATED_V2 = new Set([1, 2, 3, 4]);
const ABSENT = 0;
const SAME = 1;

/**
 * Builds one trace record entry by entry, each turned into its row when it is added: the
 * translator adds entries as outcomes are decided, so nothing but the rows' text waits for the
 * write (entries and their events die young instead of surviving collections until then).
 */
export class TraceRecordBuilder {
  /** Entries added. */
  size = 0;
  /** Characters of request and response bodies in the record's exchanges. */
  bodyChars = 0;
  private readonly rows: string[] = [];
  private readonly exchanges: TraceExchange[];
  private readonly exchangeIndexes = new Map<TraceExchange, number>();
  private base = 0;
  private previous: TraceEntry | undefined;
  /** The previous origin up to its last `/` (included): what a numeric origin follows. */
  private originPrefix = '';

  /** `exchanges`: those of a record being encoded whole (its entries' `exchange` indexes point into them). */
  constructor(exchanges: TraceExchange[] = []) {
    this.exchanges = exchanges;
    exchanges.forEach((exchange, i) => {
      if (!this.exchangeIndexes.has(exchange)) this.exchangeIndexes.set(exchange, i);
    });
  }

  /** Adds an entry and the exchange of its attempt (stored once per record however many entries share it). */
  add(entry: TraceEntry, exchange?: TraceExchange): void {
    let index: number | undefined;
    if (exchange) {
      index = this.exchangeIndexes.get(exchange);
      if (index === undefined) {
        index = this.exchanges.push(exchange) - 1;
        this.exchangeIndexes.set(exchange, index);
        this.bodyChars += (exchange.request.body?.length ?? 0) + (exchange.response?.body.length ?? 0);
      }
    }
    this.addRow(entry, index);
  }

  /** The record's wire text. */
  finish(): string {
    return `{"v":${WIRE_VERSION},"t":${this.base},"x":${JSON.stringify(this.exchanges)},"e":[${this.rows.join(',')}]}`;
  }

  /**
   * The entry as its row, written out field by field: this runs for every event and instance,
   * and reading the fields by name in a loop cost several times as much. A field added to FIELDS
   * must be added here too (redelivery.test.ts round-trips an entry with every field).
   */
  private addRow(entry: TraceEntry, exchange: number | undefined): void {
    const previous = this.previous;
    if (this.size === 0) this.base = entry.at;
    const row: unknown[] = [
      text(entry.messageId, previous?.messageId),
      text(entry.workspaceId, previous?.workspaceId),
      text(entry.sourceId, previous?.sourceId),
      text(entry.destinationId, previous?.destinationId),
      text(entry.destinationType, previous?.destinationType),
      this.origin(entry.origin, previous !== undefined),
      text(entry.receivedAt, previous?.receivedAt),
      text(entry.eventType, previous?.eventType),
      text(entry.eventName, previous?.eventName),
      text(entry.outcome, previous?.outcome),
      text(entry.reason, previous?.reason),
      text(entry.message, previous?.message),
      entry.attempt,
      entry.at - this.base,
      exchange ?? null,
      text(entry.runId, previous?.runId),
      entry.sentAt === undefined ? null : entry.sentAt - this.base,
      entry.durationMs ?? null,
      text(entry.mappingId, previous?.mappingId),
      text(entry.mappingName, previous?.mappingName),
    ];
    let length = row.length;
    while (length > 0 && row[length - 1] === (NUMBERS.has(length - 1) ? null : ABSENT)) length--;
    row.length = length;
    this.rows.push(JSON.stringify(row));
    this.previous = entry;
    this.size++;
  }

  private origin(origin: string, follows: boolean): string | number {
    const cut = origin.lastIndexOf('/');
    if (follows && cut === this.originPrefix.length - 1 && origin.startsWith(this.originPrefix)) {
      const tail = origin.slice(cut + 1);
      const offset = Number(tail);
      if (tail.length > 0 && Number.isSafeInteger(offset) && offset >= 0 && String(offset) === tail) return offset;
    }
    this.originPrefix = origin.slice(0, cut + 1);
    return origin;
  }
}

/** A string field's value on the wire (version 3). */
function text(value: string | undefined, previous: string | undefined): string | typeof ABSENT | typeof SAME {
  if (value === undefined) return ABSENT;
  return value === previous ? SAME : value;
}

/** A trace record as the traces topic holds it (see TraceRecordBuilder). */
export function encodeTraceRecord(record: TraceRecord): string {
  const builder = new TraceRecordBuilder([...record.exchanges]);
  for (const entry of record.entries) {
    builder.add(entry, entry.exchange === undefined ? undefined : record.exchanges[entry.exchange]);
  }
  return builder.finish();
}

/** Reads a message of the traces topic back (version 3, or 2 written before); throws when it is not a trace record. */
export function decodeTraceRecord(value: Buffer | string): TraceRecord {
  const parsed = JSON.parse(typeof value === 'string' ? value : value.toString('utf8')) as {
    v?: unknown;
    t?: unknown;
    x?: TraceExchange[];
    e?: unknown[][];
  };
  if ((parsed.v !== WIRE_VERSION && parsed.v !== 2) || !Array.isArray(parsed.e) || !Array.isArray(parsed.x)) {
    throw new Error('not a trace record');
  }
  const entries =
    parsed.v === 2 ? decodeRowsV2(parsed.e) : decodeRows(parsed.e, typeof parsed.t === 'number' ? parsed.t : 0);
  return { exchanges: parsed.x, entries };
}

function decodeRows(rows: unknown[][], base: number): TraceEntry[] {
  const entries: TraceEntry[] = [];
  let previous: Record<string, unknown> | undefined;
  let originPrefix = '';
  for (const row of rows) {
    const entry: Record<string, unknown> = {};
    FIELDS.forEach((name, i) => {
      const value = row[i];
      if (i === ORIGIN) {
        if (typeof value === 'number') entry[name] = `${originPrefix}${value}`;
        else if (typeof value === 'string') {
          entry[name] = value;
          originPrefix = value.slice(0, value.lastIndexOf('/') + 1);
        }
      } else if (NUMBERS.has(i)) {
        if (typeof value === 'number') entry[name] = TIMES.has(i) ? value + base : value;
      } else if (typeof value === 'string') entry[name] = value;
      else if (value === SAME && previous?.[name] !== undefined) entry[name] = previous[name];
    });
    entries.push(entry as unknown as TraceEntry);
    previous = entry;
  }
  return entries;
}

function decodeRowsV2(rows: unknown[][]): TraceEntry[] {
  const entries: TraceEntry[] = [];
  let previous: Record<string, unknown> | undefined;
  for (const row of rows) {
    const entry: Record<string, unknown> = {};
    FIELDS.forEach((name, i) => {
      const value = row[i];
      if (value !== null && value !== undefined) entry[name] = value;
      else if (previous && REPEATED_V2.has(i)) entry[name] = previous[name];
    });
    entries.push(entry as unknown as TraceEntry);
    previous = entry;
  }
  return entries;
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
