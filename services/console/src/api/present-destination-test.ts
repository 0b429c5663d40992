import type * as proto from '@manifold/proto';
import type { z } from 'zod';
import type { TestDestinationResult } from './destination-test-models';

type Result = z.input<typeof TestDestinationResult>;

function request(r: proto.HttpRequestSample | undefined): Result['mappings'][number]['requests'][number] {
  // The control plane masked every credential already (the kit's maskRequest).
  return {
    method: r?.method ?? '',
    url: r?.url ?? '',
    headers: r?.headers ?? {},
    ...(r?.body ? { body: r.body } : {}),
  };
}

/** The tester's answer as the Public API shows it; `sent` only when a send was asked. */
export function presentTestResult(r: proto.TestDestinationResponse, send: boolean): Result {
  return {
    mappings: r.mappings.map((m) => ({
      index: m.index,
      id: m.id,
      name: m.name,
      action: m.action,
      enabled: m.enabled,
      matched: m.matched,
      ...(m.payload ? { payload: m.payload } : {}),
      errors: m.errors.map((e) => ({ path: e.path, message: e.message })),
      requests: m.requests.map(request),
    })),
    ...(r.filteredReason ? { filtered: { reason: r.filteredReason, message: r.filteredMessage } } : {}),
    notices: r.notices.map((n) => ({ ...(n.path ? { path: n.path } : {}), message: n.message })),
    ...(send
      ? {
          sent: r.sent.map((s) => ({
            mapping: s.mappingIndex,
            request: request(s.request),
            ...(s.response
              ? { response: { status: s.response.status, headers: s.response.headers, body: s.response.bodyExcerpt } }
              : {}),
            ...(s.error ? { error: s.error } : {}),
            outcome: s.outcome as 'delivered' | 'retry' | 'drop' | 'dead-letter',
            ...(s.reason ? { reason: s.reason } : {}),
          })),
        }
      : {}),
  };
}
