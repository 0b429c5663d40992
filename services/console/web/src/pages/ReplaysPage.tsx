import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { Destination, Replay, Source } from '../../../src/api/types';
import { api, ApiError, formatTime, wsPath } from '../api';
import { localValue } from '../components/datetime-local';
import { ErrorNotice, FormField } from '../components/FormField';
import { RunRangeFields } from '../components/RunRangeFields';
import { RunOutcomesLine, runBadge } from '../components/RunOutcomesLine';
import { useCanWrite, useWorkspace } from '../components/WorkspaceLayout';
import { QuarantineReplays } from './replays/QuarantineReplays';

function StartReplay() {
  const workspace = useWorkspace();
  const queryClient = useQueryClient();
  const sources = useQuery({
    queryKey: ['list', wsPath(workspace.slug, 'sources'), 'all'],
    queryFn: () => api.get<{ sources: Source[] }>(`${wsPath(workspace.slug, 'sources')}?page_size=500&sort=name`),
  });
  const destinations = useQuery({
    queryKey: ['list', wsPath(workspace.slug, 'destinations'), 'all'],
    queryFn: () =>
      api.get<{ destinations: Destination[] }>(`${wsPath(workspace.slug, 'destinations')}?page_size=500&sort=name`),
  });
  const [form, setForm] = useState({
    source: '',
    destination: '',
    from: localValue(new Date(Date.now() - 3_600_000)),
    // Empty: until the moment it starts.
    to: '',
    rate: 500,
  });
  const start = useMutation({
    mutationFn: () =>
      api.post<Replay>(wsPath(workspace.slug, 'replays'), {
        source: form.source,
        destination: form.destination,
        from: new Date(form.from).toISOString(),
        to: (form.to ? new Date(form.to) : new Date()).toISOString(),
        ratePerSecond: form.rate,
      }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['replays'] }),
  });
  const error = start.error instanceof ApiError ? start.error : undefined;
  const connected = (destinations.data?.destinations ?? []).filter(
    (d) => !form.source || d.sourceIds.includes(form.source),
  );
  return (
    <section className="card" aria-label="New replay">
      <h2>Replay events</h2>
      <p className="muted">
        Sends one source&apos;s events of a time range again to one destination or warehouse, while Kafka still holds
        them. Events the destination received in the last 24 hours are not delivered again.
      </p>
      <div className="grid-2 replay-form">
        <FormField label="Source" htmlFor="replay-source" error={error?.fieldMessage('source')}>
          <select id="replay-source" value={form.source} onChange={(e) => setForm({ ...form, source: e.target.value })}>
            <option value="">Choose a source…</option>
            {sources.data?.sources.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </select>
        </FormField>
        <FormField
          label="Destination or warehouse"
          htmlFor="replay-destination"
          error={error?.fieldMessage('destination')}
        >
          <select
            id="replay-destination"
            value={form.destination}
            onChange={(e) => setForm({ ...form, destination: e.target.value })}
          >
            <option value="">Choose one…</option>
            {connected.map((d) => (
              <option key={d.id} value={d.id}>
                {d.name}
                {d.warehouse ? ' (warehouse)' : ''}
              </option>
            ))}
          </select>
        </FormField>
        <RunRangeFields
          idPrefix="replay"
          fromLabel="From"
          toLabel="To"
          range={form}
          onChange={(range) => setForm({ ...form, ...range })}
          error={error}
        />
      </div>
      <ErrorNotice error={start.error && !error?.fields.length ? start.error : undefined} />
      <button
        className="primary"
        disabled={!form.source || !form.destination || start.isPending}
        onClick={() => start.mutate()}
      >
        Start replay
      </button>
    </section>
  );
}

/** Replays of a workspace: start one, follow its progress, cancel it, read its report. */
export function ReplaysPage() {
  const workspace = useWorkspace();
  const canWrite = useCanWrite();
  const queryClient = useQueryClient();
  const replays = useQuery({
    queryKey: ['replays', workspace.slug],
    queryFn: () => api.get<{ replays: Replay[] }>(wsPath(workspace.slug, 'replays')),
    refetchInterval: 2000,
  });
  const cancel = useMutation({
    mutationFn: (id: string) => api.post<Replay>(wsPath(workspace.slug, 'replays', id, 'cancel')),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['replays'] }),
  });
  const list = replays.data?.replays ?? [];
  return (
    <>
      <div className="page-header">
        <h1>Replays</h1>
      </div>
      {canWrite ? <StartReplay /> : null}
      <ErrorNotice error={replays.error ?? cancel.error} />
      <table className="data-table" aria-label="Replays">
        <thead>
          <tr>
            <th>Requested</th>
            <th>Events</th>
            <th>To</th>
            <th>Status</th>
            <th>Progress</th>
            <th>Sent</th>
            <th>Deliveries</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {list.map((r) => (
            <tr key={r.id} data-testid="replay" data-replay={r.id}>
              <td>
                {formatTime(r.requestedAt)}
                <div className="muted">{r.requestedBy}</div>
              </td>
              <td>
                {r.sourceName}
                <div className="muted">
                  {formatTime(r.from)} – {formatTime(r.to)}
                </div>
              </td>
              <td>{r.destinationName}</td>
              <td>
                <span className={`badge badge-${runBadge(r.status)}`} data-testid="replay-status">
                  {r.status}
                </span>
                {r.cancelledBy ? <div className="muted">by {r.cancelledBy}</div> : null}
                {r.error ? <div className="error wrap-anywhere">{r.error}</div> : null}
              </td>
              <td>
                <progress max={1} value={r.progress} aria-label="Progress" /> {Math.round(r.progress * 100)}%
                <div className="muted">
                  {r.scanned} of {r.total} read
                </div>
                {r.retainedFrom ? (
                  <div className="notice notice-warning">Kafka held events only from {formatTime(r.retainedFrom)}</div>
                ) : null}
              </td>
              <td data-testid="replay-sent">
                {r.sent}
                <div className="muted">{r.sentByType.map((t) => `${t.eventType} ${t.count}`).join(', ')}</div>
              </td>
              <td>
                <RunOutcomesLine outcomes={r.outcomes} />
              </td>
              <td>
                {canWrite && r.status === 'running' ? (
                  <button className="link-button" onClick={() => cancel.mutate(r.id)}>
                    Cancel
                  </button>
                ) : null}
              </td>
            </tr>
          ))}
          {replays.data && list.length === 0 ? (
            <tr>
              <td colSpan={8} className="muted empty">
                No replay yet.
              </td>
            </tr>
          ) : null}
        </tbody>
      </table>
      <QuarantineReplays />
    </>
  );
}
