import { traceKeyHash, TraceRecordBuilder, type TraceExchange, type TraceIndexMessage } from '@manifold/events';
import type { EventProducer, OutgoingMessage } from '@manifold/kafka';
import type { Logger } from '@manifold/logger';
import type { Meter } from '@manifold/telemetry';
import { maskerOf } from '@manifold/destination-kit';
import type { SecretMasker } from '@manifold/secrets';
import type { Exchange } from '../pipeline/task';
import { bodilessExchangeKey, readSameBodiless } from './exchange-key';
import { traceExchange } from './trace-exchange';
import type { PendingTraceEntry, TraceRecorder } from './trace-recorder';

/** Records of one write: their wire text, and which events each holds (pairs: key hash, record number). */
interface WaitingWrite {
  records: string[];
  keys: number[];
  entries: number;
}

export interface TraceWriterOptions {
  producer: Pick<EventProducer, 'send'>;
  /** The traces topic, and the index topic that says where each event's records are. */
  topic: string;
  indexTopic: string;
  /** Partitions of the traces topic: each write goes to the next one. */
  partitions: number;
  /** Entries are written at least this often (ms)... */
  flushIntervalMs: number;
  /** ...and as soon as this many wait. */
  flushEntries?: number;
  /** Request and response bodies are kept up to this many characters. */
  bodyChars: number;
  /**
   * `failures`: the request body of an exchange only when one of its events was not delivered
   * (retrying, failed); `all`: always.
   */
  requestBodies?: 'failures' | 'all';
  /** Entries kept while Kafka does not take them; newer ones are dropped (and counted) beyond. */
  maxPendingEntries?: number;
  logger: Logger;
  meter: Meter;
}

/** Distinct bodiless exchanges remembered (a few per instance in practice). */
const MAX_INTERNED = 10_000;

/** Entries per trace record: a lookup reads whole records, so they stay small. */
const ENTRIES_PER_RECORD = 200;
/** Characters of bodies per trace record, roughly. */
const BODY_CHARS_PER_RECORD = 512 * 1024;
const PRODUCE_TIMEOUT_MS = 10_000;
/** Lost writes are logged at most this often. */
const WARN_INTERVAL_MS = 60_000;

/**
 * Writes the trace entries the translator records: each becomes a row of the trace record being
 * built as it is recorded (its exchange masked once per distinct exchange, below), and every so
 * often (or once enough wait) the records built are sent to one partition of the traces topic
 * (the next one each time), then one index message says which events each record holds (their
 * key hashes and the record's offset).
 * A trace is observability, not data: a write Kafka refuses is dropped and counted, never retried
 * at the expense of deliveries, and a crash loses at most the entries of one interval.
 */
export class TraceWriter implements TraceRecorder {
  /** The records of the next write, the last one still being built. */
  private pending: WaitingWrite = { records: [], keys: [], entries: 0 };
  private building: TraceRecordBuilder | undefined;
  /** The events of the record being built (an event at several instances is indexed once). */
  private buildingKeys = new Set<number>();
  /**
   * Exchanges traced with their request body, or whose answer is too long to key: masked once
   * each, when their first entry is recorded (a batch request's events share one). The entry then
   * holds only the masked copy, and the request (with its body) dies with its batch instead of
   * living until the next write, which would carry it into the old generation.
   */
  private readonly maskedOnce = new WeakMap<Exchange, TraceExchange>();
  /**
   * Bodiless exchanges by what they read (`bodilessExchangeKey`): a healthy instance's requests
   * and answers are mostly those of the one before, so each distinct one is masked once, not once
   * per event, and a record holds it once for all its entries.
   */
  private readonly bodiless = new Map<string, TraceExchange>();
  /** Per masker (an instance's credentials), its last bodiless exchange and how it was traced. */
  private readonly lastBodiless = new WeakMap<SecretMasker, { exchange: Exchange; traced: TraceExchange }>();
  /** A number per masker (per instance's credentials) for the keys. */
  private readonly maskerIds = new WeakMap<SecretMasker, number>();
  private maskers = 0;
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  private partition: number;
  private lastWarning = 0;
  private readonly entries;
  private readonly flushEntries: number;
  private readonly maxPending: number;

  constructor(private readonly options: TraceWriterOptions) {
    this.partition = Math.floor(Math.random() * options.partitions);
    this.flushEntries = options.flushEntries ?? 5000;
    this.maxPending = options.maxPendingEntries ?? 100_000;
    this.entries = options.meter.createCounter('manifold_translator_trace_entries', {
      description:
        'Per-event trace entries written to the traces topic, or dropped (Kafka refused them, or too many waited)',
    });
  }

  start(): void {
    this.timer = setInterval(() => void this.flush(), this.options.flushIntervalMs);
    this.timer.unref();
  }

  record({ entry, exchange }: PendingTraceEntry): void {
    if (this.pending.entries >= this.maxPending) {
      this.entries.add(1, { result: 'dropped' });
      return;
    }
    let traced: TraceExchange | undefined;
    if (exchange) {
      const durationMs = exchange.durationMs ?? 0;
      entry.sentAt = Math.round((exchange.answeredAt ?? Date.now()) - durationMs);
      entry.durationMs = Math.round(durationMs);
      traced = this.mask(exchange, entry.outcome !== 'delivered');
    }
    let record = this.building;
    if (!record || record.size >= ENTRIES_PER_RECORD || record.bodyChars >= BODY_CHARS_PER_RECORD) {
      this.closeRecord();
      record = this.building = new TraceRecordBuilder();
    }
    record.add(entry, traced);
    this.buildingKeys.add(traceKeyHash(entry.workspaceId, entry.messageId));
    if (++this.pending.entries >= this.flushEntries) void this.flush();
  }

  /** The record being built joins the next write's. */
  private closeRecord(): void {
    if (!this.building) return;
    const { records, keys } = this.pending;
    for (const hash of this.buildingKeys) keys.push(hash, records.length);
    records.push(this.building.finish());
    this.building = undefined;
    this.buildingKeys = new Set();
  }

  /**
   * The exchange as the trace keeps it. Its request body is kept when TRACE_REQUEST_BODIES says
   * all, or when an event of it did not get through.
   */
  private mask(exchange: Exchange, unsuccessful: boolean): TraceExchange {
    const { bodyChars } = this.options;
    const withBody = (this.options.requestBodies === 'all' || unsuccessful) && exchange.request.body !== undefined;
    if (!withBody) {
      const masker = maskerOf(exchange.request);
      // Most often this instance's exchange reads like its previous one: no key to build.
      const last = this.lastBodiless.get(masker);
      if (last && readSameBodiless(exchange, last.exchange)) return last.traced;
      const key = bodilessExchangeKey(exchange, this.maskerId(masker));
      if (key !== undefined) {
        let traced = this.bodiless.get(key);
        if (!traced) {
          traced = traceExchange(exchange, bodyChars, false);
          if (this.bodiless.size >= MAX_INTERNED) this.bodiless.clear();
          this.bodiless.set(key, traced);
        }
        this.lastBodiless.set(masker, { exchange, traced });
        return traced;
      }
    }
    let traced = this.maskedOnce.get(exchange);
    // Masked again with the body when a delivered event of the same batch came first.
    if (!traced || (withBody && traced.request.body === undefined)) {
      traced = traceExchange(exchange, bodyChars, withBody);
      this.maskedOnce.set(exchange, traced);
    }
    return traced;
  }

  private maskerId(masker: SecretMasker): number {
    let id = this.maskerIds.get(masker);
    if (id === undefined) this.maskerIds.set(masker, (id = ++this.maskers));
    return id;
  }

  /** Writes what waits; resolves once Kafka has it (or it was dropped). */
  flush(): Promise<void> {
    if (this.pending.entries === 0) return this.writing;
    this.closeRecord();
    const batch = this.pending;
    this.pending = { records: [], keys: [], entries: 0 };
    this.writing = this.writing.then(() => this.write(batch));
    return this.writing;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }

  private async write({ records, keys, entries }: WaitingWrite): Promise<void> {
    const partition = this.partition;
    this.partition = (this.partition + 1) % this.options.partitions;
    const messages: OutgoingMessage[] = records.map((value) => ({ value, partition }));
    try {
      const sent = await this.options.producer.send(this.options.topic, messages, { timeoutMs: PRODUCE_TIMEOUT_MS });
      const baseOffset = sent.find((s) => s.partition === partition)?.baseOffset;
      if (baseOffset === undefined)
        throw new Error(`Kafka did not say where the trace records of partition ${partition} went`);
      const index: TraceIndexMessage = {
        v: 1,
        partition,
        baseOffset,
        records: records.length,
        at: new Date().toISOString(),
        keys,
      };
      await this.options.producer.send(this.options.indexTopic, [{ value: JSON.stringify(index) }], {
        timeoutMs: PRODUCE_TIMEOUT_MS,
      });
      this.entries.add(entries, { result: 'written' });
    } catch (error) {
      this.entries.add(entries, { result: 'dropped' });
      const now = Date.now();
      if (now - this.lastWarning > WARN_INTERVAL_MS) {
        this.lastWarning = now;
        this.options.logger.warn({ err: error, entries }, 'trace entries not written; dropped');
      }
    }
  }
}
