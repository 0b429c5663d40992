// Joining a workspace by invitation in a real browser (Debian's Chromium), on a console that mails
// through a real SMTP server in this process, against a real control plane and FerretDB.
import { rmSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { freePort, startSmtpReceiver, waitFor, type SmtpReceiver } from '@manifold/testing';
import { buildWebApp, collectCspViolations, expectText, launchChromium, signInAs } from '../testing/browser';
import { ConsoleClient } from '../testing/http-client';
import { startConsoleStack, type ConsoleStack } from '../testing/stack';

const OWNER = 'owner@acme.test';
const PASSWORD = 'a long passphrase';
const NEWBIE = 'newbie@acme.test';
const NEWBIE_PASSWORD = 'newbie passphrase';

jest.setTimeout(120_000);

interface InlineScriptDocument {
  createElement(tag: 'script'): { textContent: string };
  head: { appendChild(node: unknown): void };
}

describe('invitations in a browser', () => {
  let stack: ConsoleStack;
  let smtp: SmtpReceiver;
  let browser: Browser;
  let webRoot: string;
  let consoleUrl: string;
  let api: ConsoleClient;
  const contexts: BrowserContext[] = [];
  const violations: string[][] = [];

  /** A browser of its own (no cookies shared), as each person here has. */
  async function person(): Promise<Page> {
    const context = await browser.newContext();
    contexts.push(context);
    violations.push(collectCspViolations(context));
    return context.newPage();
  }

  const linkIn = (text: string): string => {
    const link = /(http:\/\/\S+\/invite#\S+)/.exec(text)?.[1];
    if (!link) throw new Error(`no invitation link in mail: ${text}`);
    return link;
  };

  beforeAll(async () => {
    webRoot = buildWebApp();
    smtp = await startSmtpReceiver();
    // Mailed links use PUBLIC_URL, so the console gets its port before it starts.
    const port = await freePort();
    consoleUrl = `http://127.0.0.1:${port}`;
    stack = await startConsoleStack({
      webRoot,
      console: { port, publicUrl: consoleUrl, smtp: { url: smtp.url, from: 'Manifold <noreply@acme.test>' } },
    });
    browser = await launchChromium();
    api = new ConsoleClient(consoleUrl);
    expect((await api.setup(OWNER, PASSWORD, 'acme', 'Acme')).status).toBe(201);
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    await smtp?.stop();
    if (webRoot) rmSync(webRoot, { recursive: true, force: true });
  });

  it('mails an invitation; the invitee chooses their own password through the link and joins', async () => {
    const owner = await person();
    await signInAs(owner, consoleUrl, OWNER, PASSWORD);
    await owner.goto(`${consoleUrl}/acme/settings`);
    await owner.fill('#invite-email', NEWBIE);
    await owner.selectOption('#invite-role', 'member');
    await owner.getByRole('button', { name: 'Send invitation' }).click();
    await expectText(owner, '[data-testid=invitation-created]', `Invitation mailed to ${NEWBIE}`);
    // With SMTP the inviter never sees the link.
    expect(await owner.locator('[data-testid=invitation-link]').count()).toBe(0);
    await expectText(owner, '[aria-label="Pending invitations"]', NEWBIE);

    const mail = await smtp.waitFor((m) => m.to.includes(NEWBIE));
    expect(mail.subject).toBe(`Manifold: ${OWNER} invited you to Acme`);
    const link = linkIn(mail.text);
    expect(link.startsWith(`${consoleUrl}/invite#`)).toBe(true);

    const newbie = await person();
    await newbie.goto(link);
    await expectText(newbie, '[data-testid=invitation-summary]', `${OWNER} invited ${NEWBIE} as member`);
    await newbie.fill('#password', NEWBIE_PASSWORD);
    await newbie.fill('#password-confirm', 'a different passphrase');
    await newbie.getByRole('button', { name: 'Create account and join' }).click();
    await expectText(newbie, '#password-confirm-error', 'the two passwords differ');
    await newbie.fill('#password', 'short');
    await newbie.fill('#password-confirm', 'short');
    await newbie.getByRole('button', { name: 'Create account and join' }).click();
    await expectText(newbie, '#password-error', 'at least 10 characters');
    await newbie.fill('#password', NEWBIE_PASSWORD);
    await newbie.fill('#password-confirm', NEWBIE_PASSWORD);
    await newbie.getByRole('button', { name: 'Create account and join' }).click();
    await newbie.waitForURL('**/acme/sources');
    await expectText(newbie, '.workspace-name', 'member');

    // The link worked once.
    const again = await person();
    await again.goto(link);
    await expectText(again, 'h1', 'This invitation cannot be used');
    await expectText(again, '[role=alert]', 'accepted already');

    await owner.reload();
    await expectText(owner, '[aria-label="Members"]', NEWBIE);
    await expectText(owner, '[aria-label="Pending invitations"]', 'None.');
  });

  it('lets someone with an account accept only by signing in, never by choosing a password', async () => {
    expect((await api.signIn(OWNER, PASSWORD)).status).toBe(200);
    expect((await api.call('POST', '/api/v1/workspaces', { slug: 'labs', name: 'Labs' })).status).toBe(201);
    expect(
      (await api.call('POST', '/api/v1/workspaces/labs/invitations', { email: NEWBIE, role: 'read-only' })).status,
    ).toBe(201);
    const link = linkIn((await smtp.waitFor((m) => m.to.includes(NEWBIE) && m.subject.includes('Labs'))).text);

    // Someone else signed in is told so, and cannot accept.
    const owner = await person();
    await signInAs(owner, consoleUrl, OWNER, PASSWORD);
    await owner.goto(link);
    await expectText(owner, '[role=alert]', `You are signed in as ${OWNER}`);
    expect(await owner.locator('#password').count()).toBe(0);

    const newbie = await person();
    await newbie.goto(link);
    await expectText(newbie, '[aria-label=Invitation]', 'You have an account: sign in to accept.');
    expect(await newbie.locator('#password-confirm').count()).toBe(0);
    await newbie.fill('#password', 'not the passphrase');
    await newbie.getByRole('button', { name: 'Sign in and accept' }).click();
    await expectText(newbie, '[role=alert]', 'wrong email or password');
    await newbie.fill('#password', NEWBIE_PASSWORD);
    await newbie.getByRole('button', { name: 'Sign in and accept' }).click();
    await newbie.waitForURL('**/labs/sources');
    await expectText(newbie, '.workspace-name', 'read-only');
  });

  it('revokes an invitation: its mailed link stops working', async () => {
    const owner = await person();
    await signInAs(owner, consoleUrl, OWNER, PASSWORD);
    await owner.goto(`${consoleUrl}/acme/settings`);
    await owner.fill('#invite-email', 'maybe@acme.test');
    await owner.getByRole('button', { name: 'Send invitation' }).click();
    await expectText(owner, '[aria-label="Pending invitations"]', 'maybe@acme.test');
    const link = linkIn((await smtp.waitFor((m) => m.to.includes('maybe@acme.test'))).text);
    await owner.locator('[data-invitation="maybe@acme.test"] button', { hasText: 'Revoke' }).click();
    await expectText(owner, '[aria-label="Pending invitations"]', 'None.');

    const maybe = await person();
    await maybe.goto(link);
    await expectText(maybe, '[role=alert]', 'this invitation link is not valid');

    // Mailing the address again at once waits (one mail per address every 5 minutes), said at the field.
    await owner.fill('#invite-email', 'maybe@acme.test');
    await owner.getByRole('button', { name: 'Send invitation' }).click();
    await expectText(owner, '#invite-email-error', 'was sent an invitation less than 5 min ago: try again in');
    expect(smtp.mails.filter((m) => m.to.includes('maybe@acme.test'))).toHaveLength(1);
  });

  it('ran every page under the Content-Security-Policy, which the browser enforces', async () => {
    expect(violations.flat()).toEqual([]);
    // The policy is really in force: an inline script, which the app never uses, is refused and reported.
    const page = await person();
    await page.goto(`${consoleUrl}/signin`);
    const inlineRan = await page.evaluate(() => {
      const doc = (globalThis as unknown as { document: InlineScriptDocument }).document;
      const script = doc.createElement('script');
      script.textContent = 'globalThis.inlineRan = true';
      doc.head.appendChild(script);
      return (globalThis as { inlineRan?: boolean }).inlineRan === true;
    });
    expect(inlineRan).toBe(false);
    await waitFor(() => violations.flat().length > 0, 10_000, 'the page to report a CSP violation');
    expect(violations.flat().join('\n')).toMatch(
      /inline script violates the following Content Security Policy directive 'script-src 'self''/,
    );
  });
});
