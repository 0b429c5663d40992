import type { PreparedEvent, RequestDescriptor } from '@manifold/destination-kit';

type MappingRef = NonNullable<PreparedEvent['mapping']>;

/**
 * Which instance mapping each request came from, for the trace: an event that matched several
 * mappings sends each one's requests, and the trace names the mapping beside the request it
 * shows. Kept beside the requests (nothing copied, nothing added to them), as the kit keeps the
 * settings a request was built from.
 */
const mappingByRequest = new WeakMap<RequestDescriptor, MappingRef>();

export function tagRequests(requests: readonly RequestDescriptor[], mapping: MappingRef | undefined): void {
  if (!mapping) return;
  for (const request of requests) mappingByRequest.set(request, mapping);
}

/** A follow-up step of a flow belongs to the mapping of the request that started it. */
export function inheritMapping(step: RequestDescriptor, from: RequestDescriptor): void {
  if (step === from) return;
  const mapping = mappingByRequest.get(from);
  if (mapping) mappingByRequest.set(step, mapping);
}

export function mappingOfRequest(request: RequestDescriptor): MappingRef | undefined {
  return mappingByRequest.get(request);
}
