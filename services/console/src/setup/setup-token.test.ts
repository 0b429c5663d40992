// First-run setup behind CONSOLE_SETUP_TOKEN, against a real control plane and FerretDB: a stack
// as `pnpm start` makes it (workspace `local`, made with the CLI, waiting to be taken over), whose
// console asks for a token. Strangers (no token, a wrong one) create nothing and learn nothing;
// wrong tokens are throttled; the right one sets the console up; the token reaches no log line.
import { connectMongo, type MongoConnection } from '@manifold/mongo';
import { createLogger } from '@manifold/logger';
import { testInfrastructure, testLogger } from '@manifold/testing';
import { connectConsoleControlPlane, type ControlPlane } from '../control-plane/clients';
import { ConsoleClient } from '../testing/http-client';
import { startConsoleStack, type ConsoleStack } from '../testing/stack';
import { SetupToken } from './setup-token';

const TOKEN = 'setup-token-7f3a9c1e5b2d8046';
const OWNER = 'me@acme.test';
const STRANGER = 'stranger@evil.test';
const PASSWORD = 'a long passphrase';

interface Answer {
  setupNeeded?: boolean;
  setupTokenRequired?: boolean;
  adoptable?: Array<{ slug: string; name: string }>;
  workspace?: string;
  error?: { code: string; message: string; fields?: Array<{ field: string; message: string }> };
}

/** A console logger at debug level that keeps every line it writes. */
function keptLogger(lines: string[]) {
  return createLogger('console', 'debug', { write: (line: string) => void lines.push(line) });
}

describe('SetupToken', () => {
  it('matches only the token itself, and shows nothing of it', () => {
    const token = new SetupToken(TOKEN);
    expect(token.matches(TOKEN)).toBe(true);
    expect(token.matches(`${TOKEN} `)).toBe(false);
    expect(token.matches(TOKEN.slice(0, -1))).toBe(false);
    expect(token.matches('')).toBe(false);
    expect(token.matches(undefined)).toBe(false);
    expect(token.matches([TOKEN])).toBe(false);
    expect(JSON.stringify({ token })).not.toContain(TOKEN.slice(4, 12));
    expect(JSON.stringify({ token })).toBe('{"token":"(setup token)"}');
  });
});

describe('first run behind a setup token', () => {
  let stack: ConsoleStack;
  let controlPlane: ControlPlane;
  let db: MongoConnection;
  const logLines: string[] = [];

  beforeAll(async () => {
    stack = await startConsoleStack({
      catalog: 'default',
      localWorkspace: true,
      console: {
        setupToken: TOKEN,
        logger: keptLogger(logLines),
        // One proxy in front: X-Forwarded-For names the caller, so a test can come from many addresses.
        trustProxy: 1,
      },
    });
    controlPlane = connectConsoleControlPlane(stack.controlPlane.address, stack.controlPlaneToken);
    db = await connectMongo({
      url: testInfrastructure().mongoUrl,
      database: stack.consoleDatabase,
      appName: 'setup-token-test',
      logger: testLogger('setup-token-test'),
    });
  }, 120_000);

  afterAll(async () => {
    controlPlane?.close();
    await db?.close();
    await stack?.stop();
  });

  const from = (address: string) => ({ 'x-forwarded-for': address });
  const post = (path: string, body: Record<string, unknown>, address = '198.51.100.1') =>
    new ConsoleClient(stack.console.url).call<Answer>('POST', path, body, from(address));
  const workspaces = async () =>
    (
      await controlPlane.workspaces.listWorkspaces({
        memberEmail: '',
        page: { pageSize: 100, pageToken: '', sort: [], filters: [] },
      })
    ).workspaces;
  const nothingCreated = async () => {
    expect(await db.db.collection('accounts').countDocuments()).toBe(0);
    expect(await db.db.collection('first_run').countDocuments()).toBe(0);
    const all = await workspaces();
    expect(all.map((w) => w.slug)).toEqual(['local']);
    expect(all[0]!.ownerEmail).toBe('owner@localhost.localdomain');
    expect(all[0]!.members.map((m) => m.email)).not.toContain(STRANGER);
    const state = await new ConsoleClient(stack.console.url).call<Answer>('GET', '/auth/state');
    expect(state.body.setupNeeded).toBe(true);
  };

  it('says a token is required, and lists no workspace to a visitor without it', async () => {
    const state = await new ConsoleClient(stack.console.url).call<Answer>('GET', '/auth/state');
    expect(state.status).toBe(200);
    expect(state.body).toEqual({ setupNeeded: true, setupTokenRequired: true, user: null, csrfToken: null });
    expect(JSON.stringify(state.body)).not.toContain('local');
  });

  it('refuses setup and the workspace list without the token or with a wrong one, and creates nothing', async () => {
    const attempts: Array<[string, Record<string, unknown>]> = [
      ['/auth/setup/adoptable', {}],
      ['/auth/setup/adoptable', { setupToken: 'not-the-token-at-all' }],
      ['/auth/setup', { email: STRANGER, password: PASSWORD, adopt: ['local'] }],
      ['/auth/setup', { email: STRANGER, password: PASSWORD, adopt: ['local'], setupToken: '' }],
      ['/auth/setup', { email: STRANGER, password: PASSWORD, adopt: ['local'], setupToken: 42 }],
      [
        '/auth/setup',
        {
          email: STRANGER,
          password: PASSWORD,
          workspaceName: 'Intruder',
          workspaceSlug: 'intruder',
          adopt: ['local'],
          setupToken: TOKEN.toUpperCase(),
        },
      ],
    ];
    for (const [i, [path, body]] of attempts.entries()) {
      // Each from an address of its own: the throttle is the next test's.
      const answer = await post(path, body, `198.51.100.${10 + i}`);
      expect({ path, body, status: answer.status }).toEqual({ path, body, status: 401 });
      expect(answer.body.error?.code).toBe('unauthenticated');
      expect(answer.body.error?.fields?.map((f) => f.field)).toEqual(['setupToken']);
      expect(answer.body.adoptable).toBeUndefined();
      expect(JSON.stringify(answer.body)).not.toContain('local');
    }
    const missing = await post('/auth/setup', { email: STRANGER, password: PASSWORD });
    expect(missing.body.error?.fields).toEqual([
      { field: 'setupToken', message: 'enter the setup token (CONSOLE_SETUP_TOKEN, from whoever deployed Manifold)' },
    ]);
    // The token is checked before the body: a stranger learns nothing of what else would be refused.
    const wrong = await post(
      '/auth/setup',
      { email: 'not an email', setupToken: 'guess-guess-guess' },
      '198.51.100.30',
    );
    expect(wrong.status).toBe(401);
    expect(wrong.body.error?.fields).toEqual([{ field: 'setupToken', message: "not this console's setup token" }]);
    await nothingCreated();
  });

  it('throttles wrong tokens per address: then even the right one waits, while other addresses go on', async () => {
    const address = '203.0.113.7';
    for (let i = 0; i < 5; i++) {
      expect((await post('/auth/setup/adoptable', { setupToken: `wrong-token-number-${i}` }, address)).status).toBe(
        401,
      );
    }
    for (const [path, body] of [
      ['/auth/setup/adoptable', { setupToken: 'wrong-token-number-5' }],
      ['/auth/setup/adoptable', { setupToken: TOKEN }],
      ['/auth/setup', { email: STRANGER, password: PASSWORD, adopt: ['local'], setupToken: TOKEN }],
    ] as const) {
      const throttled = await new ConsoleClient(stack.console.url).call<Answer>('POST', path, body, from(address));
      expect(throttled.status).toBe(429);
      expect(throttled.body.error?.code).toBe('rate_limited');
      expect(throttled.body.error?.fields?.[0]?.field).toBe('setupToken');
      expect(throttled.body.error?.message).toMatch(/^too many wrong setup tokens: try again in 1[45] min$/);
      expect(Number(throttled.headers['retry-after'])).toBeGreaterThan(800);
    }
    await nothingCreated();
    // Another address is not held up by this one's guesses.
    const other = await post('/auth/setup/adoptable', { setupToken: TOKEN }, '203.0.113.8');
    expect(other.status).toBe(200);
  });

  it('lists the workspaces to take over once given the token', async () => {
    const listed = await post('/auth/setup/adoptable', { setupToken: TOKEN });
    expect(listed.status).toBe(200);
    expect(listed.body).toEqual({ adoptable: [{ slug: 'local', name: 'Local' }] });
    // Other origins are refused before the token is even looked at.
    const elsewhere = await new ConsoleClient(stack.console.url).call<Answer>(
      'POST',
      '/auth/setup/adoptable',
      { setupToken: TOKEN },
      { origin: 'https://evil.test' },
    );
    expect(elsewhere.status).toBe(403);
  });

  it('sets up the first owner with the right token: they take over the workspace, and setup closes', async () => {
    const owner = new ConsoleClient(stack.console.url);
    const created = await owner.call<Answer>('POST', '/auth/setup', {
      email: OWNER,
      password: PASSWORD,
      adopt: ['local'],
      setupToken: TOKEN,
    });
    expect(created.status).toBe(201);
    expect(created.body.workspace).toBe('local');
    const local = await owner.call<{ role: string; members: Array<{ email: string }> }>(
      'GET',
      '/api/v1/workspaces/local',
    );
    expect(local.body.role).toBe('owner');
    expect(local.body.members.map((m) => m.email)).not.toContain(STRANGER);
    expect((await workspaces()).map((w) => w.slug)).toEqual(['local']);

    const state = await new ConsoleClient(stack.console.url).call<Answer>('GET', '/auth/state');
    expect(state.body).toEqual({ setupNeeded: false, user: null, csrfToken: null });
    const again = await post('/auth/setup', {
      email: 'late@acme.test',
      password: PASSWORD,
      adopt: ['local'],
      setupToken: TOKEN,
    });
    expect(again.status).toBe(409);
    expect((await post('/auth/setup/adoptable', { setupToken: TOKEN })).body).toEqual({ adoptable: [] });
  });

  it('never wrote the token to its log, and said nothing of open setup', () => {
    const log = logLines.join('');
    expect(log).toContain('first-run setup refused: wrong setup token');
    expect(log).toContain('first owner set up');
    expect(log).not.toContain(TOKEN);
    expect(log).not.toContain(TOKEN.slice(0, 16));
    expect(log).not.toContain('open to the first visitor');
  });
});

describe('first run without a setup token', () => {
  let stack: ConsoleStack;
  const logLines: string[] = [];

  beforeAll(async () => {
    stack = await startConsoleStack({ console: { logger: keptLogger(logLines) } });
  }, 60_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it('is open as before, and the console warned once at start, naming the variable that closes it', async () => {
    const warnings = logLines.filter((line) => line.includes('open to the first visitor'));
    expect(warnings).toHaveLength(1);
    expect(JSON.parse(warnings[0]!)).toMatchObject({ level: 40, msg: expect.stringContaining('CONSOLE_SETUP_TOKEN') });

    const client = new ConsoleClient(stack.console.url);
    const state = await client.call<Answer>('GET', '/auth/state');
    expect(state.body).toEqual({ setupNeeded: true, user: null, csrfToken: null, adoptable: [] });
    expect((await client.call<Answer>('POST', '/auth/setup/adoptable', {})).body).toEqual({ adoptable: [] });
    expect((await client.setup(OWNER, PASSWORD, 'acme', 'Acme')).status).toBe(201);
  });
});
