import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import type { Destination, Replay } from '../../../src/api/types';
import { api, formatTime, wsPath } from '../api';
import { localValue } from '../components/datetime-local';
import { ErrorNotice, FormField } from '../components/FormField';
import { RunRangeFields } from '../components/RunRangeFields';
import { RunOutcomesLine } from '../components/RunOutcomesLine';
import { useCanWrite, useWorkspace } from '../components/WorkspaceLayout';
import { QuarantineReplays } from './replays/QuarantineReplays';
import { CancelCell, EventsCell, ProgressCell, RequestedCell, StatusCell } from './replays/run-cells';
import { RunsTable } from './replays/RunsTable';
import { SourceSelect } from './replays/SourceSelect';
import { useRuns } from './replays/useRuns';
import { useStartRun } from './replays/useStartRun';

function StartReplay() {
  const workspace = useWorkspace();
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
  const { start, isPending, fieldErrors, notice } = useStartRun<Replay>('replays', () => ({
    source: form.source,
    destination: form.destination,
    from: new Date(form.from).toISOString(),
    // The control plane requires a replay's `to` (a quarantine replay's defaults to now there): empty means now.
    to: (form.to ? new Date(form.to) : new Date()).toISOString(),
    ratePerSecond: form.rate,
  }));
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
        <SourceSelect
          id="replay-source"
          value={form.source}
          onChange={(source) => setForm({ ...form, source })}
          error={fieldErrors?.fieldMessage('source')}
        />
        <FormField
          label="Destination or warehouse"
          htmlFor="replay-destination"
          error={fieldErrors?.fieldMessage('destination')}
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
          error={fieldErrors}
        />
      </div>
      <ErrorNotice error={notice} />
      <button className="primary" disabled={!form.source || !form.destination || isPending} onClick={start}>
        Start replay
      </button>
    </section>
  );
}

/** Replays of a workspace: start one, follow its progress, cancel it, read its report. */
export function ReplaysPage() {
  const canWrite = useCanWrite();
  const replays = useRuns<Replay>('replays');
  return (
    <>
      <div className="page-header">
        <h1>Replays</h1>
      </div>
      {canWrite ? <StartReplay /> : null}
      <ErrorNotice error={replays.error} />
      <RunsTable
        label="Replays"
        columns={['Requested', 'Events', 'To', 'Status', 'Progress', 'Sent', 'Deliveries', '']}
        runs={replays.list}
        loaded={replays.loaded}
        empty="No replay yet."
        row={(r) => (
          <tr key={r.id} data-testid="replay" data-replay={r.id}>
            <RequestedCell run={r} />
            <EventsCell run={r} />
            <td>{r.destinationName}</td>
            <StatusCell run={r} testId="replay-status" />
            <ProgressCell run={r}>
              {/* Only a replay reports where Kafka's retention cut its range short. */}
              {r.retainedFrom ? (
                <div className="notice notice-warning">Kafka held events only from {formatTime(r.retainedFrom)}</div>
              ) : null}
            </ProgressCell>
            <td data-testid="replay-sent">
              {r.sent}
              <div className="muted">{r.sentByType.map((t) => `${t.eventType} ${t.count}`).join(', ')}</div>
            </td>
            <td>
              <RunOutcomesLine outcomes={r.outcomes} />
            </td>
            <CancelCell run={r} canWrite={canWrite} onCancel={replays.cancel} />
          </tr>
        )}
      />
      <QuarantineReplays />
    </>
  );
}
