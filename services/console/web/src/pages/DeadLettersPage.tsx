import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import type { DeadLetterPage, Destination, Redrive } from '../../../src/api/types';
import { api, formatTime, wsPath } from '../api';
import { ExchangeView } from '../components/ExchangeView';
import { ErrorNotice } from '../components/FormField';
import { RunOutcomesLine, runBadge } from '../components/RunOutcomesLine';
import { useCanWrite, useWorkspace } from '../components/WorkspaceLayout';

interface Filters {
  reason: string;
  from: string;
  to: string;
  redriven: boolean;
}

/** A datetime-local value as RFC 3339 (the browser's time zone), or undefined when empty. */
const toIso = (local: string): string | undefined => (local ? new Date(local).toISOString() : undefined);

function query(filters: Filters): string {
  const q = new URLSearchParams();
  if (filters.reason) q.set('reason', filters.reason);
  const from = toIso(filters.from);
  const to = toIso(filters.to);
  if (from) q.set('failedFrom', from);
  if (to) q.set('failedTo', to);
  if (filters.redriven) q.set('includeRedriven', 'true');
  q.set('pageSize', '100');
  return q.toString();
}

function Redrives({ destinationId }: { destinationId: string }) {
  const workspace = useWorkspace();
  const canWrite = useCanWrite();
  const queryClient = useQueryClient();
  const redrives = useQuery({
    queryKey: ['redrives', workspace.slug, destinationId],
    queryFn: () =>
      api.get<{ redrives: Redrive[] }>(
        `${wsPath(workspace.slug, 'redrives')}?destination=${encodeURIComponent(destinationId)}`,
      ),
    refetchInterval: 2000,
  });
  const stop = useMutation({
    mutationFn: (id: string) => api.post<Redrive>(wsPath(workspace.slug, 'redrives', id, 'stop')),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['redrives'] }),
  });
  const list = redrives.data?.redrives ?? [];
  return (
    <section className="card" aria-label="Redrives">
      <h2>Redrives</h2>
      <ErrorNotice error={redrives.error ?? stop.error} />
      {list.length === 0 ? <p className="muted">No redrive yet.</p> : null}
      {list.length > 0 ? (
        <table className="data-table compact" data-testid="redrives">
          <thead>
            <tr>
              <th>Requested</th>
              <th>By</th>
              <th>What</th>
              <th>Status</th>
              <th>Sent</th>
              <th>Deliveries</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {list.map((r) => (
              <tr key={r.id} data-redrive={r.id}>
                <td>{formatTime(r.requestedAt)}</td>
                <td>{r.requestedBy}</td>
                <td>{r.all ? `all${r.reason ? ` ${r.reason}` : ''}` : `${r.ids.length} chosen`}</td>
                <td>
                  <span className={`badge badge-${runBadge(r.status)}`} data-testid="redrive-status">
                    {r.status}
                  </span>
                  {r.stoppedBy ? <span className="muted"> by {r.stoppedBy}</span> : null}
                </td>
                <td data-testid="redrive-sent">
                  {r.sent} of {r.matched}
                  {r.skipped ? <span className="muted"> ({r.skipped} redriven before)</span> : null}
                </td>
                <td>
                  <RunOutcomesLine outcomes={r.outcomes} />
                </td>
                <td>
                  {canWrite && r.status === 'running' ? (
                    <button className="link-button" onClick={() => stop.mutate(r.id)}>
                      Stop
                    </button>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}

/** A destination's dead letters: filter by reason and time, see each one's masked request and answer, redrive. */
export function DeadLettersPage() {
  const workspace = useWorkspace();
  const canWrite = useCanWrite();
  const queryClient = useQueryClient();
  const { destination: id = '' } = useParams();
  const path = wsPath(workspace.slug, 'destinations', id);
  const [filters, setFilters] = useState<Filters>({ reason: '', from: '', to: '', redriven: false });
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [open, setOpen] = useState<string | null>(null);
  const destination = useQuery({ queryKey: ['destination', path], queryFn: () => api.get<Destination>(path) });
  const letters = useQuery({
    queryKey: ['dead-letters', path, filters],
    queryFn: () => api.get<DeadLetterPage>(`${path}/dead-letters?${query(filters)}`),
    refetchInterval: 3000,
  });
  const redrive = useMutation({
    mutationFn: (body: Record<string, unknown>) => api.post<Redrive>(`${path}/redrives`, body),
    onSuccess: async () => {
      setSelected(new Set());
      await queryClient.invalidateQueries({ queryKey: ['redrives'] });
      await queryClient.invalidateQueries({ queryKey: ['dead-letters'] });
    },
  });
  const page = letters.data;
  const toggle = (letter: string) => {
    const next = new Set(selected);
    if (next.has(letter)) next.delete(letter);
    else next.add(letter);
    setSelected(next);
  };
  const redriveAll = () => {
    const matching = page?.totalCount ?? 0;
    if (!window.confirm(`Send the ${matching} dead letters that match again?`)) return;
    redrive.mutate({
      all: true,
      reason: filters.reason,
      ...(toIso(filters.from) ? { failedFrom: toIso(filters.from) } : {}),
      ...(toIso(filters.to) ? { failedTo: toIso(filters.to) } : {}),
    });
  };
  return (
    <>
      <div className="page-header">
        <div>
          <div className="breadcrumbs">
            <Link to={`/${workspace.slug}/destinations`}>Destinations</Link> /{' '}
            <Link to={`/${workspace.slug}/destinations/${id}`}>{destination.data?.name ?? id}</Link> /
          </div>
          <h1>Dead letters</h1>
          <p className="muted">
            Events this destination will not receive. Fix its settings, then redrive them: they go through the normal
            delivery path with their messageIds, each at most once.
          </p>
        </div>
        {canWrite ? (
          <div className="actions">
            <button
              disabled={selected.size === 0 || redrive.isPending}
              onClick={() => redrive.mutate({ ids: [...selected] })}
            >
              Redrive selected ({selected.size})
            </button>
            <button
              className="primary"
              disabled={!page || page.totalCount === 0 || redrive.isPending || filters.redriven}
              onClick={redriveAll}
            >
              Redrive all matching
            </button>
          </div>
        ) : null}
      </div>
      <ErrorNotice error={letters.error ?? redrive.error} />
      <div className="table-toolbar dead-letter-filters">
        <label>
          Reason{' '}
          <select
            aria-label="Reason"
            value={filters.reason}
            onChange={(e) => setFilters({ ...filters, reason: e.target.value })}
          >
            <option value="">All reasons</option>
            {['REJECTED', 'RETRIES_EXHAUSTED', 'INVALID_SETTINGS', 'TRANSLATION_ERROR'].map((reason) => (
              <option key={reason} value={reason}>
                {reason}
                {page ? ` (${page.waitingByReason.find((r) => r.reason === reason)?.count ?? 0} waiting)` : ''}
              </option>
            ))}
          </select>
        </label>
        <label>
          Failed from{' '}
          <input
            type="datetime-local"
            aria-label="Failed from"
            value={filters.from}
            onChange={(e) => setFilters({ ...filters, from: e.target.value })}
          />
        </label>
        <label>
          to{' '}
          <input
            type="datetime-local"
            aria-label="Failed to"
            value={filters.to}
            onChange={(e) => setFilters({ ...filters, to: e.target.value })}
          />
        </label>
        <label className="inline-check">
          <input
            type="checkbox"
            checked={filters.redriven}
            onChange={(e) => setFilters({ ...filters, redriven: e.target.checked })}
          />{' '}
          Also redriven ones
        </label>
        <span className="muted" data-testid="dead-letter-count">
          {page ? `${page.totalCount} matching` : ''}
        </span>
      </div>
      <table className="data-table" aria-label="Dead letters">
        <thead>
          <tr>
            {canWrite ? <th /> : null}
            <th>Failed</th>
            <th>Reason</th>
            <th>Event</th>
            <th>messageId</th>
            <th>Attempts</th>
            <th>Last answer</th>
            <th>Redriven</th>
          </tr>
        </thead>
        <tbody>
          {(page?.deadLetters ?? []).flatMap((d) => [
            <tr key={d.id} data-testid="dead-letter" data-message-id={d.messageId}>
              {canWrite ? (
                <td>
                  <input
                    type="checkbox"
                    aria-label={`Select ${d.messageId}`}
                    disabled={!!d.redriveId}
                    checked={selected.has(d.id)}
                    onChange={() => toggle(d.id)}
                  />
                </td>
              ) : null}
              <td>{formatTime(d.failedAt)}</td>
              <td>
                <span className="badge badge-failed">{d.reason}</span>
              </td>
              <td>
                <button className="link-button" onClick={() => setOpen(open === d.id ? null : d.id)}>
                  {d.eventType}
                  {d.eventName ? ` ${d.eventName}` : ''}
                </button>
              </td>
              <td>
                <Link to={`/${workspace.slug}/traces/${encodeURIComponent(d.messageId)}`}>{d.messageId}</Link>
              </td>
              <td>{d.attempts}</td>
              <td>{d.lastResponse ? (d.lastResponse.error ? d.lastResponse.error : d.lastResponse.status) : '—'}</td>
              <td>{d.redriveId ? formatTime(d.redrivenAt) : '—'}</td>
            </tr>,
            open === d.id ? (
              <tr key={`${d.id}-detail`} className="detail-row">
                <td colSpan={canWrite ? 8 : 7}>
                  <p className="wrap-anywhere">{d.message}</p>
                  <ExchangeView request={d.lastRequest} response={d.lastResponse} label="Last request and answer" />
                  <h4>Event</h4>
                  <pre className="json">{JSON.stringify(d.event, null, 2)}</pre>
                </td>
              </tr>
            ) : null,
          ])}
          {page && page.deadLetters.length === 0 ? (
            <tr>
              <td colSpan={canWrite ? 8 : 7} className="muted empty">
                No dead letters match.
              </td>
            </tr>
          ) : null}
        </tbody>
      </table>
      <Redrives destinationId={id} />
    </>
  );
}
