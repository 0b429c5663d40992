import {
  batchSize,
  buildRequests,
  combineEventOutcome,
  drop,
  outcomeOfError,
  eventsOfRequest,
  outcomesOfRequest,
  outcomesPerEvent,
  isTokenRejected,
  noticesOf,
  withAccessToken,
  Notices,
  type DeliveryOutcome,
  type DropOutcome,
  type Outcome,
  type DestinationDefinition,
  type RequestDescriptor,
  type RequestSender,
} from '@manifold/destination-kit';
import { attemptRequest, sendFlow, type Attempt, type FlowPart, type FlowResult } from '@manifold/destination-http';
import type { AccessTokens } from '../oauth/access-tokens';
import type { KeyedLimiter } from '../http/keyed-limiter';
import { inheritMapping, mappingOfRequest, tagRequests } from '../trace/request-mapping';
import { NOT_RESPONDING, type SlowInstances } from './slow-instances';
import type { DeliveryTask, Exchange, TaskResult } from './task';

/** One request's answer (or one part's, for a refused batch split), and the request of the batch it came from. */
interface Answer extends FlowPart {
  sent: RequestDescriptor;
}

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

export interface DelivererOptions {
  destination: DestinationDefinition;
  /** The HTTP client, or the destination's own transport (`DestinationDefinition.transport`). */
  sender: Pick<RequestSender, 'send'>;
  /** Per destination instance: how many requests may be in flight. */
  limiter: KeyedLimiter;
  /** Instances that stopped answering; every attempt's answer or timeout is recorded there. */
  slow: SlowInstances;
  /** Access tokens of instances connected with OAuth (the destination declares `oauth`). */
  tokens?: AccessTokens;
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
      // A batch names its mapping only when every event of it came from the same one.
      const mapping = first.prepared.mapping;
      if (group.every((t) => t.prepared.mapping?.id === mapping?.id)) tagRequests(requests, mapping);
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
      const request = requests[0] as RequestDescriptor;
      const { outcome, exchange, parts } = await this.sendFlow(first, request, admit, performed[0] as Notices);
      if (!parts) {
        const single = outcome.kind === 'drop' ? outcome : outcomesPerEvent(request, outcome, 1)[0];
        return [{ task: first, outcome: single as Outcome, exchange, ...noticesAt(0) }];
      }
      return this.fold(
        group,
        parts.map((part) => ({ ...part, sent: request })),
        noticesAt,
      );
    }
    const answers = await Promise.all(
      requests.map(async (request) => {
        // A batched flow records its notices per item, through `forEvent` (itemEvents' indexes).
        const flowNotices = group.length === 1 ? (performed[0] as Notices) : new Notices(performed);
        const { outcome, exchange, parts } = await this.sendFlow(first, request, admit, flowNotices);
        // A batch the API refused whole and the destination split: each part answers for its events.
        return (parts ?? [{ request, outcome, exchange }]).map((part) => ({ ...part, sent: request }));
      }),
    );
    return this.fold(group, answers.flat(), noticesAt);
  }

  /** Each event's outcome from the answers to the requests that carried it. */
  private fold(
    group: readonly DeliveryTask[],
    answers: readonly Answer[],
    noticesAt: (index: number) => Pick<TaskResult, 'notices'>,
  ): TaskResult[] {
    const outcomes: DeliveryOutcome[][] = group.map(() => []);
    const ended: Array<DropOutcome | undefined> = group.map(() => undefined);
    const exchanges: Array<Exchange | undefined> = group.map(() => undefined);
    // One event that matched several mappings: whether each mapping's requests all went through.
    const byMapping = group[0]?.more ? new Map<string, boolean>() : undefined;
    for (const { request, outcome, exchange, sent } of answers) {
      const mappingId = byMapping && mappingOfRequest(sent)?.id;
      // What a request's answer says is about the events that request carries, not the batch's others.
      if (outcome.kind === 'drop') {
        if (mappingId) byMapping.set(mappingId, false);
        for (const index of eventsOfRequest(request, group.length)) ended[index] = outcome;
        continue;
      }
      for (const [index, perEvent] of outcomesOfRequest(request, outcome, group.length)) {
        outcomes[index]?.push(perEvent);
        if (mappingId) byMapping.set(mappingId, (byMapping.get(mappingId) ?? true) && perEvent.kind === 'delivered');
        // Keep the exchange that explains a failure; any one for a success.
        if (perEvent.kind !== 'delivered' || exchanges[index] === undefined) exchanges[index] = exchange;
      }
    }
    return group.map((task, index) => {
      const exchange = exchanges[index];
      const outcome =
        combineEventOutcome(outcomes[index] ?? [], ended[index]) ??
        drop(
          'NOTHING_TO_SEND',
          `${this.options.destination.name} ${task.prepared.action}: no request carried this event`,
        );
      return {
        task,
        outcome,
        ...(exchange ? { exchange } : {}),
        ...noticesAt(index),
        // For its retry, or a redrive of its dead letter: what went through is not sent again.
        ...((outcome.kind === 'retry' || outcome.kind === 'dead-letter') && byMapping
          ? deliveredSoFar(task, byMapping)
          : {}),
      };
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
        const built = buildRequests(this.options.destination, also.action, [also.payload], task.settings, [notices]);
        tagRequests(built, also.mapping);
        requests.push(...built);
      } catch (error) {
        const outcome = outcomeOfError(error);
        if (outcome.kind !== 'drop') throw error;
        notices.dropped(`action ${also.action}`, `${outcome.reason}: ${outcome.message}`);
      }
    }
    return requests;
  }

  /** One request and the follow-ups its answers call for (`sendFlow`), each through this instance's slots. */
  private sendFlow(
    task: DeliveryTask,
    request: RequestDescriptor,
    admit: (() => boolean) | undefined,
    notices: Notices,
  ): Promise<FlowResult> {
    const oauth = this.options.destination.oauth?.uses(task.settings) ?? false;
    return sendFlow(this.options.destination, request, task.settings, notices, (step) => {
      inheritMapping(step, request);
      return this.send(task, step, admit, oauth);
    });
  }

  /**
   * Sends one request. An instance connected with OAuth gets its access token put on the request
   * as it leaves (the exchange keeps the request without it); a 401 gets a fresh token and one
   * more try, as Segment's Actions framework does. No token to be had → the event waits (retry).
   */
  private send(task: DeliveryTask, request: RequestDescriptor, admit?: () => boolean, oauth = false): Promise<Attempt> {
    const instanceId = task.instance.id;
    const context = { instanceId, settings: task.settings };
    return this.options.limiter.run(instanceId, async () => {
      if (admit && !admit()) {
        return {
          outcome: { kind: 'retry', reason: NOT_RESPONDING },
          exchange: { request, error: 'not attempted: the destination stopped answering' },
        };
      }
      let token: string | undefined;
      if (oauth) {
        const got = await this.tokenFor(instanceId);
        if (!got.ok) return got.failed(request);
        token = got.token;
      }
      const { sender, destination } = this.options;
      let attempt = await attemptRequest(
        sender,
        destination,
        request,
        context,
        token ? withAccessToken(request, token) : request,
      );
      const answer = attempt.exchange.response;
      if (token && answer && isTokenRejected(answer)) {
        const again = await this.tokenFor(instanceId, token);
        if (!again.ok) return again.failed(request);
        attempt = await attemptRequest(sender, destination, request, context, withAccessToken(request, again.token));
      }
      const { response, durationMs = 0 } = attempt.exchange;
      this.options.onRequest?.({ status: response?.status, durationMs });
      // Recorded before the slot is released, so the next queued request already knows.
      if (response) this.options.slow.answered(instanceId);
      else if (attempt.outcome.kind === 'retry') this.options.slow.failed(instanceId, attempt.outcome.reason);
      return attempt;
    });
  }

  /** The instance's token (a fresh one when `rejected` was refused), or the retry outcome of having none. */
  private async tokenFor(
    instanceId: string,
    rejected?: string,
  ): Promise<{ ok: true; token: string } | { ok: false; failed(request: RequestDescriptor): Attempt }> {
    const tokens = this.options.tokens;
    const got = tokens
      ? await (rejected ? tokens.replace(instanceId, rejected) : tokens.token(instanceId))
      : { ok: false as const, reason: 'OAUTH_UNAVAILABLE', message: 'no access tokens in this translator' };
    if (got.ok) return got;
    return {
      ok: false,
      failed: (request) => ({
        outcome: { kind: 'retry', reason: got.reason },
        exchange: { request, error: `not sent: ${got.message}` },
      }),
    };
  }
}

/**
 * A retried or dead-lettered event that matched several mappings: the mappings delivered by this
 * attempt and the ones before, which its retry (or the redrive of its dead letter) leaves out
 * (each mapping's requests are sent until they succeed, not again once they have).
 */
function deliveredSoFar(
  task: DeliveryTask,
  byMapping: ReadonlyMap<string, boolean>,
): Pick<TaskResult, 'deliveredMappings'> {
  const delivered = [...(task.deliveredMappings ?? [])];
  for (const [id, ok] of byMapping) if (ok && !delivered.includes(id)) delivered.push(id);
  return delivered.length > 0 ? { deliveredMappings: delivered } : {};
}
