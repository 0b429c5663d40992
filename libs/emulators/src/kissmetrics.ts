import { Emulator, mediaType, type EmulatorOptions, type EmulatorRequest, type EmulatorResponse } from './emulator';
import { callProblems, normalName, RESERVED } from './kissmetrics-validation';

// Kissmetrics' HTTP tracking API (libs/destinations/src/kissmetrics/README.md#the-api): `/e`
// (event), `/s` (set properties), `/a` (alias), by GET query or form POST, the product key as
// `_k`. Every answer is 200 with a 1×1 GIF, even for calls it then drops, so the emulator records
// each call with its problems and keeps what Kissmetrics would show: events and person properties
// (de-duplicated as Kissmetrics does), identities joined by aliases.

export interface KissmetricsEmulatorOptions extends EmulatorOptions {
  apiKey: string;
}

export interface KissmetricsCall {
  endpoint: '/e' | '/s' | '/a';
  params: Record<string, string>;
  /** Why Kissmetrics would drop or misread the call; empty when it is processed. */
  problems: string[];
  /** Processed, but a repeat of an earlier call (same person, name, time and properties). */
  duplicate: boolean;
}

export interface KissmetricsEvent {
  person: string;
  name: string;
  /** Unix seconds: `_t` with `_d=1`, else the time it was received. */
  time: number;
  properties: Record<string, string>;
}

const GIF = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');
const ENDPOINTS = new Set(['/e', '/s', '/a']);

export class KissmetricsEmulator extends Emulator {
  readonly calls: KissmetricsCall[] = [];
  readonly events: KissmetricsEvent[] = [];
  private readonly properties = new Map<string, Record<string, string>>();
  private readonly seen = new Set<string>();
  /** Alias graph: each identity's representative. */
  private readonly parent = new Map<string, string>();

  constructor(private readonly options: KissmetricsEmulatorOptions) {
    super(options);
  }

  /** The identity every id of a person resolves to. */
  resolve(id: string): string {
    let node = normalName(id);
    while (this.parent.has(node) && this.parent.get(node) !== node) node = this.parent.get(node) as string;
    return node;
  }

  /** A person's properties, whichever of their ids is given. */
  person(id: string): Record<string, string> {
    return this.properties.get(this.resolve(id)) ?? {};
  }

  /** A person's events, whichever of their ids is given. */
  eventsOf(id: string): KissmetricsEvent[] {
    const person = this.resolve(id);
    return this.events.filter((e) => this.resolve(e.person) === person);
  }

  /** Calls Kissmetrics would drop or misread. */
  invalidCalls(): KissmetricsCall[] {
    return this.calls.filter((c) => c.problems.length > 0);
  }

  protected clearAccepted(): void {
    this.calls.length = 0;
    this.events.length = 0;
    this.properties.clear();
    this.seen.clear();
    this.parent.clear();
  }

  protected handle(request: EmulatorRequest): EmulatorResponse {
    const endpoint = request.path.replace(/\/+$/, '');
    if (!ENDPOINTS.has(endpoint)) return { status: 404, body: 'Not Found' };
    const params = new Map(request.query);
    if (request.method === 'POST' && mediaType(request.headers) === 'application/x-www-form-urlencoded') {
      for (const [k, v] of new URLSearchParams(request.body)) params.set(k, v);
    } else if (request.method !== 'GET' && request.method !== 'POST') {
      return { status: 405, body: 'Method Not Allowed' };
    }
    const nowSeconds = Math.floor(this.now() / 1000);
    const call: KissmetricsCall = {
      endpoint: endpoint as KissmetricsCall['endpoint'],
      params: Object.fromEntries(params),
      problems: callProblems(endpoint, params, this.options.apiKey, nowSeconds),
      duplicate: false,
    };
    this.calls.push(call);
    if (call.problems.length === 0) this.process(call, nowSeconds);
    return { status: 200, headers: { 'content-type': 'image/gif' }, body: GIF };
  }

  private process(call: KissmetricsCall, nowSeconds: number): void {
    const p = call.params;
    const person = normalName(p['_p'] as string);
    if (call.endpoint === '/a') {
      const a = this.resolve(person);
      const b = this.resolve(p['_n'] as string);
      if (a === b) return;
      // One person from now on: the properties of both, the first id's winning on a clash.
      this.parent.set(b, a);
      this.properties.set(a, { ...this.properties.get(b), ...this.properties.get(a) });
      this.properties.delete(b);
      return;
    }
    const properties = Object.fromEntries(
      Object.entries(p)
        .filter(([k]) => !RESERVED.has(k))
        .map(([k, v]) => [normalName(k), v]),
    );
    const time = p['_d'] === '1' ? Number(p['_t']) : nowSeconds;
    if (call.endpoint === '/e') {
      const key = JSON.stringify([
        'e',
        person,
        normalName(p['_n'] as string),
        p['_t'] ?? null,
        Object.entries(properties).sort(),
      ]);
      if (this.seen.has(key)) {
        call.duplicate = true;
        return;
      }
      this.seen.add(key);
      this.events.push({ person, name: p['_n'] as string, time, properties });
    }
    const stored = this.properties.get(this.resolve(person)) ?? {};
    let fresh = false;
    for (const [name, value] of Object.entries(properties)) {
      const key = JSON.stringify(['s', person, name, p['_t'] ?? null]);
      if (call.endpoint === '/s' && this.seen.has(key)) continue;
      this.seen.add(key);
      stored[name] = value;
      fresh = true;
    }
    if (call.endpoint === '/s' && !fresh) call.duplicate = true;
    this.properties.set(this.resolve(person), stored);
  }
}
