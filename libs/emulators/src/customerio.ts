import { isPlainObject } from '@manifold/json';
import {
  basicCredentials,
  Emulator,
  mediaType,
  parseJson,
  type EmulatorOptions,
  type EmulatorRequest,
  type EmulatorResponse,
} from './emulator';
import { entityProblem, type EntityProblem } from './customerio-validation';

// Customer.io's Track API: v2 /entity and /batch (what Manifold sends)
// and the v1 person, event and merge endpoints the SDKs use, validated to the same rules and
// applied to an in-memory workspace of people, objects and events.

export interface CustomerioEmulatorOptions extends EmulatorOptions {
  siteId: string;
  apiKey: string;
}

/** An event, page or screen view as Customer.io keeps it. */
export interface CustomerioEvent {
  action: 'event' | 'page' | 'screen';
  identifiers: Record<string, string>;
  name: string;
  id?: string;
  timestamp?: number;
  attributes: Record<string, unknown>;
}

export interface CustomerioPerson {
  identifiers: Record<string, string>;
  attributes: Record<string, unknown>;
  devices: Record<string, Record<string, unknown>>;
  suppressed: boolean;
  relationships: { identifiers: Record<string, string>; attributes?: Record<string, unknown> }[];
}

export interface CustomerioObject {
  identifiers: { object_type_id: string; object_id: string };
  attributes: Record<string, unknown>;
  relationships: { identifiers: Record<string, string>; attributes?: Record<string, unknown> }[];
}

const MAX_BATCH_BYTES = 500 * 1024;

export class CustomerioEmulator extends Emulator {
  /** Every entity applied, in order (v1 calls as their v2 equivalent). */
  readonly entities: Record<string, unknown>[] = [];
  /** Events, page and screen views, once per `id` (an event id seen before is ignored). */
  readonly events: CustomerioEvent[] = [];
  duplicatesIgnored = 0;
  /** People by "id:…", "email:…" or "cio_id:…". */
  readonly people = new Map<string, CustomerioPerson>();
  /** Objects by "<object_type_id>:<object_id>". */
  readonly objects = new Map<string, CustomerioObject>();
  readonly merges: { primary: Record<string, string>; secondary: Record<string, string> }[] = [];
  readonly deletedPeople: Record<string, string>[] = [];
  private readonly eventIds = new Set<string>();

  constructor(private readonly options: CustomerioEmulatorOptions) {
    super(options);
  }

  protected clearAccepted(): void {
    this.entities.length = 0;
    this.events.length = 0;
    this.duplicatesIgnored = 0;
    this.people.clear();
    this.objects.clear();
    this.merges.length = 0;
    this.deletedPeople.length = 0;
    this.eventIds.clear();
  }

  /** The person an identifier names, if known. */
  person(identifiers: Record<string, string>): CustomerioPerson | undefined {
    return this.people.get(personKey(identifiers));
  }

  protected handle(request: EmulatorRequest): EmulatorResponse {
    const credentials = basicCredentials(request.headers);
    if (credentials?.username !== this.options.siteId || credentials.password !== this.options.apiKey) {
      return { status: 401, body: { meta: { error: 'Unauthorized request' } } };
    }
    if (request.method === 'GET' && request.path === '/auth') return { status: 200, body: {} };
    if (request.method === 'POST' && request.path === '/api/v2/entity') return this.entity(request);
    if (request.method === 'POST' && request.path === '/api/v2/batch') return this.batch(request);
    return this.v1(request) ?? { status: 404, body: { meta: { error: 'Not Found' } } };
  }

  private entity(request: EmulatorRequest): EmulatorResponse {
    const body = jsonBody(request);
    if ('error' in body) return body.error;
    const problem = entityProblem(body.value);
    if (problem) return invalid(problem);
    this.apply(body.value as Record<string, unknown>);
    return { status: 200, body: {} };
  }

  private batch(request: EmulatorRequest): EmulatorResponse {
    if (request.bytes > MAX_BATCH_BYTES) {
      return { status: 413, body: { meta: { error: `request body cannot be larger than ${MAX_BATCH_BYTES} bytes` } } };
    }
    const body = jsonBody(request);
    if ('error' in body) return body.error;
    const batch = isPlainObject(body.value) ? body.value['batch'] : undefined;
    if (!Array.isArray(batch) || batch.length === 0) {
      return { status: 400, body: { meta: { error: 'batch must be a non-empty array' } } };
    }
    const errors: { batch_index: number; reason: string; field: string; message: string }[] = [];
    batch.forEach((entity, index) => {
      const problem = entityProblem(entity);
      if (problem)
        errors.push({ batch_index: index, reason: 'invalid', field: problem.field, message: problem.message });
      else this.apply(entity as Record<string, unknown>);
    });
    return errors.length > 0 ? { status: 207, body: { errors } } : { status: 200, body: {} };
  }

  /** v1 endpoints, validated as the v2 entity they amount to. */
  private v1(request: EmulatorRequest): EmulatorResponse | undefined {
    const customer = /^\/api\/v1\/customers\/([^/]+)(\/events)?$/.exec(request.path);
    let entity: Record<string, unknown> | undefined;
    if (customer && request.method === 'DELETE' && !customer[2]) {
      entity = { type: 'person', action: 'delete', identifiers: pathIdentifiers(customer[1] as string) };
    } else if (customer || request.path === '/api/v1/events' || request.path === '/api/v1/merge_customers') {
      const body = jsonBody(request);
      if ('error' in body) return body.error;
      if (!isPlainObject(body.value)) return invalid({ field: '', message: 'body must be a JSON object' });
      const value = body.value;
      if (customer && !customer[2] && request.method === 'PUT') {
        entity = {
          type: 'person',
          action: 'identify',
          identifiers: pathIdentifiers(customer[1] as string),
          attributes: value,
        };
      } else if (customer && customer[2] && request.method === 'POST') {
        entity = v1Event(value, pathIdentifiers(customer[1] as string));
      } else if (request.path === '/api/v1/events' && request.method === 'POST') {
        if (typeof value['anonymous_id'] !== 'string' || value['anonymous_id'] === '') {
          return invalid({ field: 'anonymous_id', message: 'anonymous_id must be present' });
        }
        entity = v1Event(value, { anonymous_id: value['anonymous_id'] });
      } else if (request.path === '/api/v1/merge_customers' && request.method === 'POST') {
        entity = { type: 'person', action: 'merge', primary: value['primary'], secondary: value['secondary'] };
      }
    }
    if (!entity) return undefined;
    const problem = entityProblem(entity);
    if (problem) return invalid(problem);
    this.apply(entity);
    return { status: 200, body: {} };
  }

  private apply(entity: Record<string, unknown>): void {
    this.entities.push(entity);
    const action = entity['action'] as string;
    const identifiers = entity['identifiers'] as Record<string, string>;
    const attributes = (entity['attributes'] ?? {}) as Record<string, unknown>;
    const relationships = relationshipsOf(entity['cio_relationships']);
    if (entity['type'] === 'object') {
      const object = identifiers as CustomerioObject['identifiers'];
      const key = `${object.object_type_id}:${object.object_id}`;
      if (action === 'delete') {
        this.objects.delete(key);
        return;
      }
      const current = this.objects.get(key) ?? { identifiers: object, attributes: {}, relationships: [] };
      Object.assign(current.attributes, attributes);
      current.relationships.push(...relationships);
      this.objects.set(key, current);
      return;
    }
    switch (action) {
      case 'event':
      case 'page':
      case 'screen': {
        const id = entity['id'] as string | undefined;
        if (id !== undefined && this.eventIds.has(id)) {
          this.duplicatesIgnored++;
          return;
        }
        if (id !== undefined) this.eventIds.add(id);
        this.events.push({
          action,
          identifiers,
          name: entity['name'] as string,
          ...(id !== undefined ? { id } : {}),
          ...(entity['timestamp'] !== undefined ? { timestamp: entity['timestamp'] as number } : {}),
          attributes,
        });
        return;
      }
      case 'identify': {
        const person = this.upsertPerson(identifiers);
        Object.assign(person.attributes, attributes);
        person.relationships.push(...relationships);
        return;
      }
      case 'delete':
        this.people.delete(personKey(identifiers));
        this.deletedPeople.push(identifiers);
        return;
      case 'suppress':
      case 'unsuppress':
        this.upsertPerson(identifiers).suppressed = action === 'suppress';
        return;
      case 'add_device': {
        const device = entity['device'] as Record<string, unknown>;
        this.upsertPerson(identifiers).devices[device['token'] as string] = device;
        return;
      }
      case 'delete_device':
        delete this.upsertPerson(identifiers).devices[(entity['device'] as Record<string, string>)['token'] as string];
        return;
      case 'merge': {
        const primary = entity['primary'] as Record<string, string>;
        const secondary = entity['secondary'] as Record<string, string>;
        const merged = this.people.get(personKey(secondary));
        const target = this.upsertPerson(primary);
        if (merged) {
          target.attributes = { ...merged.attributes, ...target.attributes };
          Object.assign(target.devices, merged.devices);
          this.people.delete(personKey(secondary));
        }
        this.merges.push({ primary, secondary });
        return;
      }
      case 'add_relationships':
        this.upsertPerson(identifiers).relationships.push(...relationships);
        return;
      default:
        return;
    }
  }

  private upsertPerson(identifiers: Record<string, string>): CustomerioPerson {
    const key = personKey(identifiers);
    let person = this.people.get(key);
    if (!person) {
      person = { identifiers, attributes: {}, devices: {}, suppressed: false, relationships: [] };
      this.people.set(key, person);
    }
    return person;
  }
}

function personKey(identifiers: Record<string, string>): string {
  const [key, value] = Object.entries(identifiers)[0] ?? ['', ''];
  return `${key}:${value}`;
}

/** A v1 path identifier: `cio_` prefix → cio_id, email-looking → email, else id. */
function pathIdentifiers(raw: string): Record<string, string> {
  const value = decodeURIComponent(raw);
  if (value.startsWith('cio_')) return { cio_id: value.slice(4) };
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value) ? { email: value } : { id: value };
}

function v1Event(body: Record<string, unknown>, identifiers: Record<string, string>): Record<string, unknown> {
  const type = body['type'] ?? 'event';
  return {
    type: 'person',
    action: type,
    identifiers,
    name: body['name'],
    ...(body['id'] !== undefined ? { id: body['id'] } : {}),
    ...(body['timestamp'] !== undefined ? { timestamp: body['timestamp'] } : {}),
    ...(body['data'] !== undefined ? { attributes: body['data'] } : {}),
  };
}

function relationshipsOf(value: unknown): CustomerioPerson['relationships'] {
  if (!Array.isArray(value)) return [];
  return value.map((r: Record<string, unknown>) => ({
    identifiers: r['identifiers'] as Record<string, string>,
    ...(isPlainObject(r['relationship_attributes']) ? { attributes: r['relationship_attributes'] } : {}),
  }));
}

function jsonBody(request: EmulatorRequest): { value: unknown } | { error: EmulatorResponse } {
  if (mediaType(request.headers) !== 'application/json') {
    return { error: { status: 400, body: { meta: { error: 'Content-Type must be application/json' } } } };
  }
  const value = parseJson(request.body);
  if (value === undefined)
    return { error: { status: 400, body: { meta: { error: 'request body is not valid JSON' } } } };
  return { value };
}

function invalid(problem: EntityProblem): EmulatorResponse {
  const message = problem.field ? `${problem.field}: ${problem.message}` : problem.message;
  return { status: 400, body: { meta: { error: message } } };
}
