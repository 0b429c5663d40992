import {
  followUpRequests,
  isOptionalStepRefusal,
  outcomeOfError,
  refusedRequestParts,
  type DestinationDefinition,
  type DestinationSettingsSchema,
  type DropOutcome,
  type Notices,
  type ParsedSettings,
  type RequestDescriptor,
  type ResponseOutcome,
} from '@manifold/destination-kit';
import type { Attempt, Exchange } from './attempt';

/** A flow (request, follow-ups, ...) longer than this is a destination bug, not an API answer. */
export const MAX_FLOW_STEPS = 10;

export interface FlowResult {
  outcome: ResponseOutcome | DropOutcome;
  /** The last exchange of the flow: the one its outcome is about. */
  exchange: Exchange;
  /**
   * When the destination split a batch the API refused whole (`refusedRequestParts`): the parts
   * sent in its place, split again as long as they were refused, each with its own result. Then
   * they, not `outcome` (the first refusal), say what became of the request's events, each part
   * for the events its `itemEvents` name.
   */
  parts?: FlowPart[];
}

/** One part of a refused batch and what its flow came to. */
export interface FlowPart {
  request: RequestDescriptor;
  outcome: ResponseOutcome | DropOutcome;
  exchange: Exchange;
}

/**
 * One request, and the follow-up requests its 2xx answer calls for (multi-request flows such as
 * search-then-update), each sent with `send`; the outcome is that of the last request sent, or,
 * when an optional step is refused for good (FollowUpStep.optional: an association after an
 * upsert), that of the last required step. A batch the API refused whole is sent again in the
 * parts its destination splits it into (`parts`). What the steps leave out or convert goes to
 * `notices`, the event's.
 */
export async function sendFlow(
  destination: DestinationDefinition,
  request: RequestDescriptor,
  settings: ParsedSettings<DestinationSettingsSchema>,
  notices: Notices,
  send: (request: RequestDescriptor) => Promise<Attempt>,
): Promise<FlowResult> {
  let current = request;
  /** The last required step's attempt that went through: the flow's result if an optional step is refused. */
  let required: Attempt | undefined;
  const wentThrough = (attempt: Attempt) => attempt.outcome.kind === 'delivered' || attempt.outcome.kind === 'per-item';
  for (let step = 0; ; step++) {
    const sent = await send(current);
    const response = sent.exchange.response;
    const parts = response ? refusedRequestParts(destination, current, response, sent.outcome, settings) : [];
    if (parts.length > 0) return { ...sent, parts: await sendParts(destination, parts, settings, notices, send) };
    if (!response || !current.followUp) return sent;
    let next: RequestDescriptor[];
    try {
      next = followUpRequests(destination, current, response, settings, notices);
    } catch (error) {
      // The answer ends the flow (e.g. no unique contact): a drop or dead letter with this exchange.
      return { outcome: outcomeOfError(error), exchange: sent.exchange };
    }
    if (isOptionalStepRefusal(current, sent.outcome)) return required ?? sent;
    if (!current.followUp.optional && wentThrough(sent)) required = sent;
    if (next.length === 0) return sent;
    if (step >= MAX_FLOW_STEPS) {
      return {
        outcome: {
          kind: 'dead-letter',
          reason: 'TRANSLATION_ERROR',
          message: `flow longer than ${MAX_FLOW_STEPS} steps`,
        },
        exchange: sent.exchange,
      };
    }
    // Follow-ups go in order; all but the last must succeed for the flow to go on.
    for (const followUp of next.slice(0, -1)) {
      const result = await send(followUp);
      if (result.outcome.kind === 'delivered') {
        if (!followUp.followUp?.optional) required = result;
        continue;
      }
      if (!isOptionalStepRefusal(followUp, result.outcome) || !result.exchange.response) return result;
      // Refused for good but optional: the destination records what it left out, and the flow goes on.
      try {
        followUpRequests(destination, followUp, result.exchange.response, settings, notices);
      } catch (error) {
        return { outcome: outcomeOfError(error), exchange: result.exchange };
      }
    }
    current = next[next.length - 1] as RequestDescriptor;
  }
}

/** The parts of a refused batch, each a flow of its own (split again when refused), at once. */
async function sendParts(
  destination: DestinationDefinition,
  parts: readonly RequestDescriptor[],
  settings: ParsedSettings<DestinationSettingsSchema>,
  notices: Notices,
  send: (request: RequestDescriptor) => Promise<Attempt>,
): Promise<FlowPart[]> {
  const results = await Promise.all(parts.map((part) => sendFlow(destination, part, settings, notices, send)));
  return results.flatMap(
    (result, index) =>
      result.parts ?? [
        { request: parts[index] as RequestDescriptor, outcome: result.outcome, exchange: result.exchange },
      ],
  );
}
