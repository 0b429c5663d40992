// The console's MongoDB goes away: a private FerretDB of this test, stopped and started again
// (the shared one is never touched). Answers are 503 with a message, not 500.
import { PrivateFerretDb } from '@manifold/testing';
import { ConsoleClient } from '../testing/http-client';
import { startConsoleStack, type ConsoleStack } from '../testing/stack';

const OWNER = 'owner@alpha.test';
const PASSWORD = 'correct horse battery';

jest.setTimeout(90_000);

describe('console while its database is down', () => {
  let ferret: PrivateFerretDb;
  let stack: ConsoleStack;

  beforeAll(async () => {
    ferret = await PrivateFerretDb.create();
    await ferret.start();
    stack = await startConsoleStack({ consoleMongoUrl: ferret.url });
    expect((await new ConsoleClient(stack.console.url).setup(OWNER, PASSWORD, 'alpha')).status).toBe(201);
  });

  afterAll(async () => {
    await ferret?.start();
    await stack?.stop();
    await ferret?.destroy();
  });

  it('answers 503 with a message to sign-in and API calls, and recovers when the database is back', async () => {
    const signedIn = new ConsoleClient(stack.console.url);
    expect((await signedIn.signIn(OWNER, PASSWORD)).status).toBe(200);
    await ferret.stop();

    const unavailable = {
      error: { code: 'unavailable', message: "the console's database is unavailable; try again shortly" },
    };
    const signIn = await new ConsoleClient(stack.console.url).signIn(OWNER, PASSWORD);
    expect({ status: signIn.status, body: signIn.body }).toEqual({ status: 503, body: unavailable });
    expect(signIn.headers['retry-after']).toBe('5');
    const api = await signedIn.call('GET', '/api/v1/workspaces/alpha/sources');
    expect({ status: api.status, body: api.body }).toEqual({ status: 503, body: unavailable });
    const state = await signedIn.call('GET', '/auth/state');
    expect(state.status).toBe(503);

    await ferret.start();
    const deadline = Date.now() + 60_000;
    let status = 0;
    while (Date.now() < deadline && status !== 200) {
      status = (await new ConsoleClient(stack.console.url).signIn(OWNER, PASSWORD)).status;
      if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(status).toBe(200);
    expect((await signedIn.call('GET', '/api/v1/workspaces/alpha/sources')).status).toBe(200);
  });
});
