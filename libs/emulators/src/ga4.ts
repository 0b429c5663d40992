import {
  Emulator,
  mediaType,
  parseJson,
  type EmulatorOptions,
  type EmulatorRequest,
  type EmulatorResponse,
} from './emulator';
import { validateGa4Body, type Ga4Stream, type Ga4ValidationMessage } from './ga4-validation';

// The GA4 Measurement Protocol (libs/destinations/src/ga4/README.md#the-api): /mp/collect answers
// 204 to anything it receives, so the emulator records the validation messages the real API hides;
// /debug/mp/collect returns them.

export interface Ga4EmulatorOptions extends EmulatorOptions {
  apiSecret: string;
  /** Web stream id (G-…); requests naming another id are recorded as such. */
  measurementId?: string;
  /** App stream id; requests with `firebase_app_id` are validated as app streams. */
  firebaseAppId?: string;
}

export interface Ga4Collected {
  stream: Ga4Stream;
  query: Record<string, string>;
  body: unknown;
  /** What /debug/mp/collect would say, plus credential problems the real API drops silently. */
  validationMessages: Ga4ValidationMessage[];
}

/** "Under 130 kB", read as 130,000 bytes (the stricter reading), as the GA4 destination keeps bodies. */
const MAX_BODY_BYTES = 130_000;

export class Ga4Emulator extends Emulator {
  /** Every /mp/collect payload received, with its validation messages. */
  readonly collected: Ga4Collected[] = [];

  constructor(private readonly options: Ga4EmulatorOptions) {
    super(options);
  }

  /** The payloads GA4 would actually have kept: no validation message. */
  acceptedPayloads(): unknown[] {
    return this.collected.filter((c) => c.validationMessages.length === 0).map((c) => c.body);
  }

  protected clearAccepted(): void {
    this.collected.length = 0;
  }

  protected handle(request: EmulatorRequest): EmulatorResponse {
    const debug = request.path === '/debug/mp/collect';
    if (request.path !== '/mp/collect' && !debug) return { status: 404, body: 'Not Found' };
    if (request.method !== 'POST') return { status: 405, body: 'Method Not Allowed' };
    const stream: Ga4Stream = request.query.has('firebase_app_id') ? 'app' : 'web';
    const messages =
      request.bytes >= MAX_BODY_BYTES
        ? [
            {
              fieldPath: '',
              validationCode: 'VALUE_OUT_OF_BOUNDS' as const,
              description: 'Payload exceeds 130 kB (130,000 bytes).',
            },
          ]
        : validateGa4Body(parseJson(request.body), stream, this.now());
    if (debug) return { status: 200, body: { validationMessages: messages } };

    const credentials = this.credentialProblems(request, stream);
    if (mediaType(request.headers) !== 'application/json') {
      credentials.push({
        fieldPath: '',
        validationCode: 'VALUE_INVALID',
        description: 'Content-Type must be application/json.',
      });
    }
    this.collected.push({
      stream,
      query: Object.fromEntries(request.query),
      body: parseJson(request.body),
      validationMessages: [...credentials, ...messages],
    });
    return { status: 204 };
  }

  /** Google drops these silently; the emulator names them so tests can see them. */
  private credentialProblems(request: EmulatorRequest, stream: Ga4Stream): Ga4ValidationMessage[] {
    const problems: Ga4ValidationMessage[] = [];
    if (request.query.get('api_secret') !== this.options.apiSecret) {
      problems.push({ fieldPath: 'api_secret', validationCode: 'VALUE_INVALID', description: 'Unknown api_secret.' });
    }
    const [param, expected] =
      stream === 'app'
        ? ['firebase_app_id', this.options.firebaseAppId]
        : ['measurement_id', this.options.measurementId];
    const given = request.query.get(param);
    if (!given || (expected !== undefined && given !== expected)) {
      problems.push({
        fieldPath: param,
        validationCode: 'VALUE_INVALID',
        description: `Unknown ${param} ${given ?? ''}.`,
      });
    }
    return problems;
  }
}
