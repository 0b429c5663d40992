// The OAuth connection through the Public API, against a real control plane (the destinations in
// code) and FerretDB: the state in reads and the catalog, the connect route for browser sessions
// only, a refusal in words when the operator configured no OAuth app.
import { ConsoleClient, joinByInvitation } from '../testing/http-client';
import { startConsoleStack, type ConsoleStack } from '../testing/stack';

const OWNER = 'owner@crm.test';
const READER = 'reader@crm.test';
const PASSWORD = 'correct horse battery';

describe('Public API: OAuth connections', () => {
  let stack: ConsoleStack;
  let owner: ConsoleClient;
  let id: string;

  beforeAll(async () => {
    stack = await startConsoleStack({ catalog: 'default' });
    owner = new ConsoleClient(stack.console.url);
    expect((await owner.setup(OWNER, PASSWORD, 'crm', 'CRM')).status).toBe(201);
    const created = await owner.call<{ id: string }>('POST', '/api/v1/workspaces/crm/destinations', {
      name: 'HubSpot',
      catalogId: 'hubspot',
      settings: { portalId: '4242' },
    });
    expect(created.status).toBe(201);
    id = created.body.id;
  }, 60000);

  afterAll(() => stack?.stop());

  it('reads say whether an OAuth destination is connected, and the catalog which scopes it asks for', async () => {
    const read = await owner.call('GET', `/api/v1/workspaces/crm/destinations/${id}`);
    expect(read.body).toMatchObject({ oauth: { state: 'not_connected', problem: '' } });
    const entry = await owner.call('GET', '/api/v1/workspaces/crm/catalog/hubspot');
    expect(entry.body).toMatchObject({ oauthScopes: expect.arrayContaining(['crm.objects.contacts.write']) });
    const hook = await owner.call<{ id: string }>('POST', '/api/v1/workspaces/crm/destinations', {
      name: 'Hook',
      catalogId: 'webhook',
      settings: { url: 'https://example.com/in' },
    });
    expect(hook.body).not.toHaveProperty('oauth');
  });

  it('connecting: browser sessions of members who may change destinations, and an OAuth app configured', async () => {
    const path = `/api/v1/workspaces/crm/destinations/${id}/oauth/connect`;
    const unconfigured = await owner.call<{ error: { message: string } }>('POST', path, {});
    expect(unconfigured.status).toBe(400);
    expect(unconfigured.body.error.message).toContain('OAUTH_HUBSPOT_CLIENT_ID');

    const token = await owner.call<{ token: string }>('POST', '/api/v1/me/tokens', { name: 'script' });
    const script = new ConsoleClient(stack.console.url);
    script.bearer = token.body.token;
    const byToken = await script.call('POST', path, {});
    expect(byToken.status).toBe(403);

    const reader = await joinByInvitation(owner, 'crm', READER, 'read-only', PASSWORD);
    expect((await reader.call('POST', path, {})).status).toBe(403);
  });
});
