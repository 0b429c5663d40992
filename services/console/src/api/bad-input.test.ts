// Bad input to every Public API route, against a real control plane (gRPC) and FerretDB: bodies
// that are not JSON or not objects, fields of the wrong type, huge or odd strings, deep nesting,
// odd ids in the path and odd query parameters. Each must answer a 4xx in the API's error format
// with a message (a validation problem naming its field), never a 5xx, a hang or a crash, and
// never internals (stack traces, MongoDB or gRPC text). Cases come from each route's own zod
// schemas, so a route added later is covered too; every wrong answer is collected, then shown at once.
import { request } from 'node:http';
import { z } from 'zod';
import type { RouteDefinition } from './route';
import { apiRoutes } from './routes';
import { ConsoleClient } from '../testing/http-client';
import { startConsoleStack, type ConsoleStack } from '../testing/stack';

const OWNER = 'owner@bad-input.test';
const PASSWORD = 'correct horse battery';
const NUL = 'a\u0000b';
const LONE_SURROGATE = 'a\ud800b';
const TWO_MB = 'x'.repeat(2 * 1024 * 1024);

interface Answer {
  status: number;
  text: string;
  body: unknown;
}

interface ErrorBody {
  error: { code: string; message: string; fields?: Array<{ field: string; message: string }> };
}

/** What a case requires: `field` a 400 naming it; `any` any 4xx in the error format, or a success. */
type Expectation = { kind: 'field'; field: string } | { kind: 'error' } | { kind: 'any' };

interface Case {
  label: string;
  method: string;
  path: string;
  body?: string;
  contentType?: string;
  expect: Expectation;
}

const isErrorBody = (body: unknown): body is ErrorBody => {
  const error = (body as { error?: unknown } | undefined)?.error as Record<string, unknown> | undefined;
  return typeof error?.['code'] === 'string' && typeof error['message'] === 'string' && error['message'] !== '';
};

/** Words that betray internals: a stack trace, the database, gRPC, file paths. */
const LEAKS = [/\n\s+at /, /mongo/i, /bson/i, /ferret/i, /grpc/i, /\b\d+ [A-Z_]+: /, /node_modules/, /\/work\//];

function problemWith(answer: Answer, expected: Expectation): string | undefined {
  if (answer.status >= 500) return `answered ${answer.status}: ${answer.text.slice(0, 300)}`;
  const leak = LEAKS.find((pattern) => pattern.test(answer.text));
  if (leak) return `leaks ${leak}: ${answer.text.slice(0, 300)}`;
  if (answer.status < 400) {
    return expected.kind === 'any' ? undefined : `answered ${answer.status}, expected an error`;
  }
  if (!isErrorBody(answer.body))
    return `answered ${answer.status} without the error format: ${answer.text.slice(0, 200)}`;
  if (answer.status === 401 || answer.status === 403) return `answered ${answer.status}: ${answer.body.error.message}`;
  if (expected.kind !== 'field') return undefined;
  const fields = answer.body.error.fields ?? [];
  const named = fields.some((f) =>
    [expected.field, `${expected.field}.`, `${expected.field}[`].some((p) => f.field.startsWith(p)),
  );
  if (answer.status !== 400 && answer.status !== 413 && answer.status !== 415 && answer.status !== 422) {
    return `answered ${answer.status} (${answer.body.error.message}), expected a 400 on ${expected.field}`;
  }
  return named ? undefined : `does not name ${expected.field}: ${answer.text.slice(0, 300)}`;
}

const accepts = (schema: z.ZodType, value: unknown) => schema.safeParse(value).success;

const objectShape = (schema: z.ZodType | undefined): Record<string, z.ZodType> =>
  schema instanceof z.ZodObject ? (schema.shape as Record<string, z.ZodType>) : {};

/** A value nested `depth` objects deep, as JSON text (JSON.stringify itself would overflow). */
const deepJson = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

describe('bad input to the Public API', () => {
  let stack: ConsoleStack;
  let owner: ConsoleClient;
  let ids: Record<string, string>;
  /** A body each route accepts, so that odd strings reach the handler and the control plane. */
  let valid: Record<string, Record<string, unknown>>;

  beforeAll(async () => {
    stack = await startConsoleStack();
    owner = new ConsoleClient(stack.console.url);
    expect((await owner.setup(OWNER, PASSWORD, 'alpha', 'Alpha')).status).toBe(201);
    const source = await owner.call('POST', '/api/v1/workspaces/alpha/sources', { slug: 'web', name: 'Website' });
    expect(source.status).toBe(201);
    const destination = await owner.call('POST', '/api/v1/workspaces/alpha/destinations', {
      name: 'Blaster',
      catalogId: 'mail-blaster',
      settings: { token: 'secret-token' },
      sources: ['web'],
    });
    expect(destination.status).toBe(201);
    const plan = await owner.call('POST', '/api/v1/workspaces/alpha/tracking-plans', { name: 'Plan', rules: {} });
    expect(plan.status).toBe(201);
    ids = {
      workspace: 'alpha',
      source: String(source.body['id']),
      destination: String(destination.body['id']),
      plan: String(plan.body['id']),
      entry: 'mail-blaster',
      email: OWNER,
      page: 'sources',
    };
    const hourAgo = new Date(Date.now() - 3600_000).toISOString();
    valid = {
      createWorkspace: { slug: 'gamma', name: 'Gamma' },
      setMemberRole: { role: 'owner' },
      inviteMember: { email: 'new@bad-input.test', role: 'member' },
      createSource: { slug: 'app', name: 'App' },
      updateSource: { name: 'Website' },
      rotateWriteKey: { gracePeriodSeconds: 0 },
      setAutoDisableException: { exempt: false },
      createDestination: { name: 'Blaster 2', catalogId: 'mail-blaster', settings: { token: 't' } },
      updateDestination: { name: 'Blaster', settings: { token: 't' } },
      setDestinationMappings: { mappings: [], dryRun: true },
      resetDestinationMappings: { dryRun: true },
      rollbackDestinationMappings: { version: 1 },
      testDestination: { event: { type: 'track', event: 'Signed Up' } },
      startRedrive: { ids: ['nope'] },
      startReplay: { source: 'web', destination: ids['destination'], from: hourAgo, to: new Date().toISOString() },
      startQuarantineReplay: { source: 'web' },
      createTrackingPlan: { name: 'Plan 2', rules: {} },
      saveTrackingPlan: { rules: {} },
      previewTrackingPlan: { rules: {} },
      restoreTrackingPlan: { version: 1 },
      connectTrackingPlanSource: { source: 'web' },
      previewWebhookMapping: { mapping: { type: 'track', event: 'x' }, payload: '{}' },
      setColumns: { columns: ['status'] },
      createApiToken: { name: 'ci' },
      createIntegrationRequest: { name: 'Tool', useCase: 'forward events' },
    };
  }, 60000);

  afterAll(async () => {
    await stack?.stop();
  });

  /** A route's path with its parameters filled in (`override` replaces one, as given: already encoded). */
  function pathOf(route: RouteDefinition, override: Record<string, string> = {}): string {
    return `/api/v1${route.path.replace(/:([A-Za-z_]+)/g, (_, name: string) =>
      name in override ? override[name]! : encodeURIComponent(ids[name] ?? 'none'),
    )}`;
  }

  /** Sent with node:http, which sends the path as given: a WHATWG URL would resolve `..` and `%2E%2E` first. */
  function send(c: Case): Promise<Answer> {
    const headers: Record<string, string> = { origin: stack.console.url, cookie: owner.cookie ?? '' };
    if (c.method !== 'GET') headers['x-csrf-token'] = owner.csrfToken ?? '';
    if (c.body !== undefined) headers['content-type'] = c.contentType ?? 'application/json';
    const { hostname, port } = new URL(stack.console.url);
    return new Promise((resolve, reject) => {
      const req = request({ hostname, port, method: c.method, path: c.path, headers, timeout: 20000 }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          let body: unknown;
          try {
            body = JSON.parse(text);
          } catch {
            body = undefined;
          }
          resolve({ status: res.statusCode ?? 0, text, body });
        });
      });
      req.on('timeout', () => req.destroy(new Error('no answer within 20 s')));
      req.on('error', reject);
      req.end(c.body);
    });
  }

  async function run(cases: Case[]): Promise<string[]> {
    const wrong: string[] = [];
    for (const c of cases) {
      const answer = await send(c).catch((error: unknown) => ({ status: 599, text: String(error), body: undefined }));
      const problem = problemWith(answer, c.expect);
      if (problem) wrong.push(`${c.label} (${c.method} ${c.path.slice(0, 120)}): ${problem}`);
    }
    // The console is still up and answering.
    expect((await owner.call('GET', '/api/v1/workspaces/alpha')).status).toBe(200);
    return wrong;
  }

  const bodyRoutes = () => apiRoutes.filter((r) => r.body !== undefined);

  it('covers every route that takes a body, path or query parameters', () => {
    const covered = apiRoutes.filter((r) => r.body || r.params || r.query);
    expect(covered.length).toBeGreaterThan(60);
    // Every body route but those that need a warehouse (Reverse ETL) has a body it accepts.
    const missing = bodyRoutes()
      .filter((r) => !valid[r.operationId] && !r.path.includes('/reverse-etl/'))
      .map((r) => r.operationId);
    expect(missing).toEqual([]);
  });

  it('refuses bodies that are not JSON, not objects or too large, naming the body', async () => {
    const cases: Case[] = [];
    for (const route of bodyRoutes()) {
      const method = route.method.toUpperCase();
      const path = pathOf(route);
      const on = (label: string, body: string, contentType?: string): Case => ({
        label: `${route.operationId}: ${label}`,
        method,
        path,
        body,
        ...(contentType ? { contentType } : {}),
        expect: { kind: 'field', field: 'body' },
      });
      cases.push(on('not JSON', '{"name": '));
      cases.push(on('not JSON at all', 'name=x&slug=y'));
      cases.push(on('text/plain', JSON.stringify(valid[route.operationId] ?? {}), 'text/plain'));
      for (const json of ['[]', '"x"', 'null', '42', 'true', '[{"name":"x"}]']) cases.push(on(`JSON ${json}`, json));
      cases.push(on('2 MB', JSON.stringify({ ...valid[route.operationId], name: TWO_MB })));
      cases.push({ ...on('nested 100k deep', `{"x":${deepJson(100_000)}}`), expect: { kind: 'field', field: 'x' } });
    }
    expect(await run(cases)).toEqual([]);
  }, 120000);

  it('refuses fields of the wrong type, naming each', async () => {
    const cases: Case[] = [];
    for (const route of bodyRoutes()) {
      for (const [field, schema] of Object.entries(objectShape(route.body))) {
        for (const wrong of [12345, { a: 1 }, ['a'], 'a string', null]) {
          if (accepts(schema, wrong)) continue;
          cases.push({
            label: `${route.operationId}: ${field}=${JSON.stringify(wrong)}`,
            method: route.method.toUpperCase(),
            path: pathOf(route),
            body: JSON.stringify({ ...valid[route.operationId], [field]: wrong }),
            expect: { kind: 'field', field },
          });
        }
      }
    }
    expect(cases.length).toBeGreaterThan(200);
    expect(await run(cases)).toEqual([]);
  }, 120000);

  it('takes odd characters, odd keys and deep nesting in accepted fields without failing', async () => {
    const cases: Case[] = [];
    for (const route of bodyRoutes()) {
      const base = valid[route.operationId];
      if (!base) continue;
      for (const [field, schema] of Object.entries(objectShape(route.body))) {
        const values: unknown[] = [];
        if (accepts(schema, 'x')) values.push(NUL, LONE_SURROGATE, '\u0000', 'x'.repeat(500_000));
        if (accepts(schema, { a: 1 })) {
          values.push({ [NUL]: 1 }, { $where: '1' }, { 'a.b': 1 }, { '': 1 }, { a: NUL }, { a: LONE_SURROGATE });
        }
        if (accepts(schema, ['x'])) values.push([NUL], [LONE_SURROGATE]);
        for (const value of values) {
          const label = JSON.stringify(value).slice(0, 40);
          cases.push({
            label: `${route.operationId}: ${field}=${label}`,
            method: route.method.toUpperCase(),
            path: pathOf(route),
            body: JSON.stringify({ ...base, [field]: value }),
            expect: accepts(schema, value) ? { kind: 'any' } : { kind: 'field', field },
          });
        }
        if (accepts(schema, { a: 1 })) {
          // Nested deeper than any real settings, event or mapping, yet well under the size limit.
          cases.push({
            label: `${route.operationId}: ${field} nested 5,000 deep`,
            method: route.method.toUpperCase(),
            path: pathOf(route),
            body: JSON.stringify({ ...base, [field]: 0 }).replace(/0\}$/, `${deepJson(5000)}}`),
            expect: { kind: 'error' },
          });
        }
      }
    }
    expect(await run(cases)).toEqual([]);
  }, 300000);

  it('answers 400 or 404 to unknown, malformed or traversing ids in the path', async () => {
    const odd = [
      'nope-unknown',
      'a%2Fb',
      '..',
      '%2E%2E',
      '..%2F..%2Fworkspaces',
      '%00',
      'a%00b',
      '%ED%A0%80',
      '%E0%A4%A',
      '%ZZ',
      '%24where',
      '%7B%22%24ne%22%3A1%7D',
      '5f1d7c7b9b1e8a0012345678',
      'x'.repeat(4000),
    ];
    const cases: Case[] = [];
    for (const route of apiRoutes.filter((r) => r.params)) {
      // DELETE only with bad ids: a route's valid path here would delete what the other cases use.
      for (const name of Object.keys(objectShape(route.params))) {
        for (const value of odd) {
          cases.push({
            label: `${route.operationId}: ${name}=${value.slice(0, 30)}`,
            method: route.method.toUpperCase(),
            path: pathOf(route, { [name]: value }),
            ...(route.body ? { body: JSON.stringify(valid[route.operationId] ?? {}) } : {}),
            expect: { kind: 'error' },
          });
        }
      }
    }
    expect(await run(cases)).toEqual([]);
  }, 300000);

  it('refuses repeated, nested or wrongly typed query parameters, naming each', async () => {
    // Parameters a route requires, so each case is about the one parameter it tries.
    const required: Record<string, string> = { diffTrackingPlan: 'from=1&' };
    const cases: Case[] = [];
    for (const route of apiRoutes.filter((r) => r.query)) {
      const shape = objectShape(route.query);
      const base = `${pathOf(route)}?${required[route.operationId] ?? ''}`;
      // Lists refuse parameters they do not know; other routes ignore them.
      const strict =
        route.query!.safeParse({ zzz: '1' }).error?.issues.some((i) => i.code === 'unrecognized_keys') ?? false;
      for (const [name, schema] of Object.entries(shape)) {
        const tries: Array<[string, unknown]> = [
          [`${name}=1&${name}=2`, ['1', '2']],
          [`${name}=abc`, 'abc'],
          [`${name}=-1`, '-1'],
          [`${name}=1e99`, '1e99'],
          [`${name}=1.5`, '1.5'],
          [`${name}=`, ''],
          [`${name}=2024-13-45T99:00:00Z`, '2024-13-45T99:00:00Z'],
          [`${name}=%00`, '\u0000'],
          [`${name}=%ED%A0%80`, '\ud800'],
          [`${name}=${'y'.repeat(8000)}`, 'y'.repeat(8000)],
        ];
        for (const [query, parsed] of tries) {
          cases.push({
            label: `${route.operationId}: ?${query.slice(0, 40)}`,
            method: 'GET',
            path: `${base}${query}`,
            expect: accepts(schema, parsed) ? { kind: 'any' } : { kind: 'field', field: name },
          });
        }
        cases.push({
          label: `${route.operationId}: ?${name}[a]=1`,
          method: 'GET',
          path: `${base}${name}[a]=1`,
          expect: strict ? { kind: 'field', field: name } : { kind: 'any' },
        });
      }
      if ('sort' in shape) {
        for (const sort of ['password', '-', 'name,,', '-name,-', '__proto__', 'constructor', '%00']) {
          cases.push({
            label: `${route.operationId}: sort=${sort}`,
            method: 'GET',
            path: `${base}sort=${sort}`,
            expect: { kind: 'field', field: 'sort' },
          });
        }
        for (const unknown of ['password', 'secret_from', '__proto__', 'settings.apiKey']) {
          cases.push({
            label: `${route.operationId}: unknown filter ${unknown}`,
            method: 'GET',
            path: `${base}${unknown}=x`,
            expect: { kind: 'field', field: unknown },
          });
        }
        for (const token of ['garbage', '%00', 'eyJ4IjoxfQ', '%7B%22%24gt%22%3A%22%22%7D']) {
          cases.push({
            label: `${route.operationId}: page_token=${token}`,
            method: 'GET',
            path: `${base}page_token=${token}`,
            expect: { kind: 'field', field: 'page_token' },
          });
        }
        cases.push({
          label: `${route.operationId}: search regex`,
          method: 'GET',
          path: `${base}search=${encodeURIComponent('(.*)*[')}`,
          expect: { kind: 'any' },
        });
      }
    }
    expect(await run(cases)).toEqual([]);
  }, 300000);
});
