import type { HttpRequestSample, HttpResponseSample } from '@manifold/proto';

/**
 * The delivery view's request and answer shapes, built from what the translators stored (every
 * credential masked there already): delivery samples, dead letters and trace entries all go
 * through these two, so they read the same everywhere (console, REST, gRPC, CLI).
 */
export function requestSample(request: {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string | undefined;
}): HttpRequestSample {
  return { method: request.method, url: request.url, headers: request.headers, body: request.body ?? '' };
}

/** An answer (its status, headers and the start of its body), or why there was none. */
export type StoredAnswer = { status: number; headers?: Record<string, string>; body: string } | { error: string };

export function responseSample(answer: StoredAnswer): HttpResponseSample {
  return 'error' in answer
    ? { status: 0, headers: {}, bodyExcerpt: '', error: answer.error }
    : { status: answer.status, headers: answer.headers ?? {}, bodyExcerpt: answer.body, error: '' };
}
