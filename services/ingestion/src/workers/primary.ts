import cluster, { type Worker } from 'node:cluster';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '@manifold/logger';
import type { DebuggerEntry } from '../debugger/live-debugger';
import { mergeWorkerMetrics } from './merge-metrics';
import { WORKER_SLOT_ENV, type PrimaryMessage, type WorkerMessage } from './messages';

export interface PrimaryOptions {
  workers: number;
  adminPort: number;
  adminHost?: string;
  logger: Logger;
  /** How long shutdown waits for the workers to drain before killing them (ms). */
  shutdownTimeoutMs?: number;
  /** Stop on SIGTERM/SIGINT and exit; tests turn it off. */
  handleSignals?: boolean;
}

export interface RunningPrimary {
  /** The shared listener's URL, as the first worker reported it. */
  url: string;
  adminPort: number;
  /** The live workers' process ids, by slot. */
  pids(): number[];
  shutdown(reason?: string): Promise<void>;
}

interface Slot {
  index: number;
  worker: Worker;
  adminPort?: number;
  startedAt: number;
}

/** A worker that lived less than this before dying is restarted after a pause (ms). */
const CRASH_LOOP_MS = 5000;
const RESTART_PAUSE_MS = 1000;
const COLLECT_TIMEOUT_MS = 2000;

/**
 * The primary of workers mode: forks the workers (which share the listening port through the
 * cluster module), replaces one that dies, stops them all on SIGTERM, serves the one admin port
 * (readiness and metrics of all workers together), and relays the state the workers share.
 */
export async function runPrimary(options: PrimaryOptions): Promise<RunningPrimary> {
  const { logger } = options;
  const slots: Array<Slot | undefined> = [];
  /** Which workers' debugger streams watch a source. */
  const watching = new Map<string, Set<number>>();
  const collecting = new Map<number, { parts: DebuggerEntry[][]; waiting: Set<number>; done(): void }>();
  let nextCollectId = 1;
  let draining = false;
  let url: string | undefined;
  let resolveStarted: (() => void) | undefined;
  let rejectStarted: ((error: Error) => void) | undefined;
  const started = new Promise<void>((resolve, reject) => {
    resolveStarted = resolve;
    rejectStarted = reject;
  });

  const live = (): Slot[] => slots.filter((s): s is Slot => s !== undefined);
  const send = (slot: Slot, message: PrimaryMessage): void => {
    if (slot.worker.isConnected()) slot.worker.send(message);
  };

  const setForwarding = (sourceId: string, on: boolean): void => {
    for (const slot of live()) send(slot, { kind: 'debugger-forward', sourceId, on });
  };

  const receive = (slot: Slot, message: WorkerMessage): void => {
    switch (message.kind) {
      case 'ready':
        slot.adminPort = message.adminPort;
        url ??= message.url;
        if (live().every((s) => s.adminPort !== undefined) && live().length === options.workers) resolveStarted?.();
        return;
      case 'rate-taken':
        for (const other of live()) if (other !== slot) send(other, message);
        return;
      case 'debugger-watch': {
        let set = watching.get(message.sourceId);
        if (message.on) {
          if (!set) {
            set = new Set();
            watching.set(message.sourceId, set);
            setForwarding(message.sourceId, true);
          }
          set.add(slot.index);
        } else if (set) {
          set.delete(slot.index);
          if (set.size === 0) {
            watching.delete(message.sourceId);
            setForwarding(message.sourceId, false);
          }
        }
        return;
      }
      case 'debugger-entry':
        for (const index of watching.get(message.entry.sourceId) ?? []) {
          const target = slots[index];
          if (target) send(target, message);
        }
        return;
      case 'debugger-recent': {
        const collectId = nextCollectId++;
        const targets = live();
        const reply = (): void => {
          clearTimeout(timer);
          collecting.delete(collectId);
          const merged = collection.parts.flat().sort((a, b) => a.seq - b.seq);
          const entries = merged.slice(Math.max(0, merged.length - message.limit));
          send(slot, { kind: 'debugger-recent', requestId: message.requestId, entries });
        };
        // A worker that dies meanwhile does not hold the answer up.
        const timer = setTimeout(reply, COLLECT_TIMEOUT_MS);
        const collection = {
          parts: [] as DebuggerEntry[][],
          waiting: new Set(targets.map((t) => t.index)),
          done: reply,
        };
        collecting.set(collectId, collection);
        for (const target of targets) {
          send(target, {
            kind: 'debugger-collect',
            requestId: collectId,
            sourceId: message.sourceId,
            limit: message.limit,
            after: message.after,
          });
        }
        return;
      }
      case 'debugger-part': {
        const collection = collecting.get(message.requestId);
        if (!collection) return;
        collection.parts.push(message.entries);
        collection.waiting.delete(slot.index);
        if (collection.waiting.size === 0) collection.done();
        return;
      }
    }
  };

  const fork = (index: number): void => {
    const worker = cluster.fork({ [WORKER_SLOT_ENV]: String(index), ADMIN_PORT: '0' });
    const slot: Slot = { index, worker, startedAt: Date.now() };
    slots[index] = slot;
    worker.on('message', (message: WorkerMessage) => receive(slot, message));
    worker.on('online', () => {
      for (const sourceId of watching.keys()) send(slot, { kind: 'debugger-forward', sourceId, on: true });
    });
    worker.on('exit', (code, signal) => {
      if (slots[index] === slot) slots[index] = undefined;
      for (const [sourceId, set] of watching) {
        if (set.delete(index) && set.size === 0) {
          watching.delete(sourceId);
          setForwarding(sourceId, false);
        }
      }
      for (const collection of [...collecting.values()]) {
        if (collection.waiting.delete(index) && collection.waiting.size === 0) collection.done();
      }
      if (draining) return;
      if (!url) {
        rejectStarted?.(new Error(`worker ${index} exited before it served (code ${code}, signal ${signal})`));
        return;
      }
      const lived = Date.now() - slot.startedAt;
      logger.error({ worker: index, code, signal, livedMs: lived }, 'ingestion worker died; starting another');
      setTimeout(
        () => {
          if (!draining) fork(index);
        },
        lived < CRASH_LOOP_MS ? RESTART_PAUSE_MS : 0,
      );
    });
  };

  const workerGet = async (slot: Slot, path: string): Promise<{ status: number; text: string }> => {
    const res = await fetch(`http://127.0.0.1:${slot.adminPort}${path}`, { signal: AbortSignal.timeout(5000) });
    return { status: res.status, text: await res.text() };
  };

  const admin: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const reporting = live().filter((s) => s.adminPort !== undefined);
    if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    } else if (path === '/readyz') {
      void Promise.all(
        reporting.map((s) =>
          workerGet(s, '/readyz').then(
            (r) => ({ worker: s.index, ready: r.status === 200 }),
            () => ({ worker: s.index, ready: false }),
          ),
        ),
      ).then((workers) => {
        // One worker being replaced does not take the whole process out of the load balancer.
        const ready = !draining && workers.some((w) => w.ready);
        res
          .writeHead(ready ? 200 : 503, { 'content-type': 'application/json' })
          .end(JSON.stringify({ ready, draining, workers }));
      });
    } else if (path === '/metrics') {
      void Promise.all(
        reporting.map((s) =>
          workerGet(s, '/metrics').then(
            (r) => ({ worker: String(s.index), text: r.text }),
            () => ({ worker: String(s.index), text: '' }),
          ),
        ),
      ).then((texts) => {
        res
          .writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' })
          .end(mergeWorkerMetrics(texts));
      });
    } else {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
    }
  });

  let stopping: Promise<void> | undefined;
  const shutdown = (reason = 'requested'): Promise<void> =>
    (stopping ??= (async () => {
      draining = true;
      logger.info({ reason, workers: live().length }, 'stopping the ingestion workers');
      const exits = live().map((slot) =>
        slot.worker.isDead()
          ? Promise.resolve()
          : new Promise<void>((resolve) => slot.worker.once('exit', () => resolve())),
      );
      // Each worker drains as a single process does: stops taking requests, answers those in
      // progress, flushes to Kafka, disconnects.
      for (const slot of live()) slot.worker.process.kill('SIGTERM');
      const forced = setTimeout(() => {
        logger.error('ingestion workers did not stop in time; killing them');
        for (const slot of live()) slot.worker.process.kill('SIGKILL');
      }, options.shutdownTimeoutMs ?? 28000);
      await Promise.all(exits);
      clearTimeout(forced);
      await new Promise((resolve) => admin.close(resolve));
      logger.info('ingestion stopped');
    })());

  if (options.handleSignals ?? true) {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      process.once(signal, () => {
        void shutdown(signal).then(() => process.exit(0));
      });
    }
  }

  await new Promise<void>((resolve, reject) => {
    admin.once('error', reject);
    admin.listen(options.adminPort, options.adminHost ?? '0.0.0.0', () => resolve());
  });
  for (let i = 0; i < options.workers; i++) fork(i);
  try {
    await started;
  } catch (error) {
    await shutdown('a worker failed to start');
    throw error;
  }
  const adminPort = (admin.address() as AddressInfo).port;
  logger.info({ workers: options.workers, url, adminPort }, 'ingestion workers serving');
  return {
    url: url as string,
    adminPort,
    pids: () => live().map((s) => s.worker.process.pid as number),
    shutdown,
  };
}
