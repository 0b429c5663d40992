import type { DestinationDefinition, DestinationSettingsSchema } from './definition';
import type { ResponseOutcome } from './classify';
import { rememberSettings } from './mask-request';
import type { HttpResponseInfo, RequestDescriptor } from './request';
import type { ParsedSettings } from './translate';

/**
 * The parts to send instead of a batch request the API refused whole, for an API whose batch
 * endpoint refuses every item for one bad item without saying which (HubSpot's events batch).
 * Empty unless the answer is a final refusal of the whole request (a dead letter, not per item)
 * and the destination splits this request (`splitRefused`). Each part carries its share of the
 * request's `itemEvents`; a part refused again is split again, so only the refused items end
 * dead-lettered and the others are delivered.
 */
export function refusedRequestParts<S extends DestinationSettingsSchema>(
  destination: DestinationDefinition<S>,
  request: RequestDescriptor,
  response: HttpResponseInfo,
  outcome: ResponseOutcome,
  settings: ParsedSettings<S>,
): RequestDescriptor[] {
  if (outcome.kind !== 'dead-letter' || !destination.splitRefused) return [];
  const parts = destination.splitRefused(request, response, settings);
  // Each part must carry fewer items than the request, or splitting would never end.
  const items = request.itemEvents?.length ?? 1;
  if (parts.some((part) => (part.itemEvents?.length ?? 1) >= items)) return [];
  return rememberSettings(parts, destination, settings);
}
