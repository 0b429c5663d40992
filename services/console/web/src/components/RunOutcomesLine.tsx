import type { RunOutcomes } from '../../../src/api/types';

/** What a redrive's or replay's deliveries came to, in one line. */
export function RunOutcomesLine({ outcomes }: { outcomes: RunOutcomes }) {
  const parts = [
    `${outcomes.delivered} delivered`,
    outcomes.filtered ? `${outcomes.filtered} not sent` : '',
    outcomes.failed ? `${outcomes.failed} failed again` : '',
    outcomes.retrying ? `${outcomes.retrying} retrying` : '',
  ].filter(Boolean);
  const reasons = outcomes.reasons.map((r) => `${r.reason} ${r.count}`).join(', ');
  return (
    <span className="run-outcomes" title={reasons}>
      {parts.join(', ')}
      {reasons ? <span className="muted"> ({reasons})</span> : null}
    </span>
  );
}

/** Badge colour of a run's status. */
export function runBadge(status: string): string {
  return status === 'done' ? 'enabled' : status === 'failed' ? 'failed' : status === 'running' ? 'live' : 'partial';
}
