import { truncate } from '@manifold/destination-kit';
import type { TraceExchange } from '@manifold/events';
import type { Exchange } from '../pipeline/task';
import { redactRequest } from '../reports/redact';

/**
 * An exchange as the trace keeps it: the request masked (the one masking function of the
 * requests the translator stores), both bodies cut to `bodyChars`.
 */
export function traceExchange(exchange: Exchange, bodyChars: number): TraceExchange {
  const { bodyExcerpt, ...request } = redactRequest(exchange.request, bodyChars);
  const response = exchange.response;
  return {
    request: bodyExcerpt !== undefined ? { ...request, body: bodyExcerpt } : request,
    ...(response
      ? {
          response: {
            status: response.status,
            headers: flatHeaders(response.headers),
            body: truncate(response.body, bodyChars),
          },
        }
      : {}),
    ...(exchange.error !== undefined ? { error: exchange.error } : {}),
    sentAt: new Date(exchange.sentAt ?? Date.now()).toISOString(),
    durationMs: Math.round(exchange.durationMs ?? 0),
  };
}

function flatHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}
