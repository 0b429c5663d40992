// The Public API against a real control plane (gRPC) and real MongoDB-wire storage (FerretDB).
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { apiRoutes } from './routes';
import { ConsoleClient, joinByInvitation } from '../testing/http-client';
import { startConsoleStack, type ConsoleStack } from '../testing/stack';

const OWNER = 'owner@alpha.test';
const OUTSIDER = 'outsider@beta.test';
const READER = 'reader@alpha.test';
const PASSWORD = 'correct horse battery';

describe('console Public API', () => {
  let stack: ConsoleStack;
  let owner: ConsoleClient;
  let outsider: ConsoleClient;
  let outsiderToken: ConsoleClient;
  let reader: ConsoleClient;
  let ids: Record<string, string>;

  beforeAll(async () => {
    stack = await startConsoleStack();
    const url = stack.console.url;
    owner = new ConsoleClient(url);
    expect((await owner.setup(OWNER, PASSWORD, 'alpha', 'Alpha Inc')).status).toBe(201);

    // Alpha has a source, a destination and a warehouse, so 404s below come from authorization alone.
    const source = await owner.call('POST', '/api/v1/workspaces/alpha/sources', { slug: 'web', name: 'Website' });
    expect(source.status).toBe(201);
    const destination = await owner.call('POST', '/api/v1/workspaces/alpha/destinations', {
      name: 'Acme',
      catalogId: 'acme-analytics',
      settings: { apiKey: 'secret-key-123' },
      sources: ['web'],
    });
    expect(destination.status).toBe(201);
    const warehouse = await owner.call('POST', '/api/v1/workspaces/alpha/destinations', {
      name: 'Lake',
      catalogId: 'test-postgres',
      settings: { url: 'postgres://x' },
    });
    expect(warehouse.status).toBe(201);
    ids = {
      workspace: 'alpha',
      source: String(source.body['id']),
      destination: String(destination.body['id']),
      entry: 'acme-analytics',
      email: OWNER,
      page: 'sources',
      id: 'none',
    };

    // The outsider owns workspace beta, made by alpha's owner, who then leaves it.
    expect((await owner.call('POST', '/api/v1/workspaces', { slug: 'beta', name: 'Beta' })).status).toBe(201);
    outsider = await joinByInvitation(owner, 'beta', OUTSIDER, 'owner', PASSWORD);
    expect((await owner.call('DELETE', `/api/v1/workspaces/beta/members/nobody@beta.test`)).status).toBe(404);
    expect((await owner.call('DELETE', `/api/v1/workspaces/beta/members/${OWNER}`)).status).toBe(200);
    reader = await joinByInvitation(owner, 'alpha', READER, 'read-only', PASSWORD);

    const token = await outsider.call('POST', '/api/v1/me/tokens', { name: 'ci' });
    expect(token.status).toBe(201);
    outsiderToken = new ConsoleClient(url);
    outsiderToken.bearer = String(token.body['token']);
  }, 60000);

  afterAll(async () => {
    await stack?.stop();
  });

  const concretePath = (path: string) => path.replace(/:([A-Za-z_]+)/g, (_, name: string) => ids[name] ?? 'x');
  const workspaceRoutes = () => apiRoutes.filter((r) => r.access !== 'user');

  it('answers 404 to a member of another workspace on every workspace route, by session and by API token', async () => {
    expect(workspaceRoutes().length).toBeGreaterThan(20);
    for (const client of [outsider, outsiderToken]) {
      for (const route of workspaceRoutes()) {
        const response = await client.call(route.method.toUpperCase(), `/api/v1${concretePath(route.path)}`, {});
        expect({ route: route.operationId, status: response.status }).toEqual({
          route: route.operationId,
          status: 404,
        });
      }
      const stream = await client.call('GET', `/api/v1/workspaces/alpha/sources/${ids['source']}/debugger`);
      expect(stream.status).toBe(404);
      expect((await client.call('GET', '/alpha/sources')).status).toBe(404);
    }
    // The outsider's own workspace works, and lists only it.
    const mine = await outsiderToken.call<{ workspaces: Array<{ slug: string }> }>('GET', '/api/v1/workspaces');
    expect(mine.body.workspaces.map((w) => w.slug)).toEqual(['beta']);
    expect((await outsiderToken.call('GET', '/api/v1/workspaces/beta/sources')).status).toBe(200);
  });

  it('lets read-only members read but not write', async () => {
    expect((await reader.call('GET', '/api/v1/workspaces/alpha/sources')).status).toBe(200);
    expect((await reader.call('GET', `/api/v1/workspaces/alpha/destinations/${ids['destination']}`)).status).toBe(200);
    for (const route of workspaceRoutes().filter((r) => r.method !== 'get')) {
      // The mapping tester only reads, unless it is asked to send to the destination.
      const body = route.operationId === 'testDestination' ? { event: { type: 'track', event: 'x' }, send: true } : {};
      const response = await reader.call(route.method.toUpperCase(), `/api/v1${concretePath(route.path)}`, body);
      expect({ route: route.operationId, status: response.status }).toEqual({ route: route.operationId, status: 403 });
    }
  });

  it('needs a session or token, and the CSRF token and same origin for session writes', async () => {
    const anonymous = new ConsoleClient(stack.console.url);
    expect((await anonymous.call('GET', '/api/v1/workspaces/alpha/sources')).status).toBe(401);
    const page = await anonymous.call('GET', '/alpha/sources');
    expect(page.status).toBe(302);
    expect(page.headers['location']).toBe('/signin?next=%2Falpha%2Fsources');

    const body = { slug: 'app', name: 'App' };
    const noCsrf = await owner.call('POST', '/api/v1/workspaces/alpha/sources', body, { 'x-csrf-token': '' });
    expect(noCsrf.status).toBe(403);
    const otherSite = await owner.call('POST', '/api/v1/workspaces/alpha/sources', body, {
      origin: 'https://evil.test',
    });
    expect(otherSite.status).toBe(403);
    const badToken = new ConsoleClient(stack.console.url);
    badToken.bearer = 'mfd_not-a-real-token';
    expect((await badToken.call('GET', '/api/v1/workspaces')).status).toBe(401);
    // API tokens cannot mint more tokens.
    expect((await outsiderToken.call('POST', '/api/v1/me/tokens', { name: 'more' })).status).toBe(403);
  });

  it('sets an HttpOnly SameSite session cookie and refuses a second first-run setup', async () => {
    const client = new ConsoleClient(stack.console.url);
    const signedIn = await client.signIn(OWNER, PASSWORD);
    const cookie = String(signedIn.headers['set-cookie']);
    expect(cookie).toMatch(/manifold_session=[^;]+/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect((await client.signIn(OWNER, 'wrong password!')).status).toBe(401);
    expect((await new ConsoleClient(stack.console.url).setup('x@y.test', PASSWORD, 'gamma')).status).toBe(409);
    const state = await client.call<{ setupNeeded: boolean }>('GET', '/auth/state');
    expect(state.body.setupNeeded).toBe(false);
  });

  it("maps the control plane's settings violations onto fields", async () => {
    const bad = await owner.call<{ error: { code: string; fields: Array<{ field: string; message: string }> } }>(
      'POST',
      '/api/v1/workspaces/alpha/destinations',
      { name: 'Acme 2', catalogId: 'acme-analytics', settings: { apiKey: 'short', region: 'mars' } },
    );
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid_argument');
    // In words, not the schema validator's.
    expect(bad.body.error.fields).toEqual(
      expect.arrayContaining([
        { field: 'settings.apiKey', message: 'must be at least 8 characters long' },
        { field: 'settings.region', message: 'must be one of "us", "eu"' },
      ]),
    );
    // Secrets come back masked.
    const saved = await owner.call<{ settings: Record<string, unknown> }>(
      'GET',
      `/api/v1/workspaces/alpha/destinations/${ids['destination']}`,
    );
    expect(saved.body.settings['apiKey']).not.toBe('secret-key-123');
  });

  it('sorts and filters sources through the control plane', async () => {
    for (const [slug, environment, type] of [
      ['api', 'dev', 'node'],
      ['ios-app', 'prod', 'ios'],
      ['backend', 'dev', 'python'],
    ] as const) {
      const created = await owner.call('POST', '/api/v1/workspaces/alpha/sources', {
        slug,
        name: slug,
        environment,
        type,
        category: type === 'ios' ? 'mobile' : 'server',
      });
      expect(created.status).toBe(201);
    }
    const dev = await owner.call<{ sources: Array<{ slug: string }>; page: { totalCount: number } }>(
      'GET',
      '/api/v1/workspaces/alpha/sources?environment=dev&sort=-name',
    );
    expect(dev.body.sources.map((s) => s.slug)).toEqual(['backend', 'api']);
    expect(dev.body.page.totalCount).toBe(2);
    const two = await owner.call<{ sources: Array<{ slug: string }> }>(
      'GET',
      '/api/v1/workspaces/alpha/sources?type=node&type=ios&sort=type',
    );
    expect(two.body.sources.map((s) => s.slug)).toEqual(['ios-app', 'api']);
    const searched = await owner.call<{ sources: Array<{ slug: string }> }>(
      'GET',
      '/api/v1/workspaces/alpha/sources?search=END&sort=name',
    );
    expect(searched.body.sources.map((s) => s.slug)).toEqual(['backend']);
    const paged = await owner.call<{ sources: Array<{ slug: string }>; page: { nextPageToken: string } }>(
      'GET',
      '/api/v1/workspaces/alpha/sources?sort=name&page_size=1',
    );
    const next = await owner.call<{ sources: Array<{ slug: string }> }>(
      'GET',
      `/api/v1/workspaces/alpha/sources?sort=name&page_size=1&page_token=${paged.body.page.nextPageToken}`,
    );
    expect([...paged.body.sources, ...next.body.sources]).toHaveLength(2);
    expect(next.body.sources[0]!.slug).not.toBe(paged.body.sources[0]!.slug);
    const bad = await owner.call('GET', '/api/v1/workspaces/alpha/sources?sort=password');
    expect(bad.status).toBe(400);
  });

  it('keeps up to five chosen columns per user and page, refusing a sixth with the reason', async () => {
    const five = ['status', 'environment', 'destinations', 'type', 'category'];
    expect((await owner.call('PUT', '/api/v1/me/columns/sources', { columns: five })).status).toBe(200);
    const six = await owner.call<{ error: { message: string } }>('PUT', '/api/v1/me/columns/sources', {
      columns: [...five, 'created_at'],
    });
    expect(six.status).toBe(400);
    expect(six.body.error.message).toMatch(/at most 5 columns/);
    expect((await owner.call('GET', '/api/v1/me/columns/sources')).body).toEqual({ columns: five });
    // Per user: the reader still has the defaults.
    expect((await reader.call('GET', '/api/v1/me/columns/sources')).body).toEqual({
      columns: ['status', 'environment', 'destinations'],
    });
  });

  it('lists warehouses apart from destinations, changes the sync interval and reads the load history', async () => {
    const warehouses = await owner.call<{
      destinations: Array<{ id: string; name: string; syncIntervalSeconds: number }>;
    }>('GET', '/api/v1/workspaces/alpha/warehouses');
    expect(warehouses.body.destinations.map((w) => w.name)).toEqual(['Lake']);
    const lake = warehouses.body.destinations[0]!;
    expect(lake.syncIntervalSeconds).toBe(3600);
    const destinations = await owner.call<{ destinations: Array<{ name: string }> }>(
      'GET',
      '/api/v1/workspaces/alpha/destinations?warehouse=destination',
    );
    expect(destinations.body.destinations.map((d) => d.name)).toEqual(['Acme']);
    const updated = await owner.call<{ syncIntervalSeconds: number }>(
      'PATCH',
      `/api/v1/workspaces/alpha/destinations/${lake.id}`,
      {
        syncIntervalSeconds: 900,
      },
    );
    expect(updated.status).toBe(200);
    expect(updated.body.syncIntervalSeconds).toBe(900);
    const loads = await owner.call<{ loads: unknown[] }>('GET', `/api/v1/workspaces/alpha/warehouses/${lake.id}/loads`);
    expect(loads.status).toBe(200);
    expect(loads.body.loads).toEqual([]);
  });

  it('says which settings of each catalog entry hold credentials, as the control plane decides it', async () => {
    const acme = await reader.call<{ secrets: Record<string, string> }>(
      'GET',
      '/api/v1/workspaces/alpha/catalog/acme-analytics',
    );
    expect(acme.status).toBe(200);
    expect(acme.body.secrets).toEqual({ apiKey: 'whole' });
    const catalog = await reader.call<{ entries: Array<{ id: string; secrets: Record<string, string> }> }>(
      'GET',
      '/api/v1/workspaces/alpha/catalog',
    );
    expect(Object.fromEntries(catalog.body.entries.map((e) => [e.id, e.secrets]))).toMatchObject({
      'mail-blaster': { token: 'whole' },
      'test-postgres': { password: 'whole' },
    });
  });

  it('records integration requests with counts per tool', async () => {
    for (const name of ['Snowplow', 'snowplow', 'Heap']) {
      const created = await owner.call('POST', '/api/v1/workspaces/alpha/integration-requests', {
        name,
        useCase: 'forward events',
      });
      expect(created.status).toBe(201);
    }
    const bad = await owner.call<{ error: { fields: Array<{ field: string; message: string }> } }>(
      'POST',
      '/api/v1/workspaces/alpha/integration-requests',
      { name: 'X', website: 'not a url', useCase: '' },
    );
    expect(bad.status).toBe(400);
    // The console's own checks speak the same words.
    expect(bad.body.error.fields.sort((a, b) => a.field.localeCompare(b.field))).toEqual([
      { field: 'useCase', message: 'say what you would use it for' },

      { field: 'website', message: 'must be a URL such as https://example.com/path' },
    ]);

    const list = await reader.call<{ requests: unknown[]; counts: Array<{ name: string; count: number }> }>(
      'GET',
      '/api/v1/workspaces/alpha/integration-requests',
    );
    expect(list.body.requests).toHaveLength(3);
    expect(list.body.counts[0]).toEqual({ name: expect.stringMatching(/^snowplow$/i), count: 2 });
  });

  it('refuses sign-in for a while after five wrong passwords', async () => {
    const guesser = new ConsoleClient(stack.console.url);
    for (let i = 0; i < 5; i++) expect((await guesser.signIn(READER, `guess number ${i}`)).status).toBe(401);
    const blocked = await guesser.signIn(READER, PASSWORD);
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    // The reader's existing session is unaffected.
    expect((await reader.call('GET', '/api/v1/workspaces/alpha/sources')).status).toBe(200);
  });

  it('sets a strict Content-Security-Policy and the other security headers on every response', async () => {
    const anonymous = new ConsoleClient(stack.console.url);
    const responses = [
      await anonymous.call('GET', '/'),
      await anonymous.call('GET', '/alpha/sources'),
      await anonymous.call('GET', '/assets/missing.js'),
      await anonymous.call('GET', '/auth/state'),
      await anonymous.call('POST', '/auth/signin', { email: 'x@y.test', password: 'wrong password' }),
      await anonymous.call('GET', '/api/openapi.json'),
      await anonymous.call('GET', '/api/v1/workspaces'),
      await anonymous.call('GET', '/api/v1/nothing-here'),
      await owner.call('GET', '/api/v1/workspaces/alpha'),
      await owner.call('POST', '/api/v1/workspaces/alpha/sources', '{not json'),
    ];
    for (const response of responses) {
      expect(response.headers['content-security-policy']).toBe(
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; font-src 'self'; " +
          "connect-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
      );
      expect(response.headers).toMatchObject({
        'x-content-type-options': 'nosniff',
        'x-frame-options': 'DENY',
        'referrer-policy': 'same-origin',
        'cross-origin-opener-policy': 'same-origin',
        'cross-origin-resource-policy': 'same-origin',
      });
      expect(response.headers['permissions-policy']).toMatch(/camera=\(\)/);
      // HSTS only over https (this console is plain http).
      expect(response.headers['strict-transport-security']).toBeUndefined();
    }
  });

  it('serves an OpenAPI 3.1 document with every route and resolvable schema references', async () => {
    const doc = await new ConsoleClient(stack.console.url).call<{
      openapi: string;
      paths: Record<string, Record<string, { operationId: string }>>;
      components: { schemas: Record<string, unknown> };
    }>('GET', '/api/openapi.json');
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toBe('3.1.0');
    const operations = Object.values(doc.body.paths).flatMap((p) => Object.values(p).map((o) => o.operationId));
    for (const route of apiRoutes) expect(operations).toContain(route.operationId);
    const refs = JSON.stringify(doc.body).match(/#\/components\/schemas\/[A-Za-z]+/g) ?? [];
    expect(refs.length).toBeGreaterThan(20);
    for (const ref of refs) expect(doc.body.components.schemas).toHaveProperty(ref.split('/').pop()!);
    expect(doc.body.paths['/api/v1/workspaces/{workspace}/sources']?.['get']).toBeDefined();
    // Rate limits are documented where a route has them; every route can answer 503 with Retry-After.
    type Responses = Record<string, { headers?: Record<string, unknown> }>;
    const responsesOf = (path: string, method: string) =>
      (doc.body.paths[path]?.[method] as unknown as { responses: Responses }).responses;
    const invite = responsesOf('/api/v1/workspaces/{workspace}/invitations', 'post');
    expect(invite['429']?.headers).toHaveProperty('Retry-After');
    expect(invite['503']?.headers).toHaveProperty('Retry-After');
    expect(responsesOf('/api/v1/workspaces/{workspace}/sources', 'get')).not.toHaveProperty('429');

    // Valid against the OpenAPI 3.1 schema, checked by a validator made for it (ESM-only, so in a child process).
    const script =
      "import { Validator } from '@seriousme/openapi-schema-validator';" +
      "import { readFileSync } from 'node:fs';" +
      'const result = await new Validator().validate(JSON.parse(readFileSync(0, "utf8")));' +
      'process.stdout.write(JSON.stringify(result));';
    const result = JSON.parse(
      execFileSync(process.execPath, ['--input-type=module', '-e', script], {
        cwd: join(__dirname, '..', '..'),
        input: JSON.stringify(doc.body),
      }).toString(),
    ) as { valid: boolean; errors?: unknown };
    expect(result).toEqual({ valid: true });
  });
});
