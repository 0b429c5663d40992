import { randomUUID } from 'node:crypto';
import type { ConfigView } from '@manifold/config-client';
import type { EventProducer } from '@manifold/kafka';
import { SaidOnce, type Logger } from '@manifold/logger';
import { scheduleDue, type ReverseEtlModel, type ReverseEtlRun, type ReverseEtlStore } from '@manifold/reverse-etl';
import { createEngine } from '@manifold/warehouse';
import { runModel } from './model-run';

export interface ReverseEtlRunnerOptions {
  store: ReverseEtlStore;
  /** Where the models' warehouses (and their settings) are. */
  config: ConfigView;
  producer: EventProducer;
  eventsTopic: string;
  logger: Logger;
  /** How often models are looked at for a due run. Default 5 s. */
  checkIntervalMs?: number;
  /** How long a model's lease lasts unless renewed (it is renewed at a third of it). Default 60 s. */
  leaseMs?: number;
  /** Row changes per page. Default 1,000. */
  pageSize?: number;
  /**
   * How long a run waits for its deliveries' outcomes once every change is published; then it
   * succeeds with the deliveries still without one counted as missing (e.g. a translator down).
   * Default 5 h: longer than the translators' default retry window (4 h).
   */
  deliveryTimeoutMs?: number;
  /** How often a run looks whether its model is being deleted (then it stops between pages). Default 1 s. */
  deleteCheckMs?: number;
}

export interface ReverseEtlRunner {
  /** Looks at every enabled model once now (besides the periodic checks); resolves when the runs it started end. */
  checkNow(): Promise<void>;
  /** Stops between pages: a run in progress is left to be resumed by the next runner. */
  stop(): Promise<void>;
}

/**
 * Runs models on their schedule or on "run now", one runner per model at a time across replicas
 * (a lease in MongoDB), and takes up runs a stopped runner left unfinished.
 */
export function startReverseEtlRunner(options: ReverseEtlRunnerOptions): ReverseEtlRunner {
  const log = options.logger.child({ component: 'reverse-etl' });
  const holder = randomUUID();
  const leaseMs = options.leaseMs ?? 60000;
  const stopping = new AbortController();
  const active = new Map<string, Promise<void>>();

  const runWithLease = async (
    model: ReverseEtlModel,
    trigger: ReverseEtlRun['trigger'],
    unfinished: ReverseEtlRun | undefined,
    reset: boolean,
  ) => {
    const renew = setInterval(() => {
      options.store.acquireLease(model.id, holder, leaseMs).catch((error: unknown) => {
        log.warn({ err: error, modelId: model.id }, 'could not renew the model lease');
      });
    }, leaseMs / 3);
    // Deleting the model cancels its run between pages (the control plane waits for it, then deletes).
    const deleting = new AbortController();
    const watchDelete = setInterval(() => {
      options.store
        .model(model.id)
        .then((now) => {
          if (!now || now.deleteRequestedAt !== undefined) deleting.abort();
        })
        .catch(() => undefined);
    }, options.deleteCheckMs ?? 1000);
    const warehouse = options.config.warehouses().find((w) => w.id === model.warehouseId);
    try {
      if (!warehouse) throw new Error(`warehouse ${model.warehouseId} is not configured or is disabled`);
      const { engine } = createEngine(warehouse.kind, warehouse.settings, log);
      try {
        const connections = await options.store.connectionsOf(model.id);
        if (reset) {
          // What a run in progress would have sent is abandoned with the result it came from.
          if (unfinished) {
            await options.store.updateRun(unfinished.id, {
              status: 'failed',
              phase: 'done',
              finishedAt: new Date().toISOString(),
              error: { code: 'RESET', message: 'the model was reset before this run finished' },
            });
          }
          await engine.models.reset(model.id);
          log.info({ modelId: model.id }, 'model reset: its next run starts from no previous result');
        }
        const run = await runModel(
          {
            store: options.store,
            producer: options.producer,
            eventsTopic: options.eventsTopic,
            logger: log,
            pageSize: options.pageSize ?? 1000,
            signal: AbortSignal.any([stopping.signal, deleting.signal]),
          },
          model,
          connections,
          engine,
          { trigger, unfinished: reset ? undefined : unfinished },
        );
        if (run.status === 'running' && deleting.signal.aborted && !stopping.signal.aborted) {
          await options.store.cancelRun(run);
          await engine.models.discard(model.id);
          const canceled = await options.store.run(run.id);
          log.info(
            { modelId: model.id, runId: run.id, published: canceled?.published },
            'model run canceled: the model is being deleted',
          );
        }
      } finally {
        await engine.close();
      }
    } catch (error) {
      // Left as it is (running, at its last page): the next check takes it up again.
      const message = error instanceof Error ? error.message : String(error);
      log.warn({ err: error, modelId: model.id }, 'model run interrupted; it resumes at the next check');
      const current = unfinished ?? (await options.store.unfinishedRun(model.id).catch(() => undefined));
      if (current) await options.store.updateRun(current.id, { lastAttemptError: message }).catch(() => undefined);
    } finally {
      clearInterval(renew);
      clearInterval(watchDelete);
      await options.store.releaseLease(model.id, holder).catch(() => undefined);
    }
  };

  const deliveryTimeoutMs = options.deliveryTimeoutMs ?? 5 * 3600 * 1000;
  /** Stops waiting for the deliveries of runs whose delivery timeout passed. */
  const endOverdueDeliveries = async (now: Date): Promise<void> => {
    for (const run of await options.store.deliveringRuns()) {
      const since = Date.parse(run.deliveringSince ?? run.startedAt);
      if (now.getTime() - since < deliveryTimeoutMs) continue;
      if (await options.store.stopWaiting(run.id, now)) {
        const ended = await options.store.run(run.id);
        log.warn(
          { modelId: run.modelId, runId: run.id, missingDeliveries: ended?.missingDeliveries },
          'model run stopped waiting for its deliveries (delivery timeout); the rest are counted missing',
        );
      }
    }
  };

  /** Starts the runs due; resolves with them once started (the checks do not wait for runs). */
  const check = async (): Promise<Array<Promise<void>>> => {
    const now = new Date();
    await endOverdueDeliveries(now);
    const started: Array<Promise<void>> = [];
    for (const model of await options.store.listModels({ enabled: true })) {
      if (active.has(model.id) || stopping.signal.aborted || model.deleteRequestedAt !== undefined) continue;
      // One model that cannot be looked at (a record of an older shape, say) is skipped and said
      // once: it must not hold up the models listed after it.
      try {
        const running = await startIfDue(model, now);
        if (running) started.push(running);
        said.gone(`check:${model.id}`);
      } catch (error) {
        if (said.first(`check:${model.id}`, String(error))) {
          log.error(
            { err: error, modelId: model.id },
            'reverse ETL model skipped: it could not be checked for a due run',
          );
        }
      }
    }
    return started;
  };

  /** Problems that persist from check to check, logged once each. */
  const said = new SaidOnce();

  /**
   * Whether the model's schedule has a run due. A schedule that does not parse (saved by hand, or
   * by a version that read it differently; the API refuses one) is never due, and said once: "run
   * now" and an unfinished run still go ahead.
   */
  const scheduledRunDue = (model: ReverseEtlModel, last: ReverseEtlRun | undefined, now: Date): boolean => {
    try {
      const due = scheduleDue(
        model.schedule,
        last ? new Date(last.startedAt) : undefined,
        now,
        new Date(model.createdAt),
      );
      said.gone(`schedule:${model.id}`);
      return due;
    } catch (error) {
      if (said.first(`schedule:${model.id}`, String(error))) {
        log.error(
          { err: error, modelId: model.id, schedule: model.schedule },
          'reverse ETL model has a schedule that cannot be read: it runs only when asked to, until its schedule is saved again',
        );
      }
      return false;
    }
  };

  /** Starts a run of the model if one is due (or unfinished) and this runner gets its lease. */
  /** What the model's runs so far make due now: nothing, its unfinished run, or a new run. */
  const dueRun = async (model: ReverseEtlModel, now: Date) => {
    const unfinished = await options.store.unfinishedRun(model.id);
    const [last] = unfinished ? [unfinished] : await options.store.runsOf(model.id, 1);
    const manual = model.runRequestedAt !== undefined && (!last || model.runRequestedAt > last.startedAt);
    const reset = model.resetRequestedAt !== undefined && (!last || model.resetRequestedAt > last.startedAt);
    const due = unfinished !== undefined || manual || scheduledRunDue(model, last, now);
    return { due, unfinished, manual, reset };
  };

  const startIfDue = async (model: ReverseEtlModel, now: Date): Promise<Promise<void> | undefined> => {
    const seen = await dueRun(model, now);
    if (!seen.due) return undefined;
    const connections = await options.store.connectionsOf(model.id);
    if (!seen.unfinished && !connections.some((c) => c.enabled)) return undefined;
    if (!(await options.store.acquireLease(model.id, holder, leaseMs))) return undefined;
    // Read again under the lease: a delete marked since the list waits for this lease to end,
    // so a model not marked now is not deleted under the run (see the control plane's delete).
    const current = await options.store.model(model.id);
    // And its runs: another replica may have run it between the look above and this lease (its
    // run started and ended meanwhile), and the schedule or "run now" it served is not due twice.
    const taken = current ? await dueRun(current, now) : undefined;
    if (!current || current.deleteRequestedAt !== undefined || !current.enabled || !taken?.due) {
      await options.store.releaseLease(model.id, holder);
      return undefined;
    }
    const { unfinished, manual, reset } = taken;
    const running = runWithLease(current, manual ? 'manual' : 'schedule', unfinished, reset).finally(() =>
      active.delete(model.id),
    );
    active.set(model.id, running);
    return running;
  };

  // One check at a time: each waits for the one before it.
  let checking: Promise<Array<Promise<void>>> = Promise.resolve([]);
  const tick = (): Promise<Array<Promise<void>>> => {
    checking = checking.then(check).catch((error: unknown) => {
      log.warn({ err: error }, 'reverse ETL check failed; trying again at the next');
      return [];
    });
    return checking;
  };
  const timer = setInterval(() => void tick(), options.checkIntervalMs ?? 5000);

  return {
    async checkNow() {
      await Promise.all(await tick());
    },
    async stop() {
      clearInterval(timer);
      stopping.abort();
      await Promise.allSettled([...active.values()]);
    },
  };
}
