import type { HttpRequestSample, HttpResponseSample } from '@manifold/proto';
import type { Io } from './output';

/**
 * A request a destination was sent and its answer (credentials masked by the translator), the
 * same way wherever the CLI shows one (delivery errors, dead letters, traces): `>` lines what was
 * sent, `<` lines what came back.
 */
export function printExchange(
  io: Io,
  request: HttpRequestSample | undefined,
  response: HttpResponseSample | undefined,
  indent = '  ',
): void {
  if (request) {
    io.stdout(`${indent}> ${request.method} ${request.url}\n`);
    for (const [name, value] of Object.entries(request.headers)) io.stdout(`${indent}> ${name}: ${value}\n`);
    if (request.body) io.stdout(`${indent}> ${request.body}\n`);
  }
  if (response?.error) io.stdout(`${indent}< no answer: ${response.error}\n`);
  else if (response) {
    io.stdout(`${indent}< ${response.status}\n`);
    for (const [name, value] of Object.entries(response.headers)) io.stdout(`${indent}< ${name}: ${value}\n`);
    if (response.bodyExcerpt) io.stdout(`${indent}< ${response.bodyExcerpt}\n`);
  }
}
