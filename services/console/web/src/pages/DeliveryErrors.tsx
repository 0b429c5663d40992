import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import type { DeliveryErrorSample } from '../../../src/api/types';
import { api, formatSecond } from '../api';
import { ErrorNotice } from '../components/FormField';

/** Pretty-printed when it is JSON, as sent otherwise. */
function bodyText(body: string): string {
  try {
    return JSON.stringify(JSON.parse(body), null, 2);
  } catch {
    return body;
  }
}

function Headers({ headers }: { headers: Record<string, string> }) {
  const entries = Object.entries(headers);
  if (entries.length === 0) return null;
  return (
    <dl className="headers">
      {entries.map(([name, value]) => (
        <div key={name}>
          <dt>{name}</dt>
          <dd className="wrap-anywhere">{value}</dd>
        </div>
      ))}
    </dl>
  );
}

/** One failed or retried attempt: what was sent and what came back (secrets already masked). */
function Sample({ sample, open }: { sample: DeliveryErrorSample; open: boolean }) {
  const r = sample.response;
  return (
    <details className="sample" open={open} data-reason={sample.reason}>
      <summary>
        <span className={`badge badge-${sample.outcome === 'failed' ? 'failed' : 'partial'}`}>{sample.outcome}</span>{' '}
        <strong>{sample.reason}</strong> · {formatSecond(sample.at)} · {sample.eventType}
        {sample.eventName ? ` “${sample.eventName}”` : ''} · attempt {sample.attempt} ·{' '}
        <code className="wrap-anywhere">{sample.messageId}</code>
      </summary>
      {sample.message ? <p className="wrap-anywhere">{sample.message}</p> : null}
      <div className="exchange">
        <div>
          <h4>Request</h4>
          {sample.request ? (
            <>
              <p className="wrap-anywhere">
                <code>
                  {sample.request.method} {sample.request.url}
                </code>
              </p>
              <Headers headers={sample.request.headers} />
              {sample.request.body ? (
                <pre className="json wrap-anywhere" aria-label="Request body">
                  {bodyText(sample.request.body)}
                </pre>
              ) : null}
            </>
          ) : (
            <p className="muted">No request was made.</p>
          )}
        </div>
        <div>
          <h4>Answer</h4>
          {!r ? (
            <p className="muted">None.</p>
          ) : r.error ? (
            <p className="wrap-anywhere">No answer: {r.error}</p>
          ) : (
            <>
              <p>
                <code>HTTP {r.status}</code>
              </p>
              <Headers headers={r.headers} />
              {r.bodyExcerpt ? (
                <pre className="json wrap-anywhere" aria-label="Answer body">
                  {bodyText(r.bodyExcerpt)}
                </pre>
              ) : null}
            </>
          )}
        </div>
      </div>
    </details>
  );
}

/**
 * The latest failed or retried attempt of each reason, and on demand the latest ones of one
 * reason. Every secret setting of the destination is masked by the translator before it is stored.
 */
export function DeliveryErrors({ path, latest }: { path: string; latest: DeliveryErrorSample[] }) {
  const [reason, setReason] = useState('');
  const more = useQuery({
    queryKey: ['delivery-errors', path, reason],
    queryFn: () =>
      api.get<{ samples: DeliveryErrorSample[] }>(
        `${path}/delivery/errors?limit=20&reason=${encodeURIComponent(reason)}`,
      ),
    enabled: reason !== '',
  });
  const reasons = [...new Set(latest.map((s) => s.reason))];
  const shown = reason ? (more.data?.samples ?? []) : latest;
  return (
    <div aria-label="Latest errors" className="delivery-errors">
      <div className="section-header">
        <h3>Latest errors</h3>
        {reasons.length > 0 ? (
          <select aria-label="Errors of one reason" value={reason} onChange={(e) => setReason(e.target.value)}>
            <option value="">The latest of each reason</option>
            {reasons.map((r) => (
              <option key={r} value={r}>
                Every recent {r}
              </option>
            ))}
          </select>
        ) : null}
      </div>
      <ErrorNotice error={more.error} />
      {shown.length === 0 ? <p className="muted">No failed attempts in this range.</p> : null}
      {shown.map((s, i) => (
        <Sample key={s.id} sample={s} open={i === 0} />
      ))}
    </div>
  );
}
