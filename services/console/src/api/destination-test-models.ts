// The Public API's shapes for the mapping tester (POST .../destinations/:destination/test).
import { z } from 'zod';
import { DestinationMapping, model } from './models';

const Problem = z.object({
  path: z
    .string()
    .describe('Where: fields.<field> of the payload, trigger, requests, settings; empty for the whole test'),
  message: z.string(),
});

const TestRequest = z.object({
  method: z.string(),
  url: z.string(),
  headers: z.record(z.string(), z.string()),
  body: z.string().optional(),
});

export const TestDestinationBody = model(
  'TestDestinationRequest',
  z.object({
    event: z
      .record(z.string(), z.unknown())
      .describe('A Spec event (type required; a missing messageId, timestamp or receivedAt is filled in)'),
    mappings: z
      .array(DestinationMapping.extend({ id: z.string().default('') }))
      .optional()
      .describe(
        'Unsaved mappings to try instead of the saved ones; checked as a save checks them (400 with every problem)',
      ),
    send: z
      .boolean()
      .default(false)
      .describe("Send the requests to the destination with the instance's real settings (members and owners only)"),
  }),
);

export const TestedMapping = model(
  'TestedMapping',
  z.object({
    index: z.number().int().describe('Its place in the list tried (the draft, or the saved mappings)'),
    id: z.string(),
    name: z.string(),
    action: z.string(),
    enabled: z.boolean(),
    matched: z.boolean().describe('Its trigger matches the event (a disabled mapping is tried, never sent)'),
    payload: z.record(z.string(), z.unknown()).optional().describe("The action's payload, mapped and validated"),
    errors: z.array(Problem),
    requests: z
      .array(TestRequest)
      .describe('The exact requests, every credential masked; a multi-request flow shows its first one'),
  }),
);

export const TestSend = model(
  'TestSend',
  z.object({
    mapping: z.number().int().describe('The index of the mapping the request came from'),
    request: TestRequest,
    response: z
      .object({ status: z.number().int(), headers: z.record(z.string(), z.string()), body: z.string() })
      .optional()
      .describe('The answer, credentials masked; absent when there was none (see error)'),
    error: z.string().optional(),
    outcome: z.enum(['delivered', 'retry', 'drop', 'dead-letter']).describe('How the translator would classify it'),
    reason: z.string().optional().describe('Why, for all but delivered: HTTP 503, REJECTED: HTTP 400 …, ECONNREFUSED'),
  }),
);

export const TestDestinationResult = model(
  'TestDestinationResult',
  z.object({
    mappings: z.array(TestedMapping),
    filtered: z
      .object({ reason: z.string(), message: z.string() })
      .optional()
      .describe('Why the event would not be sent at all (NO_MATCHING_MAPPING, FILTERED_BY_INTEGRATIONS_OBJECT, …)'),
    notices: z
      .array(Problem.partial({ path: true }))
      .describe('Fields left out or converted, a disabled destination, …'),
    sent: z.array(TestSend).optional().describe('With send: every request sent, in order, and what came of it'),
  }),
  'What the mappings make of one event, the requests, and with send the answers',
);
