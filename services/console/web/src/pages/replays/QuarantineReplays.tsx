import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { QuarantineReplay, Source } from '../../../../src/api/types';
import { api, ApiError, formatTime, wsPath } from '../../api';
import { localValue } from '../../components/datetime-local';
import { ErrorNotice, FormField } from '../../components/FormField';
import { RunRangeFields } from '../../components/RunRangeFields';
import { runBadge } from '../../components/RunOutcomesLine';
import { useCanWrite, useWorkspace } from '../../components/WorkspaceLayout';

const QUERY_KEY = 'quarantine-replays';

/** The form that asks for one: a source, a time range, optionally one event name, a rate. */
function StartQuarantineReplay() {
  const workspace = useWorkspace();
  const queryClient = useQueryClient();
  const sources = useQuery({
    queryKey: ['list', wsPath(workspace.slug, 'sources'), 'all'],
    queryFn: () => api.get<{ sources: Source[] }>(`${wsPath(workspace.slug, 'sources')}?page_size=500&sort=name`),
  });
  const [form, setForm] = useState({
    source: '',
    from: localValue(new Date(Date.now() - 24 * 3_600_000)),
    // Empty: until the moment it starts.
    to: '',
    eventName: '',
    rate: 500,
  });
  const start = useMutation({
    mutationFn: () =>
      api.post<QuarantineReplay>(wsPath(workspace.slug, 'quarantine-replays'), {
        source: form.source,
        from: new Date(form.from).toISOString(),
        ...(form.to ? { to: new Date(form.to).toISOString() } : {}),
        eventName: form.eventName.trim(),
        ratePerSecond: form.rate,
      }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: [QUERY_KEY] }),
  });
  const error = start.error instanceof ApiError ? start.error : undefined;
  return (
    <section className="card" aria-label="New quarantine replay">
      <h2>Release quarantined events</h2>
      <p className="muted">
        Checks the events a source&apos;s tracking plan blocked again, against the plan as it is now: those that pass go
        on to every destination like new events; the others stay in quarantine. Run it again after a later change of the
        plan: what it released before is not sent twice.
      </p>
      <div className="grid-2 replay-form">
        <FormField label="Source" htmlFor="quarantine-source" error={error?.fieldMessage('source')}>
          <select
            id="quarantine-source"
            value={form.source}
            onChange={(e) => setForm({ ...form, source: e.target.value })}
          >
            <option value="">Choose a source…</option>
            {sources.data?.sources.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </select>
        </FormField>
        <FormField
          label="Only track events named (optional)"
          htmlFor="quarantine-event"
          error={error?.fieldMessage('eventName') ?? error?.fieldMessage('event_name')}
        >
          <input
            id="quarantine-event"
            value={form.eventName}
            onChange={(e) => setForm({ ...form, eventName: e.target.value })}
          />
        </FormField>
        <RunRangeFields
          idPrefix="quarantine"
          fromLabel="Quarantined from"
          toLabel="Quarantined before"
          range={form}
          onChange={(range) => setForm({ ...form, ...range })}
          error={error}
        />
      </div>
      <ErrorNotice error={start.error && !error?.fields.length ? start.error : undefined} />
      <button className="primary" disabled={!form.source || start.isPending} onClick={() => start.mutate()}>
        Release what the plan now allows
      </button>
    </section>
  );
}

/**
 * Quarantine replays of a workspace (blocked events checked again against the source's plan):
 * start one, follow it, cancel it, and read what it released and what stays blocked.
 */
export function QuarantineReplays() {
  const workspace = useWorkspace();
  const canWrite = useCanWrite();
  const queryClient = useQueryClient();
  const replays = useQuery({
    queryKey: [QUERY_KEY, workspace.slug],
    queryFn: () => api.get<{ replays: QuarantineReplay[] }>(wsPath(workspace.slug, 'quarantine-replays')),
    refetchInterval: 2000,
  });
  const cancel = useMutation({
    mutationFn: (id: string) => api.post<QuarantineReplay>(wsPath(workspace.slug, 'quarantine-replays', id, 'cancel')),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: [QUERY_KEY] }),
  });
  const list = replays.data?.replays ?? [];
  return (
    <>
      <h2 className="section-title">Quarantine replays</h2>
      {canWrite ? <StartQuarantineReplay /> : null}
      <ErrorNotice error={replays.error ?? cancel.error} />
      <table className="data-table" aria-label="Quarantine replays">
        <thead>
          <tr>
            <th>Requested</th>
            <th>Events</th>
            <th>Plan</th>
            <th>Status</th>
            <th>Progress</th>
            <th>Released</th>
            <th>Still blocked</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {list.map((r) => (
            <tr key={r.id} data-testid="quarantine-replay" data-replay={r.id}>
              <td>
                {formatTime(r.requestedAt)}
                <div className="muted">{r.requestedBy}</div>
              </td>
              <td>
                {r.sourceName}
                {r.eventName ? <div>{r.eventName}</div> : null}
                <div className="muted">
                  {formatTime(r.from)} – {formatTime(r.to)}
                </div>
              </td>
              <td>{r.planId ? `version ${r.planVersion}` : <span className="muted">none: everything passes</span>}</td>
              <td>
                <span className={`badge badge-${runBadge(r.status)}`} data-testid="quarantine-replay-status">
                  {r.status}
                </span>
                {r.cancelledBy ? <div className="muted">by {r.cancelledBy}</div> : null}
                {r.error ? <div className="error wrap-anywhere">{r.error}</div> : null}
              </td>
              <td>
                <progress max={1} value={r.progress} aria-label="Progress" /> {Math.round(r.progress * 100)}%
                <div className="muted">
                  {r.scanned} of {r.total} read, {r.matched} of this source
                </div>
              </td>
              <td data-testid="quarantine-replay-released">{r.released}</td>
              <td data-testid="quarantine-replay-blocked">{r.stillBlocked}</td>
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
                No quarantine replay yet.
              </td>
            </tr>
          ) : null}
        </tbody>
      </table>
    </>
  );
}
