import {
  classifyNetworkError,
  classifyResponse,
  type DestinationDefinition,
  type HttpResponseInfo,
  type RequestDescriptor,
  type ResponseOutcome,
  type RequestSender,
  type SendContext,
} from '@manifold/destination-kit';

/** A request and what came back: kept for dead letters, traces and the mapping tester. */
export interface Exchange {
  request: RequestDescriptor;
  response?: HttpResponseInfo;
  /** Why there was no response (network error, timeout). */
  error?: string;
  /** When the destination answered or the request failed (ms); absent when no request was made. */
  answeredAt?: number;
  /** How long the answer (or the failure) took, in ms. */
  durationMs?: number;
}

/** One request sent, and how the destination kit reads its answer (or its absence). */
export interface Attempt {
  outcome: ResponseOutcome;
  exchange: Exchange;
}

/**
 * Sends one request (over HTTP, or the destination's own transport) and classifies what came back, the one way the translator and the mapping
 * tester both do it: the destination's own reading of an answer (`classifyResponse`), the
 * generic one of a network failure (`classifyNetworkError`). A classifier that throws is a bug:
 * the answer is kept, as a TRANSLATION_ERROR dead letter, for a replay after the fix.
 */
export async function attemptRequest(
  sender: Pick<RequestSender, 'send'>,
  destination: DestinationDefinition,
  request: RequestDescriptor,
  context: SendContext,
  /** What goes on the wire when it differs from `request` (e.g. with an access token added); the exchange keeps `request`. */
  sent: RequestDescriptor = request,
): Promise<Attempt> {
  const started = performance.now();
  let response: HttpResponseInfo;
  try {
    response = await sender.send(sent, context);
  } catch (error) {
    const durationMs = performance.now() - started;
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return {
      outcome: classifyNetworkError(error),
      exchange: { request, error: message, durationMs, answeredAt: Date.now() },
    };
  }
  const exchange: Exchange = { request, response, durationMs: performance.now() - started, answeredAt: Date.now() };
  try {
    return { outcome: classifyResponse(destination, request, response), exchange };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return {
      outcome: { kind: 'dead-letter', reason: 'TRANSLATION_ERROR', message, status: response.status },
      exchange,
    };
  }
}
