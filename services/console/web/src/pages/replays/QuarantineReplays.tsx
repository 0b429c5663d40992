import { useState } from 'react';
import type { QuarantineReplay } from '../../../../src/api/types';
import { localValue } from '../../components/datetime-local';
import { ErrorNotice, FormField } from '../../components/FormField';
import { RunRangeFields } from '../../components/RunRangeFields';
import { useCanWrite } from '../../components/WorkspaceLayout';
import { CancelCell, EventsCell, ProgressCell, RequestedCell, StatusCell } from './run-cells';
import { RunsTable } from './RunsTable';
import { SourceSelect } from './SourceSelect';
import { useRuns } from './useRuns';
import { useStartRun } from './useStartRun';

/** The form that asks for one: a source, a time range, optionally one event name, a rate. */
function StartQuarantineReplay() {
  const [form, setForm] = useState({
    source: '',
    // A day back, where an event replay's form starts an hour back: each form keeps its own range and fields,
    // only the source choice and the range and rate fields are shared (left empty, the control plane would
    // take everything quarantined).
    from: localValue(new Date(Date.now() - 24 * 3_600_000)),
    // Empty: until the moment it starts.
    to: '',
    eventName: '',
    rate: 500,
  });
  const { start, isPending, fieldErrors, notice } = useStartRun<QuarantineReplay>('quarantine-replays', () => ({
    source: form.source,
    from: new Date(form.from).toISOString(),
    // Left out when empty, unlike a replay's: the control plane takes the end as the moment it starts.
    ...(form.to ? { to: new Date(form.to).toISOString() } : {}),
    eventName: form.eventName.trim(),
    ratePerSecond: form.rate,
  }));
  return (
    <section className="card" aria-label="New quarantine replay">
      <h2>Release quarantined events</h2>
      <p className="muted">
        Checks the events a source&apos;s tracking plan blocked again, against the plan as it is now: those that pass go
        on to every destination like new events; the others stay in quarantine. Run it again after a later change of the
        plan: what it released before is not sent twice.
      </p>
      <div className="grid-2 replay-form">
        <SourceSelect
          id="quarantine-source"
          value={form.source}
          onChange={(source) => setForm({ ...form, source })}
          error={fieldErrors?.fieldMessage('source')}
        />
        <FormField
          label="Only track events named (optional)"
          htmlFor="quarantine-event"
          error={fieldErrors?.fieldMessage('eventName') ?? fieldErrors?.fieldMessage('event_name')}
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
          error={fieldErrors}
        />
      </div>
      <ErrorNotice error={notice} />
      <button className="primary" disabled={!form.source || isPending} onClick={start}>
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
  const canWrite = useCanWrite();
  const replays = useRuns<QuarantineReplay>('quarantine-replays');
  return (
    <>
      <h2 className="section-title">Quarantine replays</h2>
      {canWrite ? <StartQuarantineReplay /> : null}
      <ErrorNotice error={replays.error} />
      <RunsTable
        label="Quarantine replays"
        columns={['Requested', 'Events', 'Plan', 'Status', 'Progress', 'Released', 'Still blocked', '']}
        runs={replays.list}
        loaded={replays.loaded}
        empty="No quarantine replay yet."
        row={(r) => (
          <tr key={r.id} data-testid="quarantine-replay" data-replay={r.id}>
            <RequestedCell run={r} />
            <EventsCell run={r} eventName={r.eventName} />
            <td>{r.planId ? `version ${r.planVersion}` : <span className="muted">none: everything passes</span>}</td>
            <StatusCell run={r} testId="quarantine-replay-status" />
            <ProgressCell run={r} readDetail={`, ${r.matched} of this source`} />
            <td data-testid="quarantine-replay-released">{r.released}</td>
            <td data-testid="quarantine-replay-blocked">{r.stillBlocked}</td>
            <CancelCell run={r} canWrite={canWrite} onCancel={replays.cancel} />
          </tr>
        )}
      />
    </>
  );
}
