import {
  batchSize,
  buildRequests,
  classifyNetworkError,
  classifyResponse,
  combineEventOutcome,
  drop,
  outcomeOfError,
  outcomesPerEvent,
  followUpRequests,
  noticesOf,
  Notices,
  type DeliveryOutcome,
  type DropOutcome,
  type Outcome,
  type DestinationDefinition,
  type RequestDescriptor,
  type ResponseOutcome,
} from '@manifold/destination-kit';
import type { HttpSender } from '../http/http-sender';
import type { KeyedLimiter } from '../http/keyed-limiter';
import { NOT_RESPONDING, type SlowInstances } from './slow-instances';
import type { DeliveryTask, Exchange, TaskResult } from './task';

export interface DeliveryHooks {
  /**
   * Do not attempt instances that stopped answering (the events topic): their events go to
   * retry (NOT_RESPONDING). Asked before each group and again when a request gets its slot, as
   * the instance may have gone silent while the request queued.
   */
  skipSilent?: boolean;
  /** An instance's results, once all of its requests of this delivery are answered. */
  onInstanceDone?(results: TaskResult[]): void;
}

/** A flow (request, follow-ups, ...) longer than this is a destination bug, not an API answer. */
const MAX_FLOW_STEPS = 10;

export interface DelivererOptions {
  destination: DestinationDefinition;
  sender: HttpSender;
  /** Per destination instance: how many requests may be in flight. */
  limiter: KeyedLimiter;
  /** Instances that stopped answering; every attempt's answer or timeout is recorded there. */
  slow: SlowInstances;
  /** Called after each response or network failure (metrics). */
  onRequest?(info: { status: number | undefined; durationMs: number }): void;
}

/**
 * Turns prepared events into requests and sends them: events of one instance with the same
 * batch key share requests (up to the action's batch size), and every group of every instance
 * is in flight at once, so a slow instance delays only its own events (each instance is bounded
 * by its concurrency limit).
 */
export class Deliverer {
  constructor(private readonly options: DelivererOptions) {}

  /** Delivers the tasks; resolves with every result once all instances are done. */
  async deliver(tasks: readonly DeliveryTask[], hooks: DeliveryHooks = {}): Promise<TaskResult[]> {
    const byInstance = new Map<string, DeliveryTask[][]>();
    for (const group of this.group(tasks)) {
      const id = (group[0] as DeliveryTask).instance.id;
      const list = byInstance.get(id);
      if (list) list.push(group);
      else byInstance.set(id, [group]);
    }
    const all = await Promise.all(
      [...byInstance.values()].map(async (groups) => {
        const results: TaskResult[] = [];
        await this.drain(groups, results, hooks);
        hooks.onInstanceDone?.(results);
        return results;
      }),
    );
    return all.flat();
  }

  /**
   * Delivers one instance's groups with as many workers as the instance may have requests in
   * flight (the limiter holds that bound across concurrent batches): thousands of queued
   * groups would otherwise each hold a pending promise chain.
   */
  private async drain(groups: readonly DeliveryTask[][], results: TaskResult[], hooks: DeliveryHooks): Promise<void> {
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < groups.length) {
        const group = groups[next++] as DeliveryTask[];
        const first = group[0] as DeliveryTask;
        const slow = this.options.slow;
        const admit = hooks.skipSilent ? () => slow.admits(first.instance.id) : undefined;
        if (admit && !admit()) {
          for (const task of group) results.push({ task, outcome: { kind: 'retry', reason: NOT_RESPONDING } });
          continue;
        }
        for (const result of await this.deliverGroup(group, admit)) results.push(result);
      }
    };
    const workers = Math.min(this.options.limiter.limit, groups.length);
    await Promise.all(Array.from({ length: workers }, worker));
  }

  /** Groups of events that go out in the same requests. */
  private group(tasks: readonly DeliveryTask[]): DeliveryTask[][] {
    const groups: DeliveryTask[][] = [];
    const open = new Map<string, DeliveryTask[]>();
    for (const task of tasks) {
      if (task.prepared.batchKey === undefined || task.more) {
        groups.push([task]);
        continue;
      }
      const key = `${task.instance.id}\u0000${task.prepared.batchKey}`;
      let group = open.get(key);
      if (!group) {
        group = [];
        open.set(key, group);
        groups.push(group);
      }
      group.push(task);
      const limit = batchSize(this.options.destination, task.prepared.action, task.settings);
      if (group.length >= limit) open.delete(key);
    }
    return groups;
  }

  /** `admit` is asked again when a request gets its slot: the instance may have gone silent while it queued. */
  private async deliverGroup(group: DeliveryTask[], admit?: () => boolean): Promise<TaskResult[]> {
    const first = group[0] as DeliveryTask;
    let requests: RequestDescriptor[];
    const performed = group.map(() => new Notices());
    try {
      requests = buildRequests(
        this.options.destination,
        first.prepared.action,
        group.map((t) => t.prepared.payload),
        first.settings,
        performed,
      );
      requests.push(...this.moreRequests(first, performed[0] as Notices));
    } catch (error) {
      // One event the API cannot take must not sink the others: try them one by one.
      if (group.length > 1) return (await Promise.all(group.map((task) => this.deliverGroup([task], admit)))).flat();
      return [{ task: first, outcome: outcomeOfError(error) }];
    }
    const noticesAt = (index: number) => {
      const notices = noticesOf((group[index] as DeliveryTask).prepared, performed[index]);
      return notices.length > 0 ? { notices } : {};
    };
    if (requests.length === 0) {
      return group.map((task) => ({
        task,
        outcome: drop('NOTHING_TO_SEND', `${this.options.destination.name} ${task.prepared.action}: nothing to send`),
      }));
    }

    if (group.length === 1 && requests.length === 1) {
      // The common case (one event, one request) without the bookkeeping of batches.
      const { outcome, exchange } = await this.sendFlow(
        first,
        requests[0] as RequestDescriptor,
        admit,
        performed[0] as Notices,
      );
      const single =
        outcome.kind === 'drop' ? outcome : outcomesPerEvent(requests[0] as RequestDescriptor, outcome, 1)[0];
      return [{ task: first, outcome: single as Outcome, exchange, ...noticesAt(0) }];
    }
    const outcomes: DeliveryOutcome[][] = group.map(() => []);
    const ended: Array<DropOutcome | undefined> = group.map(() => undefined);
    const exchanges: Array<Exchange | undefined> = group.map(() => undefined);
    await Promise.all(
      requests.map(async (request) => {
        // A batched flow records its notices per item, through `forEvent` (itemEvents' indexes).
        const flowNotices = group.length === 1 ? (performed[0] as Notices) : new Notices(performed);
        const { outcome, exchange } = await this.sendFlow(first, request, admit, flowNotices);
        if (outcome.kind === 'drop') {
          group.forEach((_, index) => (ended[index] = outcome));
          return;
        }
        outcomesPerEvent(request, outcome, group.length).forEach((perEvent, index) => {
          outcomes[index]?.push(perEvent);
          // Keep the exchange that explains a failure; any one for a success.
          if (perEvent.kind !== 'delivered' || exchanges[index] === undefined) exchanges[index] = exchange;
        });
      }),
    );
    return group.map((task, index) => {
      const exchange = exchanges[index];
      const outcome = combineEventOutcome(outcomes[index] ?? [], ended[index]);
      return { task, outcome: outcome as Outcome, ...(exchange ? { exchange } : {}), ...noticesAt(index) };
    });
  }

  /**
   * Requests of the further mappings the one event of a task matched: the event's too. One the
   * API cannot take (its `perform` drops it) is left out with a notice; the others still go.
   */
  private moreRequests(task: DeliveryTask, notices: Notices): RequestDescriptor[] {
    const requests: RequestDescriptor[] = [];
    for (const also of task.more ?? []) {
      notices.addAll(also.notices);
      try {
        requests.push(
          ...buildRequests(this.options.destination, also.action, [also.payload], task.settings, [notices]),
        );
      } catch (error) {
        const outcome = outcomeOfError(error);
        if (outcome.kind !== 'drop') throw error;
        notices.dropped(`action ${also.action}`, `${outcome.reason}: ${outcome.message}`);
      }
    }
    return requests;
  }

  /**
   * One request, and the follow-up requests its 2xx answer calls for (multi-request flows such
   * as search-then-update); the outcome is that of the last request sent. What the steps leave
   * out or convert goes to `notices`, the event's.
   */
  private async sendFlow(
    task: DeliveryTask,
    request: RequestDescriptor,
    admit: (() => boolean) | undefined,
    notices: Notices,
  ): Promise<{ outcome: ResponseOutcome | DropOutcome; exchange: Exchange }> {
    let current = request;
    for (let step = 0; ; step++) {
      const sent = await this.send(task.instance.id, current, admit);
      const response = sent.exchange.response;
      if (!response || !current.followUp) return sent;
      let next: RequestDescriptor[];
      try {
        next = followUpRequests(this.options.destination, current, response, task.settings, notices);
      } catch (error) {
        // The answer ends the flow (e.g. no unique contact): a drop or dead letter with this exchange.
        return { outcome: outcomeOfError(error), exchange: sent.exchange };
      }
      if (next.length === 0) return sent;
      if (step >= MAX_FLOW_STEPS) {
        return {
          outcome: {
            kind: 'dead-letter',
            reason: 'TRANSLATION_ERROR',
            message: `flow longer than ${MAX_FLOW_STEPS} steps`,
          },
          exchange: sent.exchange,
        };
      }
      // Follow-ups go in order; all but the last must succeed for the flow to go on.
      for (const followUp of next.slice(0, -1)) {
        const result = await this.send(task.instance.id, followUp, admit);
        if (result.outcome.kind !== 'delivered') return result;
      }
      current = next[next.length - 1] as RequestDescriptor;
    }
  }

  private send(
    instanceId: string,
    request: RequestDescriptor,
    admit?: () => boolean,
  ): Promise<{ outcome: ResponseOutcome; exchange: Exchange }> {
    return this.options.limiter.run(instanceId, async () => {
      if (admit && !admit()) {
        return {
          outcome: { kind: 'retry', reason: NOT_RESPONDING },
          exchange: { request, error: 'not attempted: the destination stopped answering' },
        };
      }
      const started = performance.now();
      let response;
      try {
        response = await this.options.sender.send(request);
      } catch (error) {
        const durationMs = performance.now() - started;
        this.options.onRequest?.({ status: undefined, durationMs });
        const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        const outcome = classifyNetworkError(error);
        // Recorded before the slot is released, so the next queued request already knows.
        if (outcome.kind === 'retry') this.options.slow.failed(instanceId, outcome.reason);
        return { outcome, exchange: { request, error: message, durationMs, answeredAt: Date.now() } };
      }
      const durationMs = performance.now() - started;
      const answeredAt = Date.now();
      this.options.slow.answered(instanceId);
      this.options.onRequest?.({ status: response.status, durationMs });
      const exchange = { request, response, durationMs, answeredAt };
      try {
        return { outcome: classifyResponse(this.options.destination, request, response), exchange };
      } catch (error) {
        // A classifier that throws is a bug; the answer is kept with the dead letter for a replay after the fix.
        const message = error instanceof Error ? error.message : String(error);
        return {
          outcome: { kind: 'dead-letter', reason: 'TRANSLATION_ERROR', message, status: response.status },
          exchange,
        };
      }
    });
  }
}
