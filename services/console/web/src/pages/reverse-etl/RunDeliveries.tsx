import type { ReverseEtlRun } from '../../../../src/api/types';

type Counts = ReverseEtlRun['counts'];

const OUTCOMES: ReadonlyArray<{ key: keyof ReverseEtlRun['deliveries']; label: string; title: string }> = [
  { key: 'delivered', label: 'delivered', title: 'accepted by the destination' },
  { key: 'failed', label: 'failed', title: 'retried until the retry window ended, then dead-lettered' },
  { key: 'deadLettered', label: 'dead-lettered', title: 'refused outright (e.g. HTTP 4xx) or not translatable' },
  { key: 'filtered', label: 'filtered', title: 'not sent: a destination filter, a disabled instance, ...' },
];

const total = (c: Counts) => c.added + c.updated + c.deleted;
const perKind = (c: Counts) => `+${c.added} ~${c.updated} −${c.deleted}`;

/**
 * What a run's row changes came to at their destination instances: each outcome with its counts
 * per change kind (added, updated, deleted), the outcomes still awaited while it is delivering,
 * and those missing when it stopped waiting.
 */
export function RunDeliveries({ run }: { run: ReverseEtlRun }) {
  const reported = OUTCOMES.reduce((n, o) => n + total(run.deliveries[o.key]), 0);
  const shown = OUTCOMES.filter((o) => total(run.deliveries[o.key]) > 0);
  return (
    <div data-testid="run-deliveries">
      {shown.length === 0 && run.expectedDeliveries === 0 ? '—' : null}
      {shown.map((o) => (
        <div key={o.key} title={o.title} data-outcome={o.key}>
          {o.label}: {perKind(run.deliveries[o.key])}
        </div>
      ))}
      {run.status === 'delivering' ? (
        <div className="muted">
          waiting for {Math.max(0, run.expectedDeliveries - reported)} of {run.expectedDeliveries}
        </div>
      ) : null}
      {run.missingDeliveries > 0 ? (
        <div className="muted" title="no outcome before the delivery timeout (e.g. a translator down)">
          missing: {run.missingDeliveries}
        </div>
      ) : null}
    </div>
  );
}

/** The failed rows a run keeps (the first 20): which row, where, and why. */
export function FailedRows({ run }: { run: ReverseEtlRun }) {
  return (
    <details data-testid="run-failed-rows">
      <summary>
        {run.failedRows.length} failed row{run.failedRows.length === 1 ? '' : 's'}
        {run.failedRows.length >= 20 ? ' (the first 20)' : ''}
      </summary>
      <table className="data-table compact">
        <thead>
          <tr>
            <th>Row</th>
            <th>Change</th>
            <th>Destination</th>
            <th>Outcome</th>
            <th>Reason</th>
          </tr>
        </thead>
        <tbody>
          {run.failedRows.map((row, i) => (
            <tr key={`${row.key}-${row.destinationId}-${i}`} data-testid="run-failed-row">
              <td data-label="Row">{row.key}</td>
              <td data-label="Change">{row.changeKind}</td>
              <td data-label="Destination">
                {/* By name, as everywhere else; its id beside it (alone when the instance is gone). */}
                {row.destinationName ? (
                  <>
                    {row.destinationName} <span className="muted">({row.destinationId})</span>
                  </>
                ) : (
                  row.destinationId
                )}
              </td>
              <td data-label="Outcome">{row.outcome.replace('_', '-')}</td>
              <td data-label="Reason" className="wrap-anywhere">
                {row.reason}: {row.message}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}
