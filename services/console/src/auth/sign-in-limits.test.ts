// Sign-in limits beyond one email from one address: an account locks after wrong passwords from
// anywhere (its owner is mailed, through a real SMTP server in this process), and the whole
// console pauses sign-in after too many wrong passwords overall.
import { startSmtpReceiver, type SmtpReceiver } from '@manifold/testing';
import { ConsoleClient } from '../testing/http-client';
import { startConsoleStack, type ConsoleStack } from '../testing/stack';

const OWNER = 'owner@alpha.test';
const PASSWORD = 'correct horse battery';
const LOCK_MS = 5000;
const GLOBAL_MAX = 12;

describe('sign-in limits', () => {
  let stack: ConsoleStack;
  let smtp: SmtpReceiver;
  let failuresSoFar = 0;

  beforeAll(async () => {
    smtp = await startSmtpReceiver();
    stack = await startConsoleStack({
      console: {
        smtp: { url: smtp.url, from: 'Manifold <noreply@manifold.test>' },
        // One proxy in front: X-Forwarded-For names the caller, so a test can come from many addresses.
        trustProxy: 1,
        lockout: { maxFailures: 3, lockMs: LOCK_MS },
        throttleLimits: {
          maxFailuresPerAddress: 5,
          addressWindowMs: 15 * 60 * 1000,
          maxFailuresGlobal: GLOBAL_MAX,
          globalWindowMs: 15 * 60 * 1000,
        },
      },
    });
    expect((await new ConsoleClient(stack.console.url).setup(OWNER, PASSWORD, 'alpha')).status).toBe(201);
  }, 60_000);

  afterAll(async () => {
    await stack?.stop();
    await smtp?.stop();
  });

  const signIn = (email: string, password: string, address: string) => {
    const client = new ConsoleClient(stack.console.url);
    return client.call<{ error?: { code: string; message: string } }>(
      'POST',
      '/auth/signin',
      { email, password },
      { 'x-forwarded-for': address },
    );
  };

  it('locks an account after wrong passwords from many addresses, says so, and mails its owner', async () => {
    // An email without an account locks the same way (nothing tells which emails have accounts).
    for (const [i, expected] of [401, 401, 429].entries()) {
      expect((await signIn('nobody@alpha.test', `guess ${i}`, `10.0.1.${i}`)).status).toBe(expected);
    }
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(await signIn(OWNER, `guess ${i}`, `10.0.0.${i}`));
    failuresSoFar += 6;
    expect(answers.map((a) => a.status)).toEqual([401, 401, 429]);
    expect(answers[2]!.body.error?.message).toMatch(
      /^this account is locked for 1 min after too many wrong passwords; its owner has been sent an email/,
    );
    // Locked: even the right password, from an address never seen, is refused until the lock ends.
    const right = await signIn(OWNER, PASSWORD, '10.0.0.99');
    expect(right.status).toBe(429);
    expect(Number(right.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(right.headers['retry-after'])).toBeLessThanOrEqual(LOCK_MS / 1000);

    const mail = await smtp.waitFor((m) => m.to.includes(OWNER));
    expect(mail.subject).toBe('Manifold: your account was locked after wrong passwords');
    expect(mail.text).toContain('the last attempt\ncame from 10.0.0.2');
    expect(smtp.mails.filter((m) => m.to.includes(OWNER))).toHaveLength(1);
    expect(smtp.mails.filter((m) => m.to.includes('nobody@alpha.test'))).toEqual([]);

    // The lock ends by itself.
    const deadline = Date.now() + 30_000;
    let status = 0;
    while (Date.now() < deadline && status !== 200) {
      status = (await signIn(OWNER, PASSWORD, '10.0.0.99')).status;
      if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(status).toBe(200);
  });

  it('pauses sign-in for everyone after too many wrong passwords across the console', async () => {
    // Different emails from different addresses: no account or address limit is reached.
    for (let i = failuresSoFar; i < GLOBAL_MAX; i++) {
      expect((await signIn(`user${i}@alpha.test`, 'a wrong password', `10.0.2.${i}`)).status).toBe(401);
    }
    const paused = await signIn(OWNER, PASSWORD, '10.0.3.1');
    expect(paused.status).toBe(429);
    expect(paused.body.error?.message).toMatch(/sign-in is paused for everyone/);
    expect(Number(paused.headers['retry-after'])).toBeGreaterThan(0);
  });
});
