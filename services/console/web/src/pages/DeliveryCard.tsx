import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import type { DeliveryBucket, DeliveryView } from '../../../src/api/types';
import { api, formatSecond, formatTime } from '../api';
import { ErrorNotice } from '../components/FormField';
import { DeliveryErrors } from './DeliveryErrors';

const RANGES = [
  { id: 'hour', label: 'Last hour', by: 'per minute' },
  { id: 'day', label: 'Last 24 hours', by: 'per hour' },
  { id: 'week', label: 'Last 7 days', by: 'per day' },
] as const;
type Range = (typeof RANGES)[number]['id'];

/** How recent the latest failure must be to show as the destination's current problem. */
const CURRENT_MS = 5 * 60_000;

/** The outcomes drawn in the chart, bottom to top, with their colour. */
const SERIES = [
  { key: 'delivered', label: 'delivered', colour: '#2b8a3e' },
  { key: 'retrying', label: 'retrying', colour: '#e67700' },
  { key: 'failed', label: 'failed', colour: '#c92a2a' },
  { key: 'filtered', label: 'filtered', colour: '#adb5bd' },
  { key: 'dropped', label: 'dropped', colour: '#6c757d' },
] as const;

const OUTCOME_WORDS: Record<string, string> = {
  retrying: 'retrying',
  failed: 'failed',
  filtered: 'filtered',
  dropped: 'dropped',
  field_dropped: 'field left out',
  field_converted: 'value converted',
};

function Stat({ id, value, label }: { id: string; value: string | number; label: string }) {
  return (
    <div className="stat" data-testid={`stat-${id}`}>
      <span className="stat-value">{value}</span>
      <span className="stat-label">{label}</span>
    </div>
  );
}

function bucketLabel(start: string | null, bucket: DeliveryView['bucket']): string {
  if (!start) return '';
  const date = new Date(start);
  if (bucket === 'day') return date.toLocaleDateString(undefined, { weekday: 'short', day: 'numeric' });
  return date.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
}

/** Stacked bars of events per bucket (SVG: no inline styles, which the console's CSP refuses). */
function DeliveryChart({ view }: { view: DeliveryView }) {
  const width = 720;
  const height = 140;
  const top = (b: DeliveryBucket) => SERIES.reduce((sum, s) => sum + b[s.key], 0);
  const max = Math.max(1, ...view.buckets.map(top));
  const slot = width / Math.max(1, view.buckets.length);
  const every = Math.ceil(view.buckets.length / 8);
  return (
    <figure className="delivery-chart" aria-label="Events per bucket">
      <svg viewBox={`0 0 ${width} ${height + 18}`} role="img" width="100%" preserveAspectRatio="none">
        {view.buckets.map((b, i) => {
          let y = height;
          return (
            <g key={b.start ?? i}>
              <title>
                {`${bucketLabel(b.start, view.bucket)}: ` +
                  SERIES.map((s) => `${b[s.key]} ${s.label}`).join(', ') +
                  `, ${b.attempts} attempts`}
              </title>
              {SERIES.map((s) => {
                const h = (b[s.key] / max) * height;
                y -= h;
                return h > 0 ? (
                  <rect key={s.key} x={i * slot + 1} y={y} width={Math.max(1, slot - 2)} height={h} fill={s.colour} />
                ) : null;
              })}
              {i % every === 0 ? (
                <text x={i * slot} y={height + 14} fontSize="10" fill="#697386">
                  {bucketLabel(b.start, view.bucket)}
                </text>
              ) : null}
            </g>
          );
        })}
      </svg>
      <figcaption className="muted">
        {SERIES.map((s) => (
          <span key={s.key} className="legend-item">
            <svg width="10" height="10" aria-hidden="true">
              <rect width="10" height="10" fill={s.colour} />
            </svg>{' '}
            {s.label}
          </span>
        ))}{' '}
        · highest bar {max} events
      </figcaption>
    </figure>
  );
}

/**
 * Event delivery of one destination instance: events per outcome (each counted once, attempts
 * apart) per minute, hour or day, why events were not delivered, latency percentiles, and the
 * latest failed attempts with their (masked) requests and answers.
 */
export function DeliveryCard({ path }: { path: string }) {
  const [range, setRange] = useState<Range>('hour');
  const view = useQuery({
    queryKey: ['delivery', path, range],
    queryFn: () => api.get<DeliveryView>(`${path}/delivery?range=${range}`),
    refetchInterval: 5000,
  });
  const v = view.data;
  const t = v?.totals;
  // The banner speaks of the present: a failure older than a few minutes stays in the list below.
  const latest = v?.latestErrors[0];
  const current = latest && Date.now() - Date.parse(latest.at ?? '') < CURRENT_MS ? latest : undefined;
  const reasons = v?.reasons.filter((r) => !r.outcome.startsWith('field_')) ?? [];
  const fields = v?.reasons.filter((r) => r.outcome.startsWith('field_')) ?? [];
  const spec = RANGES.find((r) => r.id === range)!;
  return (
    <section className="card" aria-label="Delivery stats">
      <div className="section-header">
        <h2>Event delivery</h2>
        <div className="segmented" role="group" aria-label="Time range">
          {RANGES.map((r) => (
            <button
              key={r.id}
              className={r.id === range ? 'primary' : ''}
              aria-pressed={r.id === range}
              onClick={() => setRange(r.id)}
            >
              {r.label}
            </button>
          ))}
        </div>
      </div>
      <ErrorNotice error={view.error} />
      {v && t ? (
        <>
          {current ? (
            <p className={`notice ${current.outcome === 'failed' ? 'notice-error' : 'notice-warning'}`} role="status">
              <strong>
                {current.outcome === 'failed' ? 'Latest failure' : 'Retrying'}: {current.reason}
              </strong>{' '}
              at {formatSecond(current.at)}: {current.response?.error || current.message}
            </p>
          ) : null}
          <div className="stats">
            <Stat id="delivered" value={t.delivered} label="delivered" />
            <Stat id="retrying" value={t.retrying} label="retrying (events)" />
            <Stat id="failed" value={t.failed} label="failed" />
            <Stat id="filtered" value={t.filtered} label="filtered" />
            <Stat id="dropped" value={t.dropped} label="dropped" />
            <Stat id="attempts" value={t.attempts} label="attempts" />
            <Stat id="fields-dropped" value={t.fieldsDropped} label="fields dropped" />
            <Stat id="fields-converted" value={t.fieldsConverted} label="values converted" />
            <Stat
              id="latency"
              value={t.latency.count > 0 ? `${t.latency.p50Ms} / ${t.latency.p95Ms} / ${t.latency.p99Ms} ms` : '—'}
              label="latency p50 / p95 / p99"
            />
          </div>
          <p className="muted">
            {spec.label}, {spec.by}. Each event counts once, in its final outcome (retrying when its first attempt
            failed); attempts are requests made. Latency runs from ingestion to the destination&apos;s answer.
          </p>
          <DeliveryChart view={v} />
          {reasons.length > 0 ? (
            <table className="data-table compact" aria-label="Reasons">
              <thead>
                <tr>
                  <th>Not delivered because</th>
                  <th>Outcome</th>
                  <th>Events</th>
                  <th>Attempts</th>
                  <th>Last seen (from)</th>
                </tr>
              </thead>
              <tbody>
                {reasons.map((r) => (
                  <tr key={`${r.outcome}-${r.reason}`}>
                    <td className="wrap-anywhere">{r.reason}</td>
                    <td>{OUTCOME_WORDS[r.outcome] ?? r.outcome}</td>
                    <td>{r.events}</td>
                    <td>{r.attempts}</td>
                    <td>{formatTime(r.lastSeen)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
          {/* What delivered events lost or had converted, per field: nothing disappears without a trace. */}
          {fields.length > 0 ? (
            <table className="data-table compact" aria-label="Fields dropped or converted">
              <thead>
                <tr>
                  <th>Field of delivered events</th>
                  <th>What happened</th>
                  <th>Events</th>
                </tr>
              </thead>
              <tbody>
                {fields.map((r) => (
                  <tr key={`${r.outcome}-${r.reason}`}>
                    <td className="wrap-anywhere">{r.reason}</td>
                    <td>{r.outcome === 'field_dropped' ? 'dropped' : 'converted'}</td>
                    <td>{r.events}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
          <DeliveryErrors path={path} latest={v.latestErrors} />
        </>
      ) : null}
    </section>
  );
}
