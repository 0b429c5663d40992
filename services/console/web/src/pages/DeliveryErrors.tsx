import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import type { DeliveryErrorSample } from '../../../src/api/types';
import { api, formatSecond } from '../api';
import { ExchangeView } from '../components/ExchangeView';
import { ErrorNotice } from '../components/FormField';

/** One failed or retried attempt: what was sent and what came back (secrets already masked). */
function Sample({ sample, open }: { sample: DeliveryErrorSample; open: boolean }) {
  return (
    <details className="sample" open={open} data-reason={sample.reason}>
      <summary>
        <span className={`badge badge-${sample.outcome === 'failed' ? 'failed' : 'partial'}`}>{sample.outcome}</span>{' '}
        <strong>{sample.reason}</strong> · {formatSecond(sample.at)} · {sample.eventType}
        {sample.eventName ? ` “${sample.eventName}”` : ''} · attempt {sample.attempt} ·{' '}
        <code className="wrap-anywhere">{sample.messageId}</code>
      </summary>
      {sample.message ? <p className="wrap-anywhere">{sample.message}</p> : null}
      <ExchangeView request={sample.request} response={sample.response} />
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
