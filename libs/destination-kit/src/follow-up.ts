import { Notices } from './coercion/notices';
import type { DestinationDefinition, DestinationSettingsSchema } from './definition';
import { rememberSettings } from './mask-request';
import type { HttpResponseInfo, RequestDescriptor } from './request';
import { classifyResponse, type ParsedSettings } from './translate';

/**
 * What to send after `request` got `response`, for APIs that need several dependent calls per
 * event (Intercom: search the contact, then update it or create it). Empty when the request is not
 * a flow step or the answer is not 2xx (then `classifyResponse` decides, and a retry restarts the
 * flow from its first request: every step is a read or an idempotent write); for an optional
 * step refused for good, the destination's `followUp` still sees the refusal, to record what it
 * left out.
 *
 * The event's outcome is the outcome of the last request sent. Throws a DestinationError when the
 * answer ends the flow (`outcomeOfError` turns it into a drop or dead-letter outcome). What a step
 * leaves out or converts (e.g. an attribute the API's answer shows it cannot take) is recorded in
 * `notices`: pass the event's, the same for every step of its flow.
 */
export function followUpRequests<S extends DestinationSettingsSchema>(
  destination: DestinationDefinition<S>,
  request: RequestDescriptor,
  response: HttpResponseInfo,
  settings: ParsedSettings<S>,
  notices: Notices = new Notices(),
): RequestDescriptor[] {
  if (!request.followUp || !destination.followUp) return [];
  if (response.status < 200 || response.status > 299) {
    if (!isOptionalStepRefusal(request, classifyResponse(destination, request, response))) return [];
  }
  return rememberSettings(destination.followUp(response, request, settings, notices), destination, settings);
}

/**
 * Whether `outcome`, the answer to `request`, refuses an optional flow step for good (see
 * FollowUpStep.optional): the flow then ends with the outcome of its last required step, after
 * `followUpRequests` let the destination record what the refusal left out.
 */
export function isOptionalStepRefusal(request: RequestDescriptor, outcome: { kind: string }): boolean {
  return request.followUp?.optional === true && outcome.kind === 'dead-letter';
}
