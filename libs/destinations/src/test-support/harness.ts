// Shared by the destinations' table-driven tests: Spec event fixtures, exact request
// comparison, and delivery of produced requests to an emulator with undici.
import { request as undiciRequest } from 'undici';
import {
  classifyResponse,
  followUpRequests,
  isOptionalStepRefusal,
  Notices,
  outcomeOfError,
  parseSettings,
  prepareEvent,
  translateEvent,
  type DestinationDefinition,
  type DropReason,
  type Outcome,
  type FieldNotice,
  type HttpResponseInfo,
  type RequestDescriptor,
  type ResponseOutcome,
  type DestinationSettingsSchema,
  type ParsedSettings,
  type PreparedEvent,
} from '@manifold/destination-kit';
import type { SpecEvent } from '@manifold/events';

/** The clock the emulators run on in these tests, so exact time rules apply to fixed timestamps. */
export const NOW = Date.parse('2026-06-01T12:00:00.000Z');
export const TIMESTAMP = '2026-06-01T11:59:00.000Z';
export const TIMESTAMP_MS = Date.parse(TIMESTAMP);

/** A Spec event as ingestion stores it, with a browser-like context. */
export function specEvent(partial: Partial<SpecEvent> & Pick<SpecEvent, 'type'>): SpecEvent {
  return {
    messageId: 'ajs-next-1780314000000-6f0c3b1e-7d4a-4c4e-9a57-0e1c2d3f4a5b',
    anonymousId: 'anon-4d2b9c',
    userId: 'user-1001',
    timestamp: TIMESTAMP,
    originalTimestamp: TIMESTAMP,
    sentAt: TIMESTAMP,
    receivedAt: '2026-06-01T11:59:00.120Z',
    context: {
      ip: '203.0.113.7',
      locale: 'en-US',
      timezone: 'Europe/Paris',
      userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Chrome/130.0 Safari/537.36',
      library: { name: 'analytics.js', version: 'next-1.84.1' },
      page: { url: 'https://shop.example.com/cart', referrer: 'https://google.com/', title: 'Cart', path: '/cart' },
    },
    integrations: {},
    ...partial,
  };
}

/** What a test expects of one request: path relative to the base URL, and the decoded body. */
export interface ExpectedRequest {
  method: string;
  /** Path and query after the base URL. */
  path: string;
  /** Headers that must be present with these values (others may be present too). */
  headers?: Record<string, string>;
  json?: unknown;
  /** Form fields; JSON-valued fields given as values are compared parsed. */
  form?: Record<string, unknown>;
}

export type Expectation =
  | {
      requests: ExpectedRequest[];
      /** The fields left out or converted, exactly (in order); none expected when absent. */
      notices?: FieldNotice[];
    }
  | { drop: DropReason; message?: string };

export interface TranslationCase {
  name: string;
  event: SpecEvent;
  settings?: Record<string, unknown>;
  expect: Expectation;
}

export function parsed<S extends DestinationSettingsSchema>(
  destination: DestinationDefinition<S>,
  raw: Record<string, unknown>,
) {
  const result = parseSettings(destination, raw);
  if (!result.ok) throw new Error(result.outcome.message);
  return result.settings;
}

/** Events that must each be prepared (a batching test's input), prepared. */
export function prepareAll<S extends DestinationSettingsSchema>(
  destination: DestinationDefinition<S>,
  events: SpecEvent[],
  settings: ParsedSettings<S>,
): PreparedEvent[] {
  return events.map((event) => {
    const prepared = prepareEvent(destination, event, settings);
    if (prepared.kind !== 'prepared') throw new Error(prepared.message);
    return prepared;
  });
}

/** Decodes a request body by its content type, for comparison. */
export function decodeBody(request: RequestDescriptor): { json?: unknown; form?: Record<string, unknown> } {
  const type = request.headers['content-type'] ?? '';
  if (request.body === undefined) return {};
  if (type.startsWith('application/json')) return { json: JSON.parse(request.body) as unknown };
  if (type.startsWith('application/x-www-form-urlencoded')) {
    const form: Record<string, unknown> = {};
    for (const [key, value] of new URLSearchParams(request.body)) {
      try {
        form[key] = JSON.parse(value) as unknown;
      } catch {
        form[key] = value;
      }
    }
    return { form };
  }
  return {};
}

/** Asserts the requests equal the expectation exactly (method, URL, listed headers, whole body). */
export function expectRequests(actual: RequestDescriptor[], expected: ExpectedRequest[], baseUrl: string): void {
  expect(actual.map((r) => `${r.method} ${r.url}`)).toEqual(expected.map((e) => `${e.method} ${baseUrl}${e.path}`));
  actual.forEach((request, i) => {
    const want = expected[i] as ExpectedRequest;
    if (want.headers) expect(request.headers).toMatchObject(want.headers);
    const body = decodeBody(request);
    if (want.json !== undefined) expect(body.json).toEqual(want.json);
    if (want.form !== undefined) expect(body.form).toEqual(want.form);
  });
}

/** Sends one request descriptor with undici, as the translator will. */
export async function deliver(request: RequestDescriptor): Promise<HttpResponseInfo> {
  const response = await undiciRequest(request.url, {
    method: request.method,
    headers: request.headers,
    ...(request.body !== undefined ? { body: request.body } : {}),
    headersTimeout: 5000,
    bodyTimeout: 5000,
  });
  return { status: response.statusCode, headers: response.headers, body: await response.body.text() };
}

/** What a request gets just before it leaves (an OAuth destination's access token); nothing by default. */
export type Authorize = (request: RequestDescriptor) => RequestDescriptor;

/** Sends every request and returns the destination's reading of each answer. */
export async function deliverAll(
  destination: DestinationDefinition,
  requests: RequestDescriptor[],
  authorize: Authorize = (request) => request,
): Promise<{ response: HttpResponseInfo; outcome: ResponseOutcome }[]> {
  const results = [];
  for (const request of requests) {
    const response = await deliver(authorize(request));
    results.push({ response, outcome: classifyResponse(destination, request, response) });
  }
  return results;
}

/**
 * Runs a table of cases: the exact requests (or drop) out of each event, then every request
 * posted to the emulator, which must accept it (the destination's classifier says delivered).
 */
export function runTranslationCases<S extends DestinationSettingsSchema>(
  destination: DestinationDefinition<S>,
  cases: TranslationCase[],
  context: () => { baseSettings: Record<string, unknown>; baseUrl: string; authorize?: Authorize },
): void {
  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, testCase) => {
    const { baseSettings, baseUrl, authorize } = context();
    const settings = parsed(destination, { ...baseSettings, ...testCase.settings });
    const translation = translateEvent(destination, testCase.event, settings);
    if ('drop' in testCase.expect) {
      expect(translation).toMatchObject({ kind: 'drop', reason: testCase.expect.drop });
      if (testCase.expect.message && translation.kind === 'drop') {
        expect(translation.message).toContain(testCase.expect.message);
      }
      return;
    }
    if (translation.kind !== 'requests') throw new Error(`expected requests, got ${JSON.stringify(translation)}`);
    expectRequests(translation.requests, testCase.expect.requests, baseUrl);
    expect(translation.notices).toEqual(testCase.expect.notices ?? []);
    const results = await deliverAll(destination as DestinationDefinition, translation.requests, authorize);
    for (const { response, outcome } of results) {
      expect({ status: response.status, body: response.body, outcome: outcome.kind }).toMatchObject({
        outcome: 'delivered',
      });
    }
  });
}

/**
 * Sends a multi-request flow as the translator does: each 2xx answer to a step feeds
 * `followUpRequests`; all but the last follow-up must succeed, the last one's outcome is the flow's
 * (an optional step refused for good: the last required step's, its notices recorded).
 */
export async function runFlow<S extends DestinationSettingsSchema>(
  destination: DestinationDefinition<S>,
  requests: RequestDescriptor[],
  settings: ParsedSettings<S>,
  notices = new Notices(),
  authorize: Authorize = (request) => request,
): Promise<{ sent: RequestDescriptor[]; outcome: Outcome | ResponseOutcome }> {
  const sent: RequestDescriptor[] = [];
  const send = async (
    request: RequestDescriptor,
    required: Outcome | ResponseOutcome,
  ): Promise<Outcome | ResponseOutcome> => {
    sent.push(request);
    const response = await deliver(authorize(request));
    const outcome = classifyResponse(destination, request, response);
    if (isOptionalStepRefusal(request, outcome)) {
      try {
        followUpRequests(destination, request, response, settings, notices);
      } catch (error) {
        return outcomeOfError(error);
      }
      return required;
    }
    // As the translator: a 2xx answer (a partial one too, read per item) goes on to its follow-ups.
    if (outcome.kind !== 'delivered' && outcome.kind !== 'per-item') return outcome;
    let next: RequestDescriptor[];
    try {
      next = followUpRequests(destination, request, response, settings, notices);
    } catch (error) {
      return outcomeOfError(error);
    }
    let last: Outcome | ResponseOutcome = outcome;
    const lastRequired = request.followUp?.optional ? required : outcome;
    for (const step of next) {
      last = await send(step, lastRequired);
      if (last.kind !== 'delivered') break;
    }
    return last;
  };
  let outcome: Outcome | ResponseOutcome = { kind: 'delivered', status: 200 };
  for (const request of requests) outcome = await send(request, outcome);
  return { sent, outcome };
}
