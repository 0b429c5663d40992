// The live debugger's recent events through the console: the real ingestion behind it (its admin
// token never reaches the browser), read access checked per workspace, and `?limit=` taken as asked,
// capped, or refused by name when it is not a whole number from 1.
import { ConsoleClient, joinByInvitation, sendBatch } from '../testing/http-client';
import { startConsoleStack, type ConsoleStack } from '../testing/stack';

const PASSWORD = 'correct horse battery';

interface Recent {
  events: Array<{ messageId?: string }>;
}

describe('the debugger relay: recent events of a source (console, ingestion, control plane)', () => {
  let stack: ConsoleStack;
  let owner: ConsoleClient;
  let reader: ConsoleClient;
  let path = '';
  const run = Date.now().toString(36);

  beforeAll(async () => {
    stack = await startConsoleStack({ dataPlane: {} });
    owner = new ConsoleClient(stack.console.url);
    expect((await owner.setup('owner@relay.test', PASSWORD, 'relay', 'Relay')).status).toBe(201);
    const source = await owner.call<{ id: string; writeKeys: Array<{ key: string }> }>(
      'POST',
      '/api/v1/workspaces/relay/sources',
      { slug: 'web', name: 'Web' },
    );
    path = `/api/v1/workspaces/relay/sources/${source.body.id}/debugger/events`;
    reader = await joinByInvitation(owner, 'relay', 'reader@relay.test', 'read-only', PASSWORD);
    const writeKey = source.body.writeKeys[0]!.key;
    // The data plane learns of the new source from the config stream: send until it takes them.
    const events = [1, 2, 3].map((n) => ({ type: 'track', event: 'Step', userId: 'u1', messageId: `m${n}-${run}` }));
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        await sendBatch(stack.dataPlane!.url, writeKey, events);
        break;
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
  }, 90_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it('answers the newest events, as many as asked, to anyone who may read the workspace', async () => {
    const two = await reader.call<Recent>('GET', `${path}?limit=2`);
    expect(two.status).toBe(200);
    expect(two.body.events.map((e) => e.messageId)).toEqual([`m2-${run}`, `m3-${run}`]);
    const all = await owner.call<Recent>('GET', path);
    expect(all.body.events.map((e) => e.messageId)).toEqual([`m1-${run}`, `m2-${run}`, `m3-${run}`]);
    // More than the cap is not an error: the cap is answered.
    expect((await owner.call<Recent>('GET', `${path}?limit=100000`)).status).toBe(200);
  });

  it.each([['abc'], ['0'], ['-1'], ['2.5'], ['1e3'], [''], ['2&limit=3']])(
    'refuses ?limit=%s by name instead of reading it as the default',
    async (limit) => {
      const answer = await owner.call<{ error: { code: string; fields?: Array<{ field: string }> } }>(
        'GET',
        `${path}?limit=${limit}`,
      );
      expect(answer.status).toBe(400);
      expect(answer.body.error.code).toBe('invalid_argument');
      expect(answer.body.error.fields?.map((f) => f.field)).toEqual(['limit']);
    },
  );

  it('answers nothing to a visitor who is not signed in', async () => {
    const stranger = new ConsoleClient(stack.console.url);
    expect((await stranger.call('GET', `${path}?limit=abc`)).status).toBe(401);
  });
});
