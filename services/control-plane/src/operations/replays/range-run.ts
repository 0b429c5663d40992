import type { Replay } from '@manifold/proto';
import type { CallContext } from '../../domain/context';
import type { FieldViolation } from '../../domain/errors';
import { randomAlphanumeric } from '../../domain/ids';
import type { RunDoc } from '../runs/run-worker';
import type { PartitionRange } from '../runs/topic-ranges';

/**
 * A run that reads one source's messages of a time range of a topic again and publishes them at
 * a rate: a replay (of the events topic) or a quarantine replay (of the quarantine topic). What
 * both store, how a new one starts, and what both show alike.
 */
export interface RangeRunDoc extends RunDoc {
  sourceId: string;
  sourceName: string;
  from: Date;
  to: Date;
  ratePerSecond: number;
  /** The range on the topic, per partition, set when the run starts reading. */
  ranges?: PartitionRange[];
  /** p<partition> → the next offset to read. */
  positions: Record<string, string>;
  total: number;
  scanned: number;
}

export const DEFAULT_RATE = 500;
export const MAX_RATE = 100_000;

/** The rate asked for, when it is out of bounds (0 means DEFAULT_RATE). */
export function rateViolations(ratePerSecond: number): FieldViolation[] {
  if (ratePerSecond >= 0 && ratePerSecond <= MAX_RATE) return [];
  return [{ field: 'rate_per_second', message: `must be from 1 to ${MAX_RATE} (0: ${DEFAULT_RATE})` }];
}

/** A run of the source's range as it is stored when asked for: running, nothing read yet. */
export function newRangeRun(
  idPrefix: 'rp' | 'qr',
  workspaceId: string,
  source: { _id: string; name: string },
  range: { from: Date; to: Date; ratePerSecond: number },
  ctx: CallContext,
): RangeRunDoc {
  return {
    _id: `${idPrefix}_${randomAlphanumeric(20)}`,
    workspaceId,
    status: 'running',
    requestedBy: ctx.actor,
    requestedAt: ctx.now,
    sourceId: source._id,
    sourceName: source.name,
    from: range.from,
    to: range.to,
    ratePerSecond: range.ratePerSecond || DEFAULT_RATE,
    positions: {},
    total: 0,
    scanned: 0,
  };
}

type RangeRunFields = Pick<
  Replay,
  | 'id'
  | 'workspaceId'
  | 'sourceId'
  | 'sourceName'
  | 'from'
  | 'to'
  | 'ratePerSecond'
  | 'status'
  | 'requestedBy'
  | 'requestedAt'
  | 'finishedAt'
  | 'cancelledBy'
  | 'total'
  | 'scanned'
  | 'progress'
  | 'error'
>;

/** The fields a replay and a quarantine replay answer alike (a run stopped by someone: cancelled by them). */
export function presentRangeRun(run: RangeRunDoc): RangeRunFields {
  return {
    id: run._id,
    workspaceId: run.workspaceId,
    sourceId: run.sourceId,
    sourceName: run.sourceName,
    from: run.from,
    to: run.to,
    ratePerSecond: run.ratePerSecond,
    status: run.status,
    requestedBy: run.requestedBy,
    requestedAt: run.requestedAt,
    finishedAt: run.finishedAt,
    cancelledBy: run.stoppedBy ?? '',
    total: run.total,
    scanned: run.scanned,
    progress: run.status === 'done' ? 1 : run.total > 0 ? Math.min(1, run.scanned / run.total) : 0,
    error: run.error ?? '',
  };
}
