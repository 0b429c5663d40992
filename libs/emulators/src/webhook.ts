import { createHmac, timingSafeEqual } from 'node:crypto';
import { isPlainObject } from '@manifold/json';
import {
  Emulator,
  mediaType,
  parseJson,
  type EmulatorOptions,
  type EmulatorRequest,
  type EmulatorResponse,
} from './emulator';

export interface WebhookEmulatorOptions extends EmulatorOptions {
  /** When set, every request must carry `X-Signature` = hex HMAC-SHA1 of the body with this secret. */
  sharedSecret?: string;
  /** Headers (name → value) every request must carry, as the user configured them. */
  requiredHeaders?: Record<string, string>;
  /** Status of an accepted delivery; 200 by default. */
  status?: number;
  /**
   * A receiver that refuses some deliveries: why it refuses this body (answered 400 with that
   * error, and not counted as delivered), or undefined to accept it.
   */
  refuse?: (body: unknown) => string | undefined;
}

export interface WebhookDelivery {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** The parsed body: one event (object) or a batch (array). */
  body: unknown;
}

/**
 * A webhook receiver (libs/destinations/src/webhook/README.md#the-receivers-side): POST/PUT/PATCH
 * with a JSON body; the signature is checked the way Segment computes it: over the body for one
 * event, over `JSON.stringify` of the first element for a batch.
 */
export class WebhookEmulator extends Emulator {
  readonly deliveries: WebhookDelivery[] = [];

  constructor(private readonly options: WebhookEmulatorOptions = {}) {
    super(options);
  }

  protected clearAccepted(): void {
    this.deliveries.length = 0;
  }

  protected handle(request: EmulatorRequest): EmulatorResponse {
    if (!['POST', 'PUT', 'PATCH'].includes(request.method)) {
      return { status: 405, body: { error: `method ${request.method} not allowed` } };
    }
    if (mediaType(request.headers) !== 'application/json') {
      return { status: 415, body: { error: 'Content-Type must be application/json' } };
    }
    for (const [name, value] of Object.entries(this.options.requiredHeaders ?? {})) {
      if (request.headers[name.toLowerCase()] !== value) {
        return { status: 401, body: { error: `missing or wrong header ${name}` } };
      }
    }
    const body = parseJson(request.body);
    if (!isPlainObject(body) && !Array.isArray(body)) {
      return { status: 400, body: { error: 'body must be a JSON object or array' } };
    }
    if (Array.isArray(body) && body.length === 0) return { status: 400, body: { error: 'empty batch' } };
    if (this.options.sharedSecret !== undefined) {
      const signed = Array.isArray(body) ? JSON.stringify(body[0]) : request.body;
      const expected = createHmac('sha1', this.options.sharedSecret).update(signed, 'utf8').digest('hex');
      const given = String(request.headers['x-signature'] ?? '');
      if (given.length !== expected.length || !timingSafeEqual(Buffer.from(given), Buffer.from(expected))) {
        return { status: 401, body: { error: 'invalid X-Signature' } };
      }
    }
    const refused = this.options.refuse?.(body);
    if (refused !== undefined) return { status: 400, body: { error: refused } };
    this.deliveries.push({ method: request.method, path: request.path, headers: request.headers, body });
    return { status: this.options.status ?? 200, body: { ok: true } };
  }
}
