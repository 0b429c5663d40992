import { maskerOf, maskRequest } from '@manifold/destination-kit';
import type { TraceExchange } from '@manifold/events';
import type { Exchange } from '../pipeline/task';

/** What a successful exchange keeps of its answer's body (`{"ok":true}` and the like). */
const SUCCESS_ANSWER_CHARS = 256;

/**
 * An exchange as the trace keeps it: the request through the kit's `maskRequest` with the
 * credentials of the instance it was built for, which also masks them in the answer (an API may
 * echo its key, and `set-cookie` is a credential) and in a network error; bodies cut to
 * `bodyChars`. A 2xx answer keeps its status and the start of its body, not its headers. Without
 * `requestBody` the request keeps its line and headers only (a delivered event's body is most of
 * a trace's bytes and of its cost).
 */
export function traceExchange(exchange: Exchange, bodyChars: number, requestBody = true): TraceExchange {
  const masker = maskerOf(exchange.request);
  const response = exchange.response;
  const request = requestBody
    ? maskRequest(exchange.request, { masker, bodyChars })
    : maskRequest({ ...exchange.request, body: undefined }, { masker });
  const traced: TraceExchange = {
    request,
  };
  if (response) {
    const success = response.status >= 200 && response.status < 300;
    traced.response = {
      status: response.status,
      headers: success ? {} : masker.headers(response.headers),
      body: masker.excerpt(response.body, success ? Math.min(bodyChars, SUCCESS_ANSWER_CHARS) : bodyChars),
    };
  }
  if (exchange.error !== undefined) traced.error = masker.text(exchange.error);
  return traced;
}
