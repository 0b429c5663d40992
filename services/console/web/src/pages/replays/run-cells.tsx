import type { ReactNode } from 'react';
import type { Replay } from '../../../../src/api/types';
import { formatTime } from '../../api';
import { runBadge } from '../../components/RunOutcomesLine';

/** What every replay (of events, of quarantined events) says of its run, which these cells show. */
export type RunFields = Pick<
  Replay,
  | 'id'
  | 'requestedAt'
  | 'requestedBy'
  | 'sourceName'
  | 'from'
  | 'to'
  | 'status'
  | 'cancelledBy'
  | 'error'
  | 'progress'
  | 'scanned'
  | 'total'
>;

/** When the run was asked for, and by whom. */
export function RequestedCell({ run }: { run: RunFields }) {
  return (
    <td>
      {formatTime(run.requestedAt)}
      <div className="muted">{run.requestedBy}</div>
    </td>
  );
}

/** The events the run reads: its source's, of its time range; `eventName`, when it took only that name's. */
export function EventsCell({ run, eventName }: { run: RunFields; eventName?: string }) {
  return (
    <td>
      {run.sourceName}
      {eventName ? <div>{eventName}</div> : null}
      <div className="muted">
        {formatTime(run.from)} – {formatTime(run.to)}
      </div>
    </td>
  );
}

/** The run's status badge (marked `testId` for the browser tests), who cancelled it, and why it failed. */
export function StatusCell({ run, testId }: { run: RunFields; testId: string }) {
  return (
    <td>
      <span className={`badge badge-${runBadge(run.status)}`} data-testid={testId}>
        {run.status}
      </span>
      {run.cancelledBy ? <div className="muted">by {run.cancelledBy}</div> : null}
      {run.error ? <div className="error wrap-anywhere">{run.error}</div> : null}
    </td>
  );
}

/**
 * How far the run has read its topic: a bar, the percentage and the messages read of the range's;
 * `readDetail` goes on that line, `children` under it.
 */
export function ProgressCell(props: { run: RunFields; readDetail?: ReactNode; children?: ReactNode }) {
  const { run } = props;
  return (
    <td>
      <progress max={1} value={run.progress} aria-label="Progress" /> {Math.round(run.progress * 100)}%
      <div className="muted">
        {run.scanned} of {run.total} read{props.readDetail}
      </div>
      {props.children}
    </td>
  );
}

/** The button that cancels a running run, for those who may write. */
export function CancelCell(props: { run: RunFields; canWrite: boolean; onCancel(id: string): void }) {
  const { run } = props;
  return (
    <td>
      {props.canWrite && run.status === 'running' ? (
        <button className="link-button" onClick={() => props.onCancel(run.id)}>
          Cancel
        </button>
      ) : null}
    </td>
  );
}
