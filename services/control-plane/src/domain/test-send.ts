import {
  maskerOf,
  maskRequest,
  outcomesPerEvent,
  type DestinationDefinition,
  type DestinationSettingsSchema,
  type DropOutcome,
  type Notices,
  type Outcome,
  type ParsedSettings,
  type RequestDescriptor,
  type ResponseOutcome,
  type RequestSender,
  type SendContext,
} from '@manifold/destination-kit';
import { attemptRequest, sendFlow, type Attempt } from '@manifold/destination-http';
import type { TestedMapping, TestSend } from '@manifold/proto';
import { requestSample, responseSample } from './http-samples';

/** What one tried mapping would send: its requests (unmasked, to send) and the notices `perform` made. */
export interface TestedRequests {
  tested: TestedMapping;
  requests: RequestDescriptor[];
  performed: Notices;
}

/**
 * Sends the requests of every enabled mapping that matched, in order, as the translator sends
 * them (`attemptRequest`, `sendFlow`: the same sender, classifiers and follow-up steps), and
 * answers with each request and its answer masked, and the translator's reading of it.
 */
export async function sendTestRequests(
  sender: Pick<RequestSender, 'send'>,
  destination: DestinationDefinition,
  settings: ParsedSettings<DestinationSettingsSchema>,
  tried: readonly TestedRequests[],
  context: SendContext,
): Promise<TestSend[]> {
  const sent: TestSend[] = [];
  for (const { tested, requests, performed } of tried) {
    if (!tested.enabled || !tested.matched) continue;
    for (const request of requests) {
      const attempts = new Map<Attempt['exchange'], TestSend>();
      const result = await sendFlow(destination, request, settings, performed, async (step) => {
        const attempt = await attemptRequest(sender, destination, step, context);
        const entry = presentAttempt(tested.index, attempt);
        attempts.set(attempt.exchange, entry);
        sent.push(entry);
        return attempt;
      });
      // A flow can end on its last answer with a decision of its own (no unique contact, ...).
      const last = attempts.get(result.exchange);
      if (last) Object.assign(last, classification(result.exchange.request, result.outcome));
    }
  }
  return sent;
}

function presentAttempt(mappingIndex: number, attempt: Attempt): TestSend {
  const { request, response, error } = attempt.exchange;
  // The kit's masker of the instance's credentials: also in the answer (an API may echo its key).
  const masker = maskerOf(request);
  return {
    mappingIndex,
    request: requestSample(maskRequest(request, { masker })),
    ...(response
      ? {
          response: responseSample({
            status: response.status,
            headers: masker.headers(response.headers),
            body: masker.text(response.body),
          }),
        }
      : {}),
    error: error === undefined ? '' : masker.text(error),
    ...classification(request, attempt.outcome),
  };
}

/** The translator's reading of one answer for the one event the tester sends. */
function classification(
  request: RequestDescriptor,
  outcome: ResponseOutcome | DropOutcome,
): Pick<TestSend, 'outcome' | 'reason'> {
  const one: Outcome = outcome.kind === 'drop' ? outcome : (outcomesPerEvent(request, outcome, 1)[0] as Outcome);
  switch (one.kind) {
    case 'delivered':
      return { outcome: 'delivered', reason: '' };
    case 'retry':
      return { outcome: 'retry', reason: one.reason };
    case 'drop':
    case 'dead-letter':
      return { outcome: one.kind, reason: `${one.reason}: ${maskerOf(request).text(one.message)}` };
  }
}
