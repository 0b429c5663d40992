// Invitation emails are limited, and invitation links that do not work are throttled: against a
// real control plane, FerretDB and a real SMTP server in this process. The limits' clock is this
// test's (setInvitationClockForTests), so windows pass without waiting.
import { randomBytes } from 'node:crypto';
import { startSmtpReceiver, type SmtpReceiver } from '@manifold/testing';
import { ConsoleClient, invitationToken } from '../testing/http-client';
import { startConsoleStack, type ConsoleStack } from '../testing/stack';
import { setInvitationClockForTests } from './invitation-limits';

const OWNER = 'owner@alpha.test';
const PASSWORD = 'correct horse battery';
const MINUTE = 60_000;

interface Answer {
  id: string;
  mailed: boolean;
  error: { code: string; message: string; fields?: Array<{ field: string; message: string }> };
}

jest.setTimeout(120_000);

describe('invitation limits on a console with SMTP', () => {
  let now = Date.now();
  let smtp: SmtpReceiver;
  let stack: ConsoleStack;
  let owner: ConsoleClient;
  let deputy: ConsoleClient;
  let deputy2: ConsoleClient;
  let bob: ConsoleClient;

  const invite = (client: ConsoleClient, workspace: string, email: string, role = 'member') =>
    client.call<Answer>('POST', `/api/v1/workspaces/${workspace}/invitations`, { email, role });
  const mailsTo = (email: string) => smtp.mails.filter((m) => m.to.includes(email)).length;
  const linkIn = (text: string): string => /(http:\/\/\S+\/invite#\S+)/.exec(text)![1]!;
  let sequence = 0;
  /** A fresh address; `count` of them invited by `client`, each answered 201 and mailed. */
  async function inviteMany(client: ConsoleClient, workspace: string, count: number): Promise<void> {
    for (let i = 0; i < count; i++) {
      const email = `invitee${++sequence}@elsewhere.test`;
      const answer = await invite(client, workspace, email);
      expect([answer.status, answer.body.error?.message]).toEqual([201, undefined]);
    }
  }
  /** Someone invited by mail who accepts with a new account: their signed-in client. */
  async function join(inviter: ConsoleClient, workspace: string, email: string, role: string): Promise<ConsoleClient> {
    expect((await invite(inviter, workspace, email, role)).status).toBe(201);
    const mail = await smtp.waitFor((m) => m.to.includes(email));
    const member = new ConsoleClient(stack.console.url);
    const accepted = await member.call('POST', '/auth/invitations/accept', {
      token: invitationToken(linkIn(mail.text)),
      password: `${email} password`,
    });
    expect(accepted.status).toBe(201);
    return member;
  }

  beforeAll(async () => {
    setInvitationClockForTests(() => now);
    smtp = await startSmtpReceiver();
    stack = await startConsoleStack({
      console: { smtp: { url: smtp.url, from: 'Manifold <noreply@manifold.test>' } },
    });
    owner = new ConsoleClient(stack.console.url);
    expect((await owner.setup(OWNER, PASSWORD, 'alpha', 'Alpha Inc')).status).toBe(201);
    deputy = await join(owner, 'alpha', 'deputy@alpha.test', 'owner');
    deputy2 = await join(owner, 'alpha', 'deputy2@alpha.test', 'owner');
    // Bob is a member of alpha who owns a workspace of his own.
    bob = await join(owner, 'alpha', 'bob@alpha.test', 'member');
    expect((await bob.call('POST', '/api/v1/workspaces', { slug: 'beta', name: 'Beta' })).status).toBe(201);
  }, 60_000);

  afterAll(async () => {
    setInvitationClockForTests(undefined);
    await stack?.stop();
    await smtp?.stop();
  });

  it('mails one address once per 5 minutes, re-sends and revoke-then-invite included', async () => {
    now += 61 * MINUTE;
    expect((await invite(owner, 'alpha', 'Carol@Alpha.test')).status).toBe(201);
    await smtp.waitFor((m) => m.to.includes('carol@alpha.test'));

    now += 2 * MINUTE;
    const again = await invite(owner, 'alpha', 'carol@alpha.test', 'owner');
    expect(again.status).toBe(429);
    expect(again.headers['retry-after']).toBe('180');
    expect(again.body.error).toEqual({
      code: 'rate_limited',
      message: 'carol@alpha.test was sent an invitation to this workspace less than 5 min ago: send it again in 3 min',
      fields: [{ field: 'email', message: 'was sent an invitation less than 5 min ago: try again in 3 min' }],
    });
    // Revoking does not reset it, else invite-revoke-invite would mail endlessly.
    const listed = await owner.call<{ invitations: Array<{ id: string; email: string }> }>(
      'GET',
      '/api/v1/workspaces/alpha/invitations',
    );
    const carol = listed.body.invitations.find((i) => i.email === 'carol@alpha.test')!;
    expect((await owner.call('DELETE', `/api/v1/workspaces/alpha/invitations/${carol.id}`)).status).toBe(200);
    expect((await invite(deputy, 'alpha', 'carol@alpha.test')).status).toBe(429);

    // Other addresses, and the same address in another workspace, are not held back.
    expect((await invite(owner, 'alpha', 'dave@alpha.test')).status).toBe(201);
    expect((await invite(bob, 'beta', 'carol@alpha.test')).status).toBe(201);
    await smtp.waitFor((m) => m.to.includes('dave@alpha.test'));
    await smtp.waitFor((m) => m.to.includes('carol@alpha.test') && m.subject.includes('Beta'));
    expect(smtp.mails.filter((m) => m.to.includes('carol@alpha.test') && m.subject.includes('Alpha Inc'))).toHaveLength(
      1,
    );

    // Requests at once cannot all slip under the limit: it is checked and counted in one step.
    const atOnce = await Promise.all([1, 2, 3].map(() => invite(owner, 'alpha', 'frank@alpha.test')));
    expect(atOnce.map((a) => a.status).sort()).toEqual([201, 429, 429]);

    now += 3 * MINUTE;
    const later = await invite(owner, 'alpha', 'carol@alpha.test', 'owner');
    expect(later.status).toBe(201);
    await smtp.waitFor((m) => m.to.includes('carol@alpha.test') && m.text.includes('as owner'));
  });

  it('mails at most 20 invitations an hour per inviter, by session and API token alike, then the window passes', async () => {
    now += 61 * MINUTE;
    const token = await owner.call<{ token: string }>('POST', '/api/v1/me/tokens', { name: 'script' });
    const script = new ConsoleClient(stack.console.url);
    script.bearer = token.body.token;
    expect((await owner.call('POST', '/api/v1/workspaces', { slug: 'gamma', name: 'Gamma' })).status).toBe(201);

    await inviteMany(owner, 'alpha', 10);
    now += 10 * MINUTE;
    await inviteMany(script, 'gamma', 10);
    for (const [client, workspace] of [
      [owner, 'alpha'],
      [script, 'gamma'],
    ] as const) {
      const refused = await invite(client, workspace, 'one-too-many@elsewhere.test');
      expect(refused.status).toBe(429);
      // The window began with the first of the 20, 10 minutes ago.
      expect(refused.headers['retry-after']).toBe('3000');
      expect(refused.body.error).toEqual({
        code: 'rate_limited',
        message:
          'you have sent 20 invitation emails within an hour, the most this console allows one person: try again in 50 min',
      });
    }
    // Other inviters are not held back, in this workspace or another.
    expect((await invite(deputy, 'alpha', 'from-deputy@elsewhere.test')).status).toBe(201);
    expect((await invite(bob, 'beta', 'from-bob@elsewhere.test')).status).toBe(201);
    await smtp.waitFor((m) => m.to.includes('from-bob@elsewhere.test'));
    expect(mailsTo('one-too-many@elsewhere.test')).toBe(0);

    now += 50 * MINUTE;
    expect((await invite(script, 'gamma', 'one-too-many@elsewhere.test')).status).toBe(201);
    await smtp.waitFor((m) => m.to.includes('one-too-many@elsewhere.test'));
  });

  it('mails at most 50 invitations an hour per workspace, whoever sends them; other workspaces go on', async () => {
    now += 61 * MINUTE;
    await inviteMany(owner, 'alpha', 20);
    await inviteMany(deputy, 'alpha', 20);
    now += 30 * MINUTE;
    await inviteMany(deputy2, 'alpha', 10);
    const refused = await invite(deputy2, 'alpha', 'fifty-first@elsewhere.test');
    expect(refused.status).toBe(429);
    expect(refused.headers['retry-after']).toBe('1800');
    expect(refused.body.error).toEqual({
      code: 'rate_limited',
      message:
        'this workspace has sent 50 invitation emails within an hour, the most this console allows: try again in 30 min',
    });
    const fromBob = await invite(bob, 'beta', 'fifty-first@elsewhere.test');
    expect(fromBob.status).toBe(201);
    await smtp.waitFor((m) => m.to.includes('fifty-first@elsewhere.test'));
    expect(smtp.mails.filter((m) => m.to.includes('fifty-first@elsewhere.test')).map((m) => m.subject)).toEqual([
      'Manifold: bob@alpha.test invited you to Beta',
    ]);

    now += 30 * MINUTE;
    expect((await invite(deputy2, 'alpha', 'fifty-first@elsewhere.test')).status).toBe(201);
  });

  it('throttles links that do not work: 10 from one address in 15 minutes, then even a right one waits', async () => {
    now += 61 * MINUTE;
    expect((await invite(owner, 'alpha', 'erin@alpha.test')).status).toBe(201);
    const token = invitationToken(linkIn((await smtp.waitFor((m) => m.to.includes('erin@alpha.test'))).text));
    const visitor = new ConsoleClient(stack.console.url);
    expect((await visitor.call('POST', '/auth/invitations/lookup', { token })).status).toBe(200);

    for (let i = 0; i < 10; i++) {
      const path = i % 2 === 0 ? '/auth/invitations/lookup' : '/auth/invitations/accept';
      const guess = await visitor.call('POST', path, {
        token: randomBytes(32).toString('base64url'),
        password: 'x'.repeat(12),
      });
      expect(guess.status).toBe(404);
    }
    for (const path of ['/auth/invitations/lookup', '/auth/invitations/accept']) {
      const refused = await visitor.call<Answer>('POST', path, { token, password: 'erin password!' });
      expect(refused.status).toBe(429);
      expect(refused.headers['retry-after']).toBe('900');
      expect(refused.body.error.message).toBe(
        'too many invitation links that do not work were tried from your address: try again in 15 min',
      );
    }

    now += 15 * MINUTE;
    const accepted = await visitor.call('POST', '/auth/invitations/accept', { token, password: 'erin password!' });
    expect(accepted.status).toBe(201);
  });

  it('lets an address be invited again at once when its mail could not be sent', async () => {
    now += 61 * MINUTE;
    await smtp.stop();
    for (let i = 0; i < 2; i++) {
      const failed = await invite(owner, 'alpha', 'ivan@alpha.test');
      expect(failed.status).toBe(503);
      expect(failed.body.error.message).toMatch(/could not be sent/);
    }
  });
});
