// Members join by invitation only: against a real control plane, FerretDB and (for mail) a real
// SMTP server in this process.
import { connectMongo, type MongoConnection } from '@manifold/mongo';
import { startSmtpReceiver, testInfrastructure, testLogger, type SmtpReceiver } from '@manifold/testing';
import { ConsoleClient, invitationToken, joinByInvitation } from '../testing/http-client';
import { startConsoleStack, type ConsoleStack } from '../testing/stack';

const OWNER = 'owner@alpha.test';
const PASSWORD = 'correct horse battery';

interface CreatedInvitation {
  id: string;
  email: string;
  role: string;
  invitedBy: string;
  expiresAt: string;
  mailed: boolean;
  link: string | null;
}

interface ErrorAnswer {
  error: { code: string; message: string; fields?: Array<{ field: string; message: string }> };
}

describe('invitations on a console without SMTP', () => {
  let stack: ConsoleStack;
  let owner: ConsoleClient;
  let attacker: ConsoleClient;
  let db: MongoConnection;

  beforeAll(async () => {
    stack = await startConsoleStack();
    owner = new ConsoleClient(stack.console.url);
    expect((await owner.setup(OWNER, PASSWORD, 'alpha', 'Alpha Inc')).status).toBe(201);
    // Any signed-in user: here a member of alpha, who makes a workspace of their own.
    attacker = await joinByInvitation(owner, 'alpha', 'mallory@evil.test', 'member', 'mallory password');
    expect((await attacker.call('POST', '/api/v1/workspaces', { slug: 'evil', name: 'Evil' })).status).toBe(201);
    db = await connectMongo({
      url: testInfrastructure().mongoUrl,
      database: stack.consoleDatabase,
      appName: 'invitations-test',
      logger: testLogger('invitations-test'),
    });
  }, 60_000);

  afterAll(async () => {
    await db?.close();
    await stack?.stop();
  });

  const invite = (client: ConsoleClient, workspace: string, email: string, role = 'member') =>
    client.call<CreatedInvitation & ErrorAnswer>('POST', `/api/v1/workspaces/${workspace}/invitations`, {
      email,
      role,
    });
  const accept = (client: ConsoleClient, token: string, password?: string) =>
    client.call<ErrorAnswer & { workspace: string; user: { email: string } }>(
      'POST',
      '/auth/invitations/accept',
      password === undefined ? { token } : { token, password },
    );
  const lookup = (token: string) =>
    new ConsoleClient(stack.console.url).call<ErrorAnswer & { email: string; accountExists: boolean }>(
      'POST',
      '/auth/invitations/lookup',
      { token },
    );

  it('refuses the old takeover: nobody can make an account for someone else or give it a password', async () => {
    const victim = 'victim@corp.test';
    const takeover = await attacker.call<ErrorAnswer>('PUT', `/api/v1/workspaces/evil/members/${victim}`, {
      role: 'member',
      password: 'chosen by the attacker',
    });
    expect(takeover.status).toBe(400);
    expect(takeover.body.error.message).toMatch(/invited.*choose their own password/);
    // Without a password, a stranger cannot be added either: they must be invited.
    const added = await attacker.call<ErrorAnswer>('PUT', `/api/v1/workspaces/evil/members/${victim}`, {
      role: 'member',
    });
    expect(added.status).toBe(404);
    expect(added.body.error.message).toMatch(/invite them/);
    expect((await new ConsoleClient(stack.console.url).signIn(victim, 'chosen by the attacker')).status).toBe(401);
    expect(await db.db.collection('accounts').countDocuments({ email: victim })).toBe(0);
    const evil = await attacker.call<{ members: Array<{ email: string }> }>('GET', '/api/v1/workspaces/evil');
    expect(evil.body.members.map((m) => m.email)).toEqual(['mallory@evil.test']);
  });

  it('never lets an invitation set the password of an existing account: its owner signs in to accept', async () => {
    const invited = await invite(attacker, 'evil', OWNER);
    expect(invited.status).toBe(201);
    const token = invitationToken(invited.body.link!);
    expect((await lookup(token)).body.accountExists).toBe(true);

    // Whoever holds the link cannot choose a password for the existing account...
    const stranger = new ConsoleClient(stack.console.url);
    const withPassword = await accept(stranger, token, 'attacker password 1');
    expect(withPassword.status).toBe(409);
    expect(withPassword.body.error.message).toMatch(/exists: sign in to accept/);
    expect(stranger.cookie).toBeUndefined();
    // ...nor accept it signed in as someone else.
    const asAttacker = await accept(attacker, token);
    expect(asAttacker.status).toBe(403);
    expect(asAttacker.body.error.message).toMatch(/this invitation is for owner@alpha\.test/);
    // API tokens cannot accept either.
    const apiToken = await attacker.call('POST', '/api/v1/me/tokens', { name: 'ci' });
    const bearer = new ConsoleClient(stack.console.url);
    bearer.bearer = String(apiToken.body['token']);
    expect((await accept(bearer, token)).status).toBe(403);

    expect((await new ConsoleClient(stack.console.url).signIn(OWNER, 'attacker password 1')).status).toBe(401);
    // The real owner signs in with their own password and accepts.
    const real = new ConsoleClient(stack.console.url);
    expect((await real.signIn(OWNER, PASSWORD)).status).toBe(200);
    const accepted = await accept(real, token);
    expect(accepted.status).toBe(200);
    expect(accepted.body.workspace).toBe('evil');
    const evil = await real.call<{ role: string }>('GET', '/api/v1/workspaces/evil');
    expect(evil.body.role).toBe('member');
  });

  it('uses a link once: a second use, and a race of two, make one account only', async () => {
    const first = await invite(owner, 'alpha', 'Dana@Alpha.test', 'read-only');
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ email: 'dana@alpha.test', role: 'read-only', mailed: false });
    expect(first.body.link).toMatch(new RegExp(`^${stack.console.url}/invite#[A-Za-z0-9_-]{40,}$`));
    const token = invitationToken(first.body.link!);

    const [a, b] = await Promise.all([
      accept(new ConsoleClient(stack.console.url), token, 'first password!'),
      accept(new ConsoleClient(stack.console.url), token, 'second password!'),
    ]);
    expect([a.status, b.status].sort()).toEqual([201, 409]);
    const winner = a.status === 201 ? 'first password!' : 'second password!';
    const loser = a.status === 201 ? 'second password!' : 'first password!';
    expect((await new ConsoleClient(stack.console.url).signIn('dana@alpha.test', winner)).status).toBe(200);
    expect((await new ConsoleClient(stack.console.url).signIn('dana@alpha.test', loser)).status).toBe(401);

    const again = await accept(new ConsoleClient(stack.console.url), token, 'third password!');
    expect(again.status).toBe(409);
    expect(again.body.error.message).toMatch(/accepted already/);
    expect((await lookup(token)).status).toBe(409);
    const alpha = await owner.call<{ members: Array<{ email: string; role: string }> }>(
      'GET',
      '/api/v1/workspaces/alpha',
    );
    expect(alpha.body.members).toContainEqual({ email: 'dana@alpha.test', role: 'read-only' });
  });

  it('lets a link expire, and keeps only the hash of its token', async () => {
    const invited = await invite(owner, 'alpha', 'late@alpha.test');
    const token = invitationToken(invited.body.link!);
    const stored = await db.db.collection('invitations').findOne({ id: invited.body.id });
    expect(JSON.stringify(stored)).not.toContain(token);
    expect(new Date(invited.body.expiresAt).getTime() - Date.now()).toBeGreaterThan(6.9 * 24 * 3600 * 1000);

    await db.db
      .collection('invitations')
      .updateOne({ id: invited.body.id }, { $set: { expiresAt: new Date(Date.now() - 1000) } });
    const expired = await accept(new ConsoleClient(stack.console.url), token, 'too late password');
    expect(expired.status).toBe(410);
    expect(expired.body.error).toMatchObject({
      code: 'expired',
      message: expect.stringMatching(/expired on .*owner@alpha\.test/),
    });
    expect((await lookup(token)).status).toBe(410);
    expect(await db.db.collection('accounts').countDocuments({ email: 'late@alpha.test' })).toBe(0);
    const listed = await owner.call<{ invitations: Array<{ email: string; expired: boolean }> }>(
      'GET',
      '/api/v1/workspaces/alpha/invitations',
    );
    expect(listed.body.invitations).toContainEqual(
      expect.objectContaining({ email: 'late@alpha.test', expired: true }),
    );
  });

  it('lists invitations without their links, revokes them, and replaces an earlier link with a new one', async () => {
    const first = await invite(owner, 'alpha', 'erin@alpha.test');
    const second = await invite(owner, 'alpha', 'erin@alpha.test', 'owner');
    expect((await lookup(invitationToken(first.body.link!))).status).toBe(404);
    const token = invitationToken(second.body.link!);
    expect((await lookup(token)).body).toMatchObject({ email: 'erin@alpha.test', accountExists: false });

    const listed = await owner.call<{ invitations: Array<{ id: string; email: string; role: string }> }>(
      'GET',
      '/api/v1/workspaces/alpha/invitations',
    );
    expect(listed.body.invitations.filter((i) => i.email === 'erin@alpha.test')).toEqual([
      expect.objectContaining({ id: second.body.id, role: 'owner', invitedBy: OWNER }),
    ]);
    expect(JSON.stringify(listed.body)).not.toContain(token);

    const member = await joinByInvitation(owner, 'alpha', 'frank@alpha.test', 'member', 'frank password');
    expect((await member.call('GET', '/api/v1/workspaces/alpha/invitations')).status).toBe(403);
    expect((await member.call('POST', '/api/v1/workspaces/alpha/invitations', { email: 'x@y.test' })).status).toBe(403);

    expect((await owner.call('DELETE', `/api/v1/workspaces/alpha/invitations/${second.body.id}`)).status).toBe(200);
    expect((await owner.call('DELETE', `/api/v1/workspaces/alpha/invitations/${second.body.id}`)).status).toBe(404);
    expect((await lookup(token)).status).toBe(404);
    expect((await accept(new ConsoleClient(stack.console.url), token, 'erin password!')).status).toBe(404);
  });

  it('refuses inviting a member with an account, and changes roles of members only', async () => {
    const again = await invite(owner, 'alpha', 'frank@alpha.test');
    expect(again.status).toBe(409);
    expect(again.body.error.fields).toEqual([{ field: 'email', message: 'is a member already' }]);
    const changed = await owner.call<{ members: Array<{ email: string; role: string }> }>(
      'PUT',
      '/api/v1/workspaces/alpha/members/frank@alpha.test',
      { role: 'read-only' },
    );
    expect(changed.status).toBe(200);
    expect(changed.body.members).toContainEqual({ email: 'frank@alpha.test', role: 'read-only' });
  });

  it('voids an invitation whose inviter is no longer an owner', async () => {
    const deputy = await joinByInvitation(owner, 'alpha', 'deputy@alpha.test', 'owner', 'deputy password');
    const invited = await invite(deputy, 'alpha', 'gina@alpha.test');
    expect(invited.status).toBe(201);
    expect(
      (await owner.call('PUT', '/api/v1/workspaces/alpha/members/deputy@alpha.test', { role: 'member' })).status,
    ).toBe(200);
    const token = invitationToken(invited.body.link!);
    expect((await accept(new ConsoleClient(stack.console.url), token, 'gina password!')).status).toBe(404);
    expect(await db.db.collection('accounts').countDocuments({ email: 'gina@alpha.test' })).toBe(0);
  });
});

describe('invitations on a console with SMTP', () => {
  let stack: ConsoleStack;
  let smtp: SmtpReceiver;
  let owner: ConsoleClient;

  beforeAll(async () => {
    smtp = await startSmtpReceiver();
    stack = await startConsoleStack({
      console: { smtp: { url: smtp.url, from: 'Manifold <noreply@manifold.test>' } },
    });
    owner = new ConsoleClient(stack.console.url);
    expect((await owner.setup(OWNER, PASSWORD, 'alpha', 'Alpha Inc')).status).toBe(201);
  }, 60_000);

  afterAll(async () => {
    await stack?.stop();
    await smtp?.stop();
  });

  it('mails the link to the invitee and never shows it to the inviter', async () => {
    const invited = await owner.call<CreatedInvitation>('POST', '/api/v1/workspaces/alpha/invitations', {
      email: 'hana@alpha.test',
      role: 'member',
    });
    expect(invited.status).toBe(201);
    expect(invited.body).toMatchObject({ mailed: true, link: null });
    const mail = await smtp.waitFor((m) => m.to.includes('hana@alpha.test'));
    expect(mail.from).toBe('noreply@manifold.test');
    expect(mail.subject).toBe('Manifold: owner@alpha.test invited you to Alpha Inc');
    const link = /(http:\/\/\S+\/invite#\S+)/.exec(mail.text)?.[1];
    expect(link).toBeDefined();
    const member = new ConsoleClient(stack.console.url);
    const accepted = await member.call<{ workspace: string }>('POST', '/auth/invitations/accept', {
      token: invitationToken(link!),
      password: 'hana password!',
    });
    expect(accepted.status).toBe(201);
    expect((await member.call<{ role: string }>('GET', '/api/v1/workspaces/alpha')).body.role).toBe('member');
  });

  it('saves no invitation when its mail cannot be sent', async () => {
    await smtp.stop();
    const invited = await owner.call<ErrorAnswer>('POST', '/api/v1/workspaces/alpha/invitations', {
      email: 'ivan@alpha.test',
    });
    expect(invited.status).toBe(503);
    expect(invited.body.error.message).toMatch(/could not be sent/);
    const listed = await owner.call<{ invitations: Array<{ email: string }> }>(
      'GET',
      '/api/v1/workspaces/alpha/invitations',
    );
    expect(listed.body.invitations.map((i) => i.email)).not.toContain('ivan@alpha.test');
  });
});
