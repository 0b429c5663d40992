import type { EventProducer } from '@manifold/kafka';
import type { Logger } from '@manifold/logger';
import {
  rowChangeMessage,
  zeroCounts,
  type ReverseEtlConnection,
  type ReverseEtlModel,
  type ReverseEtlRun,
  type ReverseEtlStore,
} from '@manifold/reverse-etl';
import { ModelRunError, type ChangeKind, type WarehouseEngine } from '@manifold/warehouse';
import { Pacer } from './pacer';

export interface ModelRunDeps {
  store: ReverseEtlStore;
  producer: EventProducer;
  eventsTopic: string;
  logger: Logger;
  /** Row changes read and published at a time; a page is also what a resumed run may publish twice. */
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
      const prepared = await engine.models.prepare(
        { modelId: model.id, sql: model.sql, identifierColumn: model.identifierColumn },
        { startFromNow: model.startFromNow },
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
    expectedDeliveries: expectedDeliveries(recorded.published, connections),
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
    counts: zeroCounts(),
    published: zeroCounts(),
    skipped: zeroCounts(),
  };
  await store.insertRun(run);
  return run;
}

/** Publishes the pages after the run's last key; false when the runner stopped before the end. */
async function publishChanges(
  deps: ModelRunDeps,
  model: ReverseEtlModel,
  connections: readonly ReverseEtlConnection[],
  engine: WarehouseEngine,
  run: ReverseEtlRun,
): Promise<boolean> {
  const enabled = connections.filter((c) => c.enabled);
  const kinds = new Set<ChangeKind>(enabled.flatMap((c) => c.changeKinds));
  // One event per row change serves every connection: the slowest instance sets the pace.
  const rate = Math.min(...enabled.map((c) => c.rowsPerSecond));
  const pacer = new Pacer(rate, deps.signal);
  const pageSize = Math.max(1, Math.min(deps.pageSize, rate));
  const context = { modelId: model.id, workspaceId: model.workspaceId, runId: run.id, runStartedAt: run.startedAt };
  let lastKey = run.lastKey;
  for (;;) {
    if (deps.signal.aborted) return false;
    const page = await engine.models.readChanges(model.id, lastKey, pageSize);
    if (page.length === 0) return true;
    const published = zeroCounts();
    const skipped = zeroCounts();
    const now = new Date().toISOString();
    const messages = [];
    for (const change of page) {
      if (!kinds.has(change.kind)) {
        skipped[change.kind]++;
        continue;
      }
      published[change.kind]++;
      messages.push(rowChangeMessage(context, change, now));
    }
    await pacer.take(messages.length);
    if (messages.length > 0) await deps.producer.send(deps.eventsTopic, messages);
    const pageLastKey = (page.at(-1) as { key: string }).key;
    await deps.store.recordPage(run.id, lastKey, pageLastKey, published, skipped);
    lastKey = pageLastKey;
  }
}
