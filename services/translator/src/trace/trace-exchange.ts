import { maskerOf, maskRequest } from '@manifold/destination-kit';
import type { TraceExchange } from '@manifold/events';
import type { Exchange } from '../pipeline/task';

/**
 * An exchange as the trace keeps it: the request through the kit's `maskRequest` with the
 * credentials of the instance it was built for, which also masks them in the answer (an API may
 * echo its key, and `set-cookie` is a credential) and in a network error; bodies cut to `bodyChars`.
 */
export function traceExchange(exchange: Exchange, bodyChars: number): TraceExchange {
  const masker = maskerOf(exchange.request);
  const response = exchange.response;
  return {
    request: maskRequest(exchange.request, { masker, bodyChars }),
    ...(response
      ? {
          response: {
            status: response.status,
            headers: masker.headers(response.headers),
            body: masker.excerpt(response.body, bodyChars),
          },
        }
      : {}),
    ...(exchange.error !== undefined ? { error: masker.text(exchange.error) } : {}),
    sentAt: new Date(exchange.sentAt ?? Date.now()).toISOString(),
    durationMs: Math.round(exchange.durationMs ?? 0),
  };
}
