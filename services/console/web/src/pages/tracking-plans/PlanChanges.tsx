import type { TrackingPlanChange } from '../../../../src/api/types';

function json(value: unknown): string {
  return JSON.stringify(value, null, 2);
}

/** What changed between two versions of a plan (or the latest and a draft), path by path. */
export function PlanChanges({ changes, label }: { changes: TrackingPlanChange[]; label: string }) {
  if (changes.length === 0) return <p className="muted">No changes.</p>;
  return (
    <ul className="plan-changes" aria-label={label}>
      {changes.map((c) => (
        <li key={`${c.change} ${c.path}`} data-change={c.change}>
          <span className={`badge plan-change-${c.change}`}>{c.change}</span>{' '}
          <code className="wrap-anywhere">{c.path}</code>
          {c.before !== undefined || c.after !== undefined ? (
            <details className="disclosure">
              <summary>Before and after</summary>
              <div className="plan-change-values">
                <pre className="json" aria-label="Before">
                  {c.before === undefined ? '—' : json(c.before)}
                </pre>
                <pre className="json" aria-label="After">
                  {c.after === undefined ? '—' : json(c.after)}
                </pre>
              </div>
            </details>
          ) : null}
        </li>
      ))}
    </ul>
  );
}
