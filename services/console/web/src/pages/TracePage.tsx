import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import type { EventTrace } from '../../../src/api/types';
import { api, wsPath } from '../api';
import { ExchangeView } from '../components/ExchangeView';
import { ErrorNotice } from '../components/FormField';
import { useWorkspace } from '../components/WorkspaceLayout';

const outcomeBadge: Record<string, string> = {
  delivered: 'enabled',
  retrying: 'partial',
  failed: 'failed',
  filtered: 'disabled',
  loaded: 'enabled',
  waiting: 'partial',
};

/** Exact times: a trace is read to the second. */
function exact(iso: string | null): string {
  return iso ? new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' }) : '—';
}

function TraceView({ trace }: { trace: EventTrace }) {
  const workspace = useWorkspace();
  const [open, setOpen] = useState<string | null>(null);
  if (!trace.found) {
    return (
      <p className="notice notice-warning" data-testid="trace-not-found">
        No destination recorded {trace.messageId} in the last {Math.round(trace.retentionMs / 86_400_000)} days.
      </p>
    );
  }
  return (
    <>
      <section className="card" aria-label="Received">
        <h2>Received</h2>
        <p data-testid="trace-received">
          {trace.eventType}
          {trace.eventName ? ` "${trace.eventName}"` : ''} from{' '}
          <Link to={`/${workspace.slug}/sources/${trace.sourceId}`}>{trace.sourceName || trace.sourceId}</Link> at{' '}
          {exact(trace.receivedAt)}
        </p>
        <p className="muted">
          Kafka: {trace.topic} · partition {trace.partition} · offset {trace.offset}
        </p>
      </section>
      {trace.destinations.map((d) => (
        <section
          className="card"
          key={d.destinationId}
          aria-label={`Destination ${d.name}`}
          data-testid="trace-destination"
        >
          <div className="section-header">
            <h2>
              <Link to={`/${workspace.slug}/destinations/${d.destinationId}`}>{d.name}</Link>
            </h2>
            <span className="muted">{d.type}</span>
            <span className={`badge badge-${outcomeBadge[d.outcome] ?? 'partial'}`}>{d.outcome}</span>
          </div>
          <ol className="trace-steps">
            {d.steps.map((s, i) => {
              const key = `${d.destinationId}-${i}`;
              return (
                <li key={key} data-testid="trace-step" data-outcome={s.outcome}>
                  <button className="debugger-row" onClick={() => setOpen(open === key ? null : key)}>
                    <time>{exact(s.at)}</time>
                    <span className={`badge badge-${outcomeBadge[s.outcome] ?? 'partial'}`}>{s.outcome}</span>
                    {s.reason ? <span className="debugger-reason">{s.reason}</span> : null}
                    {s.attempt > 0 ? <span className="muted">attempt {s.attempt}</span> : null}
                    {s.request ? (
                      <code className="exchange-url">
                        {s.request.method} {s.request.url}
                      </code>
                    ) : null}
                    {s.response ? (
                      <span>{s.response.error ? `no answer` : `${s.response.status} in ${s.durationMs} ms`}</span>
                    ) : null}
                    {s.runId ? <span className="tag">{s.runId.startsWith('rd_') ? 'redrive' : 'replay'}</span> : null}
                  </button>
                  {open === key ? (
                    <div className="detail-row">
                      {s.message ? <p className="wrap-anywhere">{s.message}</p> : null}
                      {s.request || s.response ? <ExchangeView request={s.request} response={s.response} /> : null}
                    </div>
                  ) : null}
                </li>
              );
            })}
          </ol>
        </section>
      ))}
      {trace.warehouses.map((w) => (
        <section className="card" key={w.warehouseId} aria-label={`Warehouse ${w.name}`} data-testid="trace-warehouse">
          <div className="section-header">
            <h2>
              <Link to={`/${workspace.slug}/warehouses/${w.warehouseId}`}>{w.name}</Link>
            </h2>
            <span className="muted">warehouse</span>
            <span className={`badge badge-${outcomeBadge[w.status] ?? 'partial'}`}>{w.status}</span>
          </div>
          {w.loadId ? (
            <p>
              Load <code>{w.loadId}</code> ({w.loadStatus}) into schema <code>{w.schema}</code>,{' '}
              {exact(w.loadStartedAt)} to {exact(w.loadFinishedAt)}
            </p>
          ) : (
            <p className="muted">No load has taken it yet.</p>
          )}
          {w.errors.map((e) => (
            <p key={e} className="error wrap-anywhere">
              {e}
            </p>
          ))}
        </section>
      ))}
    </>
  );
}

/** Per-event trace: search a messageId, see what every destination and warehouse did with it. */
export function TracePage() {
  const workspace = useWorkspace();
  const navigate = useNavigate();
  const { messageId = '' } = useParams();
  const [search, setSearch] = useState(messageId);
  const trace = useQuery({
    queryKey: ['trace', workspace.slug, messageId],
    queryFn: () => api.get<EventTrace>(wsPath(workspace.slug, 'traces', messageId)),
    enabled: messageId !== '',
    refetchInterval: 5000,
  });
  return (
    <>
      <div className="page-header">
        <h1>Event trace</h1>
      </div>
      <form
        className="row trace-search"
        onSubmit={(e) => {
          e.preventDefault();
          if (search.trim()) void navigate(`/${workspace.slug}/traces/${encodeURIComponent(search.trim())}`);
        }}
      >
        <input
          aria-label="messageId"
          placeholder="messageId"
          value={search}
          onChange={(e) => setSearch(e.target.value)}
        />
        <button className="primary" type="submit">
          Trace
        </button>
      </form>
      <ErrorNotice error={trace.error} />
      {trace.data ? (
        <TraceView trace={trace.data} />
      ) : messageId && !trace.error ? (
        <p className="loading">Loading…</p>
      ) : null}
    </>
  );
}
