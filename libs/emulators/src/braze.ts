import { isPlainObject } from '@manifold/json';
import {
  Emulator,
  mediaType,
  parseJson,
  type EmulatorOptions,
  type EmulatorRequest,
  type EmulatorResponse,
} from './emulator';
import { objectProblem, userKey, type BrazeArray } from './braze-validation';

// Braze POST /users/track: Bearer REST key; arrays of at most 75
// objects; invalid objects reported in `errors` of a 201 (or a 400 when nothing was valid).
// Braze does not deduplicate: every event object is a new occurrence.

export interface BrazeEmulatorOptions extends EmulatorOptions {
  apiKey: string;
}

export interface BrazeUser {
  attributes: Record<string, unknown>;
}

export interface BrazeTracked {
  user: string;
  object: Record<string, unknown>;
}

const ARRAYS: BrazeArray[] = ['attributes', 'events', 'purchases'];
const MAX_PER_ARRAY = 75;
const NO_VALID_DATA = "Valid data must be provided in the 'attributes', 'events', or 'purchases' fields.";

export class BrazeEmulator extends Emulator {
  /** Users by identifier ("external_id:u1", "email:a@b.c", …). */
  readonly users = new Map<string, BrazeUser>();
  readonly events: BrazeTracked[] = [];
  readonly purchases: BrazeTracked[] = [];
  /** Objects skipped because `_update_existing_only` named an unknown user (Braze says nothing). */
  readonly ignored: BrazeTracked[] = [];

  constructor(private readonly options: BrazeEmulatorOptions) {
    super(options);
  }

  protected clearAccepted(): void {
    this.users.clear();
    this.events.length = 0;
    this.purchases.length = 0;
    this.ignored.length = 0;
  }

  protected handle(request: EmulatorRequest): EmulatorResponse {
    if (request.path !== '/users/track') return { status: 404, body: { message: 'Not Found' } };
    if (request.method !== 'POST') return { status: 405, body: { message: 'Method Not Allowed' } };
    if ((request.headers.authorization ?? '') !== `Bearer ${this.options.apiKey}`) {
      return { status: 401, body: { message: 'Invalid API Key' } };
    }
    if (mediaType(request.headers) !== 'application/json') {
      return { status: 400, body: { message: 'Content-Type must be application/json' } };
    }
    const body = parseJson(request.body);
    if (!isPlainObject(body)) return { status: 400, body: { message: 'Invalid JSON body' } };
    const sent = ARRAYS.filter((name) => body[name] !== undefined);
    for (const name of sent) {
      if (!Array.isArray(body[name])) return { status: 400, body: { message: `'${name}' must be an array` } };
      if ((body[name] as unknown[]).length > MAX_PER_ARRAY) {
        return { status: 400, body: { message: `Max Input Length Exceeded: at most ${MAX_PER_ARRAY} ${name}` } };
      }
    }
    const errors: { type: string; input_array: BrazeArray; index: number }[] = [];
    const valid: { array: BrazeArray; object: Record<string, unknown> }[] = [];
    for (const array of sent) {
      (body[array] as unknown[]).forEach((object, index) => {
        const problem = objectProblem(array, object);
        if (problem) errors.push({ type: problem, input_array: array, index });
        else valid.push({ array, object: object as Record<string, unknown> });
      });
    }
    if (valid.length === 0) {
      return { status: 400, body: { message: NO_VALID_DATA, ...(errors.length ? { errors } : {}) } };
    }
    const processed: Record<string, number> = {};
    for (const name of sent) processed[`${name}_processed`] = 0;
    // Attributes first: a request that creates a user and tracks for it works in one go.
    for (const array of ARRAYS) {
      for (const item of valid.filter((v) => v.array === array)) {
        this.apply(array, item.object);
        processed[`${array}_processed`] = (processed[`${array}_processed`] ?? 0) + 1;
      }
    }
    return { status: 201, body: { message: 'success', ...processed, ...(errors.length ? { errors } : {}) } };
  }

  private apply(array: BrazeArray, object: Record<string, unknown>): void {
    const user = userKey(object) as string;
    if (object['_update_existing_only'] === true && !this.users.has(user)) {
      this.ignored.push({ user, object });
      return;
    }
    const profile = this.users.get(user) ?? { attributes: {} };
    this.users.set(user, profile);
    if (array === 'attributes') {
      const { external_id: _e, braze_id: _b, user_alias: _a, _update_existing_only: _u, ...attributes } = object;
      Object.assign(profile.attributes, attributes);
    } else {
      (array === 'events' ? this.events : this.purchases).push({ user, object });
    }
  }
}
