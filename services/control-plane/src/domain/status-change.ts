import type { CallContext } from './context';
import type { StatusChangeDoc } from '../store/documents';

/** The first history entry of a new source or destination. */
export function initialStatus(enabled: boolean, ctx: CallContext): StatusChangeDoc {
  return { status: enabled ? 'enabled' : 'disabled', changedBy: ctx.actor, changedAt: ctx.now, reason: 'created' };
}

/**
 * The history entry for turning something on or off, or undefined when the request does not
 * change its state. Sources and destinations record status the same way.
 */
export function statusChange(
  current: boolean,
  requested: boolean | undefined,
  reason: string,
  ctx: CallContext,
): StatusChangeDoc | undefined {
  if (requested === undefined || requested === current) return undefined;
  return {
    status: requested ? 'enabled' : 'disabled',
    changedBy: ctx.actor,
    changedAt: ctx.now,
    reason: reason || (requested ? 'enabled by a user' : 'disabled by a user'),
  };
}

/** The update operators that apply a status change (nothing when there is none). */
export function statusUpdate(change: StatusChangeDoc | undefined): {
  set: Record<string, unknown>;
  push: { $push?: { statusHistory: StatusChangeDoc } };
} {
  if (!change) return { set: {}, push: {} };
  return { set: { enabled: change.status === 'enabled', status: change }, push: { $push: { statusHistory: change } } };
}
