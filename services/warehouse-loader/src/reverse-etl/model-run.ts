import { EVENTS_TOPIC_MAX_MESSAGE_BYTES } from '@manifold/events';
import {
  approximateMessageBytes,
  fitsOneRecordBatch,
  groupByBytes,
  messageBytes,
  type EventProducer,
  type SendableMessage,
} from '@manifold/kafka';
import type { Logger } from '@manifold/logger';
import {
  rowChangeEncoder,
  zeroCounts,
  type RefusedRowChange,
  type ReverseEtlConnection,
  type RowEventContext,
  type ReverseEtlModel,
  type ReverseEtlRun,
  type ReverseEtlStore,
} from '@manifold/reverse-etl';
import {
  CHANGE_KINDS,
  ModelRunError,
  type ChangeKind,
  type RowChange,
  type WarehouseEngine,
} from '@manifold/warehouse';
import { changePages } from './change-pages';
import { PagePipeline } from './page-pipeline';
import { Pacer } from './pacer';

export interface ModelRunDeps {
  store: ReverseEtlStore;
  producer: EventProducer;
  eventsTopic: string;
  logger: Logger;
  /** Row changes published at a time; a resumed run may publish the pages sent unrecorded again (five at most). */
  pageSize: number;
  /** Set when the runner stops: the run stops between pages, to be resumed by the next runner. */
  signal: AbortSignal;
}

/**
 * One run of a model, or the rest of one a runner did not finish: diff in the warehouse, publish
 * each row change of a kind some connection takes as an event of the model, page by page in key
 * order (each page recorded once Kafka holds it), then promote the result to the snapshot and
 * wait (`delivering`) for the deliveries' outcomes. Resolves with the run as recorded; a run left
 * `running` (stopped, or Kafka failing) is taken up again from its last recorded page.
 */
export async function runModel(
  deps: ModelRunDeps,
  model: ReverseEtlModel,
  connections: readonly ReverseEtlConnection[],
  engine: WarehouseEngine,
  taken: { trigger: ReverseEtlRun['trigger']; unfinished: ReverseEtlRun | undefined },
): Promise<ReverseEtlRun> {
  const { store } = deps;
  const log = deps.logger.child({ modelId: model.id });
  let run = taken.unfinished ?? (await startRun(store, model, taken.trigger));
  const finish = async (fields: Partial<ReverseEtlRun>): Promise<ReverseEtlRun> => {
    const finishedAt = new Date().toISOString();
    const done: Partial<ReverseEtlRun> = {
      phase: 'done',
      finishedAt,
      durationMs: Date.parse(finishedAt) - Date.parse(run.startedAt),
      ...fields,
    };
    await store.updateRun(run.id, done);
    run = { ...run, ...done };
    log.info({ runId: run.id, status: run.status, counts: run.counts, published: run.published }, 'model run finished');
    return run;
  };

  if (run.phase === 'publishing' && !(await engine.models.hasPrepared(model.id))) {
    return finish({
      status: 'failed',
      error: {
        code: 'NO_PREPARED_CHANGES',
        message: 'the changes this run was publishing are gone from the warehouse',
      },
    });
  }
  if (run.phase === 'preparing') {
    try {
      // "Start from now" is the model's first result only: a reset later (the snapshot forgotten)
      // sends every row as added, as it does for any model.
      const startFromNow = model.startFromNow && !(await store.hasCompletedRun(model.id));
      const prepared = await engine.models.prepare(
        { modelId: model.id, sql: model.sql, identifierColumn: model.identifierColumn },
        { startFromNow },
      );
      await store.updateRun(run.id, { phase: 'publishing', counts: prepared.counts });
      run = { ...run, phase: 'publishing', counts: prepared.counts };
    } catch (error) {
      await engine.models.discard(model.id).catch(() => undefined);
      return finish({
        status: 'failed',
        error:
          error instanceof ModelRunError
            ? { code: error.code, message: error.message }
            : { code: 'WAREHOUSE_UNAVAILABLE', message: engine.describeError(error) },
      });
    }
  }
  if (run.phase === 'publishing') {
    const completed = await publishChanges(deps, model, connections, engine, run);
    if (!completed) return run;
    await store.updateRun(run.id, { phase: 'promoting' });
    run = { ...run, phase: 'promoting' };
  }
  // 'promoting': the changes table goes with the promotion, so its absence means it happened.
  if (await engine.models.hasPrepared(model.id)) await engine.models.promote(model.id);
  return startDelivering(store, run, connections, log);
}

/**
 * Every change is out: the run waits for each delivery's outcome (the delivery-report consumer
 * counts them and ends it; the runner's checks end it at the delivery timeout). A run that
 * expects none ends at once.
 */
async function startDelivering(
  store: ReverseEtlStore,
  run: ReverseEtlRun,
  connections: readonly ReverseEtlConnection[],
  log: Logger,
): Promise<ReverseEtlRun> {
  const recorded = (await store.run(run.id)) ?? run;
  const fields: Partial<ReverseEtlRun> = {
    status: 'delivering',
    phase: 'delivering',
    deliveringSince: new Date().toISOString(),
    // The refused rows' outcomes were counted when their pages were recorded.
    expectedDeliveries: expectedDeliveries(recorded.published, connections) + (await store.refusedOutcomes(run.id)),
    published: recorded.published,
    skipped: recorded.skipped,
  };
  await store.updateRun(run.id, fields);
  await store.completeIfDelivered(run.id);
  const now = (await store.run(run.id)) ?? { ...recorded, ...fields };
  log.info({ runId: run.id, status: now.status, published: now.published }, 'model run published every change');
  return now;
}

/**
 * One outcome per published change and destination instance that takes its kind (two
 * connections to one instance are one mapping match: one outcome).
 */
export function expectedDeliveries(
  published: Record<ChangeKind, number>,
  connections: readonly ReverseEtlConnection[],
): number {
  const kindsPerInstance = new Map<string, Set<ChangeKind>>();
  for (const connection of connections.filter((c) => c.enabled)) {
    const kinds = kindsPerInstance.get(connection.destinationId) ?? new Set<ChangeKind>();
    for (const kind of connection.changeKinds) kinds.add(kind);
    kindsPerInstance.set(connection.destinationId, kinds);
  }
  let expected = 0;
  for (const kinds of kindsPerInstance.values()) for (const kind of kinds) expected += published[kind];
  return expected;
}

async function startRun(
  store: ReverseEtlStore,
  model: ReverseEtlModel,
  trigger: ReverseEtlRun['trigger'],
): Promise<ReverseEtlRun> {
  const run: ReverseEtlRun = {
    id: store.newId(),
    modelId: model.id,
    workspaceId: model.workspaceId,
    trigger,
    status: 'running',
    phase: 'preparing',
    startedAt: new Date().toISOString(),
    rowText: 'warehouse',
    counts: zeroCounts(),
    published: zeroCounts(),
    skipped: zeroCounts(),
  };
  await store.insertRun(run);
  return run;
}

/** Warehouse reads are this many pages each (see changePages). */
const PAGES_PER_READ = 5;
/**
 * A produce request's messages, at most (approximateMessageBytes). The events topic takes record
 * batches of up to EVENTS_TOPIC_MAX_MESSAGE_BYTES (8 MiB) and refuses a larger one whole, which
 * would leave the run retrying that page forever. Half of it holds even if
 * every message of a request went to one partition and its text weighed twice its length (text
 * other than ASCII). A page of typical rows goes in one request, a page of wide rows in several;
 * a single event larger than the topic takes is refused before (refusedRow).
 */
const MAX_SEND_BYTES = EVENTS_TOPIC_MAX_MESSAGE_BYTES / 2;

/** Sends a page's messages, in order, in requests the broker takes; resolves once all are acknowledged. */
function sendPage(deps: ModelRunDeps, messages: SendableMessage[]): Promise<unknown> {
  if (messages.length === 0) return Promise.resolve();
  const groups = groupByBytes(messages, MAX_SEND_BYTES, approximateMessageBytes);
  if (groups.length === 1) return deps.producer.send(deps.eventsTopic, messages);
  // Each request settles before the page does, so that nothing of a failed page is still in
  // flight once the run stops (they go out in order: one request in flight per broker).
  return Promise.allSettled(groups.map((group) => deps.producer.send(deps.eventsTopic, group))).then((results) => {
    const failed = results.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
  });
}

/**
 * Pages sent and not yet recorded, at most (see PagePipeline): Kafka acknowledges a page in 10–50
 * ms on a busy broker, and a MongoDB write takes as long, so this many pages keep both busy. It
 * is also what a resumed run may publish again.
 */
const MAX_UNRECORDED_PAGES = 4;

/**
 * Publishes the pages after the run's last key; false when the runner stopped before the end.
 * Pipelined, in key order: the warehouse read after the current one is under way, later pages are
 * built and sent while earlier ones await Kafka's acknowledgement, and acknowledged pages are
 * recorded in MongoDB (several in one write) while later pages go out. A page is recorded only
 * with or after every page before it, so a crash leaves the run at a page whose every predecessor
 * was published; the resumed run republishes the pages that were unrecorded (at most
 * MAX_UNRECORDED_PAGES + 1; same messageIds, so translators deliver each row once) and counts each
 * page once (recordPage applies only from the key the run is at).
 */
async function publishChanges(
  deps: ModelRunDeps,
  model: ReverseEtlModel,
  connections: readonly ReverseEtlConnection[],
  engine: WarehouseEngine,
  run: ReverseEtlRun,
): Promise<boolean> {
  const enabled = connections.filter((c) => c.enabled);
  const kinds = new Set<ChangeKind>(enabled.flatMap((c) => c.changeKinds));
  const instancesTaking = (kind: ChangeKind): string[] => [
    ...new Set(enabled.filter((c) => c.changeKinds.includes(kind)).map((c) => c.destinationId)),
  ];
  // One event per row change serves every connection: the slowest instance sets the pace.
  const rate = Math.min(...enabled.map((c) => c.rowsPerSecond));
  const pacer = new Pacer(rate, deps.signal);
  const pageSize = Math.max(1, Math.min(deps.pageSize, rate));
  const context: RowEventContext = {
    modelId: model.id,
    workspaceId: model.workspaceId,
    runId: run.id,
    runStartedAt: run.startedAt,
    ...(run.rowText ? { rowText: run.rowText } : {}),
  };
  const pipeline = new PagePipeline<SentPage>(MAX_UNRECORDED_PAGES, async (pages) => {
    // Before the pages: a crash in between refuses the same rows again, counted once.
    const refused = pages.flatMap((page) => page.refused);
    if (refused.length > 0) await deps.store.recordRefusedRows(run.id, refused);
    const published = zeroCounts();
    const skipped = zeroCounts();
    for (const page of pages) {
      for (const kind of CHANGE_KINDS) {
        published[kind] += page.published[kind];
        skipped[kind] += page.skipped[kind];
      }
    }
    const first = pages[0] as SentPage;
    const last = pages.at(-1) as SentPage;
    return deps.store.recordPage(run.id, first.previousKey, last.lastKey, published, skipped);
  });
  let lastKey = run.lastKey;
  try {
    for await (const page of changePages(engine.models, model.id, lastKey, pageSize, PAGES_PER_READ)) {
      if (deps.signal.aborted) break;
      const published = zeroCounts();
      const skipped = zeroCounts();
      const encode = rowChangeEncoder(context, new Date().toISOString());
      const messages = [];
      const refused: RefusedRowChange[] = [];
      for (const change of page) {
        if (!kinds.has(change.kind)) {
          skipped[change.kind]++;
          continue;
        }
        const message = encode(change);
        if (!fitsOneRecordBatch(message, EVENTS_TOPIC_MAX_MESSAGE_BYTES)) {
          refused.push(refusedRow(change, messageBytes(message), instancesTaking(change.kind)));
          continue;
        }
        published[change.kind]++;
        messages.push(message);
      }
      if (refused.length > 0) {
        deps.logger.warn(
          { modelId: model.id, runId: run.id, rows: refused.length },
          'row changes too large for the events topic were not published; each is dead-lettered with the reason',
        );
      }
      await pacer.take(messages.length);
      const previousKey = lastKey;
      const pageLastKey = (page.at(-1) as RowChange).key;
      lastKey = pageLastKey;
      await pipeline.add(sendPage(deps, messages), {
        previousKey,
        lastKey: pageLastKey,
        published,
        skipped,
        refused,
      });
    }
    // Stopped or at the end: what was sent is recorded before the run is left or promoted.
    await pipeline.drain();
    return !deps.signal.aborted;
  } catch (error) {
    await pipeline.abandon();
    throw error;
  }
}

/** A page sent: where it starts and ends in key order, and what it held (recorded once Kafka holds it). */
interface SentPage {
  previousKey: string | undefined;
  lastKey: string;
  published: Record<ChangeKind, number>;
  skipped: Record<ChangeKind, number>;
  /** Row changes of the page that could not be published (each dead-lettered at once). */
  refused: RefusedRowChange[];
}

/**
 * A row change whose event the events topic cannot take (the broker refuses a record batch over
 * its `max.message.bytes` whole, so publishing it again would fail forever): dead-lettered at
 * every instance that takes its kind, with the reason, while the rest of the run goes on.
 */
function refusedRow(change: RowChange, bytes: number, destinationIds: string[]): RefusedRowChange {
  return {
    key: change.key,
    changeKind: change.kind,
    destinationIds,
    reason: 'EVENT_TOO_LARGE',
    message:
      `the row's event is ${bytes} bytes, more than the events topic takes (${EVENTS_TOPIC_MAX_MESSAGE_BYTES} bytes with its ` +
      `framing, max.message.bytes): it was not published; leave the widest columns out of the model's query or shorten them`,
    at: new Date().toISOString(),
  };
}
