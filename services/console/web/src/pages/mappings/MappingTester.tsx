import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import type { DestinationMapping, TestDestinationResult } from '../../../../src/api/types';
import { EVENT_TYPES, specOf } from '../../../../src/shared/mappings/trigger-fql';
import { api, ApiError } from '../../api';
import { ErrorNotice, FormField } from '../../components/FormField';
import { ExchangeView, RequestView } from '../../components/ExchangeView';
import { describeEvent, type RecentEvent } from './useRecentEvents';

type Sent = NonNullable<TestDestinationResult['sent']>[number];

function parseEvent(text: string): { event: Record<string, unknown> } | { error: string } {
  try {
    const event = JSON.parse(text) as unknown;
    if (typeof event !== 'object' || event === null || Array.isArray(event)) return { error: 'must be a JSON object' };
    return { event: event as Record<string, unknown> };
  } catch (error) {
    return { error: `is not JSON: ${(error as Error).message}` };
  }
}

/** An answer as the exchange view shows it (the tester's answers are whole, not excerpts). */
function responseOf(sent: Sent) {
  return {
    status: sent.response?.status ?? 0,
    headers: sent.response?.headers ?? {},
    bodyExcerpt: sent.response?.body ?? '',
    error: sent.response ? '' : (sent.error ?? 'no answer'),
  };
}

/**
 * The mapping tester, on the mapping being edited (unsaved changes included): an event picked
 * from recent ones, pasted, or generated for the trigger's type; whether the trigger matches, the
 * mapped payload, problems by field path and the exact requests (masked by the server); "Send
 * test event" sends them with the destination's real settings and shows each answer and how
 * Manifold classifies it.
 */
export function MappingTester(props: {
  /** The destination's API path. */
  path: string;
  idPrefix: string;
  mapping: DestinationMapping;
  /** Values the editor cannot read yet: the mapping cannot be tried until they are fixed. */
  unreadable: boolean;
  recent: RecentEvent[];
  recentError: unknown;
  /** Reads the recent events again. */
  onRefresh(): void;
  canWrite: boolean;
}) {
  const { idPrefix } = props;
  const trigger = specOf(props.mapping.trigger);
  const [text, setText] = useState('');
  const [picked, setPicked] = useState('');
  const [sampleType, setSampleType] = useState(trigger?.type || 'track');
  const [sampleName, setSampleName] = useState(trigger?.name ?? '');
  const [textError, setTextError] = useState<string | undefined>();

  const sample = useMutation({
    mutationFn: () => {
      const query = new URLSearchParams({ type: sampleType });
      if (sampleName) query.set('event', sampleName);
      return api.get<{ event: Record<string, unknown> }>(`${props.path}/test/sample?${query.toString()}`);
    },
    onSuccess: (data) => {
      setText(JSON.stringify(data.event, null, 2));
      setPicked('');
      setTextError(undefined);
    },
  });
  const run = useMutation({
    mutationFn: ({ event, send }: { event: Record<string, unknown>; send: boolean }) =>
      api.post<TestDestinationResult>(`${props.path}/test`, { event, mappings: [props.mapping], send }),
  });
  const start = (send: boolean) => {
    const parsed = parseEvent(text);
    if ('error' in parsed) {
      setTextError(parsed.error);
      return;
    }
    setTextError(undefined);
    run.mutate({ event: parsed.event, send });
  };

  const result = run.data;
  const tested = result?.mappings[0];
  const refused = run.error instanceof ApiError && run.error.fields.length > 0 ? run.error.fields : undefined;

  return (
    <section className="mapping-tester" aria-labelledby={`${idPrefix}-title`} data-testid="mapping-tester">
      <h3 id={`${idPrefix}-title`}>Test this mapping</h3>
      <p className="hint">Tries the mapping as it is in the editor, saved or not. Nothing is sent until you send it.</p>
      <div className="row">
        <FormField
          label="Recent event"
          htmlFor={`${idPrefix}-recent`}
          hint={`${props.recent.length} from the connected sources`}
        >
          <select
            id={`${idPrefix}-recent`}
            value={picked}
            onChange={(e) => {
              setPicked(e.target.value);
              const entry = props.recent.find((r) => String(r.seq) + r.sourceName === e.target.value);
              if (entry) {
                setText(JSON.stringify(entry.event, null, 2));
                setTextError(undefined);
              }
            }}
          >
            <option value="">Choose a recent event…</option>
            {props.recent.map((entry) => (
              <option key={`${entry.sourceName}-${entry.seq}`} value={String(entry.seq) + entry.sourceName}>
                {describeEvent(entry)}
              </option>
            ))}
          </select>
        </FormField>
        <button type="button" className="field-button" onClick={props.onRefresh}>
          Refresh events
        </button>
      </div>
      <ErrorNotice error={props.recentError} />
      <div className="row">
        <FormField label="Sample of type" htmlFor={`${idPrefix}-sample-type`}>
          <select id={`${idPrefix}-sample-type`} value={sampleType} onChange={(e) => setSampleType(e.target.value)}>
            {EVENT_TYPES.map((type) => (
              <option key={type} value={type}>
                {type}
              </option>
            ))}
          </select>
        </FormField>
        <FormField label="Sample name" htmlFor={`${idPrefix}-sample-name`} hint="Event, page or screen name">
          <input
            id={`${idPrefix}-sample-name`}
            type="text"
            value={sampleName}
            onChange={(e) => setSampleName(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter') {
                e.preventDefault();
                sample.mutate();
              }
            }}
          />
        </FormField>
        <button type="button" className="field-button" disabled={sample.isPending} onClick={() => sample.mutate()}>
          Generate sample
        </button>
      </div>
      <ErrorNotice error={sample.error} />
      <FormField label="Event (JSON): pick, generate or paste one" htmlFor={`${idPrefix}-event`} error={textError}>
        <textarea
          id={`${idPrefix}-event`}
          rows={8}
          spellCheck={false}
          value={text}
          aria-invalid={textError ? true : undefined}
          aria-describedby={textError ? `${idPrefix}-event-error` : undefined}
          onChange={(e) => setText(e.target.value)}
        />
      </FormField>
      {props.unreadable ? (
        <p className="notice notice-warning">Fix the values marked in the editor to try the mapping.</p>
      ) : null}
      <div className="actions">
        <button
          type="button"
          className="primary"
          disabled={!text.trim() || props.unreadable || run.isPending}
          onClick={() => start(false)}
        >
          Try it
        </button>
        {props.canWrite ? (
          <button
            type="button"
            disabled={!text.trim() || props.unreadable || run.isPending}
            onClick={() => start(true)}
          >
            Send test event
          </button>
        ) : null}
        {run.isPending ? (
          <span className="muted" role="status">
            {run.variables.send ? 'Sending…' : 'Trying…'}
          </span>
        ) : null}
      </div>
      {refused ? (
        <div className="notice notice-error" role="alert">
          The mapping is not valid yet:
          <ul>
            {refused.map((f) => (
              <li key={f.field} className="wrap-anywhere">
                {f.field.replace(/^mappings\[0\]\./, '')}: {f.message}
              </li>
            ))}
          </ul>
        </div>
      ) : (
        <ErrorNotice error={run.error} />
      )}
      {result && !run.isPending ? (
        <div className="tester-result" data-testid="tester-result" aria-live="polite">
          {tested ? (
            <p>
              <span className={`badge badge-${tested.matched ? 'enabled' : 'disabled'}`} data-testid="tester-matched">
                {tested.matched ? 'trigger matches' : 'trigger does not match'}
              </span>
              {tested.enabled ? null : <span className="muted"> The mapping is disabled: it would not run.</span>}
            </p>
          ) : null}
          {result.filtered ? (
            <p className="notice notice-warning wrap-anywhere">
              Not sent: {result.filtered.message} ({result.filtered.reason})
            </p>
          ) : null}
          {tested && tested.errors.length > 0 ? (
            <div className="notice notice-error" role="alert" data-testid="tester-errors">
              <ul>
                {tested.errors.map((e, i) => (
                  <li key={i} className="wrap-anywhere">
                    {e.path ? <code>{e.path}</code> : null} {e.message}
                  </li>
                ))}
              </ul>
            </div>
          ) : null}
          {result.notices.length > 0 ? (
            <ul className="tester-notices" aria-label="Notices">
              {result.notices.map((n, i) => (
                <li key={i} className="wrap-anywhere">
                  {n.path ? <code>{n.path}</code> : null} {n.message}
                </li>
              ))}
            </ul>
          ) : null}
          {tested?.payload ? (
            <>
              <h4>Mapped payload</h4>
              <pre className="json wrap-anywhere" aria-label="Mapped payload">
                {JSON.stringify(tested.payload, null, 2)}
              </pre>
            </>
          ) : null}
          {result.sent ? (
            <>
              <h4>Sent</h4>
              {result.sent.length === 0 ? <p className="muted">Nothing was sent.</p> : null}
              {result.sent.map((sent, i) => (
                <div key={i} className="tester-sent" data-testid="tester-sent" data-outcome={sent.outcome}>
                  <p>
                    <span className={`badge badge-outcome-${sent.outcome}`}>{sent.outcome}</span>{' '}
                    {sent.reason ? <span className="wrap-anywhere">{sent.reason}</span> : null}
                  </p>
                  <ExchangeView
                    request={{ ...sent.request, body: sent.request.body ?? '' }}
                    response={responseOf(sent)}
                  />
                </div>
              ))}
            </>
          ) : tested && tested.requests.length > 0 ? (
            <>
              <h4>{tested.requests.length === 1 ? 'The request it would send' : 'The requests it would send'}</h4>
              {tested.requests.map((request, i) => (
                <div key={i} className="tester-request" data-testid="tester-request">
                  <RequestView request={request} />
                </div>
              ))}
            </>
          ) : null}
        </div>
      ) : null}
    </section>
  );
}
