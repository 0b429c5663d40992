import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import type { PlanViolationGroup, PlanViolations } from '../../../src/api/types';
import { api, formatSecond } from '../api';
import { DataTable } from './DataTable';

const HOUR_MS = 3_600_000;
const RANGES = { day: 24, week: 24 * 7 } as const;

/** Counts per hour over the window as bars, oldest on the left: when violations started or stopped. */
function Sparkline({ hours, from, to }: { hours: PlanViolationGroup['hours']; from: string; to: string }) {
  const first = Math.floor(new Date(from).getTime() / HOUR_MS);
  const slots = Math.max(1, Math.floor(new Date(to).getTime() / HOUR_MS) - first + 1);
  const counts = new Array<number>(slots).fill(0);
  for (const h of hours) {
    const slot = Math.floor(new Date(h.hour).getTime() / HOUR_MS) - first;
    if (slot >= 0 && slot < slots) counts[slot] = (counts[slot] ?? 0) + h.count;
  }
  const max = Math.max(1, ...counts);
  const title = hours.map((h) => `${formatSecond(h.hour)}: ${h.count}`).join('\n');
  return (
    <svg viewBox={`0 0 ${slots} 10`} width="120" height="20" preserveAspectRatio="none" role="img" aria-label={title}>
      <title>{title}</title>
      {counts.map((count, i) =>
        count > 0 ? <rect key={i} x={i} y={10 - (count / max) * 10} width={0.8} height={(count / max) * 10} /> : null,
      )}
    </svg>
  );
}

/** The latest violations of one row: which event, where, why and the value (shortened, credentials masked). */
function Samples({ group }: { group: PlanViolationGroup }) {
  return (
    <details>
      <summary>{group.samples.length} samples</summary>
      <ul className="plain-list">
        {group.samples.map((s) => (
          <li key={`${s.messageId}${s.path}`}>
            {formatSecond(s.at)} · <code className="wrap-anywhere">{s.messageId}</code> · {s.message}
            {s.value ? (
              <>
                {' '}
                · value <code className="wrap-anywhere">{s.value}</code>
              </>
            ) : null}{' '}
            <span className="muted">(version {s.planVersion})</span>
          </li>
        ))}
      </ul>
    </details>
  );
}

/**
 * Tracking-plan violations of a source or a plan per event, rule and path, with counts per hour
 * and the latest samples. `path` is the Public API path of the source
 * (`/api/v1/workspaces/<ws>/sources/<source>`: its `/plan-violations`) or of the plan
 * (`.../tracking-plans/<plan>`: its `/violations`), given as `violationsUrl`.
 */
export function PlanViolationsPanel({ violationsUrl }: { violationsUrl: string }) {
  const [range, setRange] = useState<keyof typeof RANGES>('day');
  const query = useQuery({
    queryKey: ['plan-violations', violationsUrl, range],
    queryFn: () => {
      const from = new Date(Date.now() - RANGES[range] * HOUR_MS).toISOString();
      return api.get<PlanViolations>(`${violationsUrl}?from=${encodeURIComponent(from)}`);
    },
    refetchInterval: 30_000,
  });
  const data = query.data;
  return (
    <section className="card" aria-label="Tracking plan violations">
      <div className="section-header">
        <h2>Tracking plan violations{data ? ` (${data.total})` : ''}</h2>
        <select aria-label="Violations range" value={range} onChange={(e) => setRange(e.target.value as typeof range)}>
          <option value="day">Last 24 hours</option>
          <option value="week">Last 7 days</option>
        </select>
      </div>
      <DataTable<PlanViolationGroup>
        compact
        label="Violations per event and rule"
        rows={data?.groups}
        error={query.error}
        rowKey={(g) => [g.eventType, g.eventName, g.rule, g.path, g.outcome].join('|')}
        empty="No violations in this range."
        columns={[
          { id: 'event', header: 'Event', cell: (g) => (g.eventName ? `“${g.eventName}”` : g.eventType) },
          { id: 'rule', header: 'Rule', cell: (g) => g.rule },
          { id: 'path', header: 'Property', cell: (g) => <code>{g.path || '—'}</code> },
          {
            id: 'outcome',
            header: 'Outcome',
            cell: (g) => (
              <span className={`badge badge-${g.outcome === 'blocked' ? 'failed' : 'partial'}`}>{g.outcome}</span>
            ),
          },
          { id: 'count', header: 'Count', cell: (g) => g.count },
          {
            id: 'hours',
            header: 'Per hour',
            cell: (g) => (data ? <Sparkline hours={g.hours} from={data.from} to={data.to} /> : null),
          },
          { id: 'samples', header: 'Samples', cell: (g) => <Samples group={g} /> },
        ]}
      />
    </section>
  );
}
