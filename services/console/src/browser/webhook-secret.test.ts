// Rotating a webhook source's signing secret from its page in Chromium, against the real control
// plane and a data plane: with a grace period both secrets verify deliveries (the page says until
// when the old one does); "not at all" leaves only the new one. Each step is checked by signed
// Stripe deliveries to ingestion, not only by what the API reads back.
import { createHmac } from 'node:crypto';
import { rmSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { requireKafka, testInfrastructure } from '@manifold/testing';
import type { Source } from '../api/types';
import { ConsoleClient } from '../testing/http-client';
import { buildWebApp, collectCspViolations, expectText, launchChromium, signInAs } from '../testing/browser';
import { startConsoleStack, type ConsoleStack } from '../testing/stack';

const OWNER = 'owner@payments.test';
const PASSWORD = 'a long passphrase';
const FIRST = 'whsec_browser_first_1Xa';
const SECOND = 'whsec_browser_second_2Yb';
const THIRD = 'whsec_browser_third_3Zc';

jest.setTimeout(120_000);

/** A Stripe delivery signed with `secret` as Stripe signs (`t=<s>,v1=<hmac of "<t>.<body>">`). */
function stripeDelivery(secret: string, id: string): { body: string; signature: string } {
  const body = JSON.stringify({ id, type: 'customer.created', data: { object: { id: 'cus_1' } } });
  const t = Math.floor(Date.now() / 1000);
  const v1 = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
  return { body, signature: `t=${t},v1=${v1}` };
}

describe("a webhook source's signing secret, rotated from the console", () => {
  let stack: ConsoleStack;
  let browser: Browser;
  let page: Page;
  let webRoot: string;
  let url: string;
  let api: ConsoleClient;
  let cspViolations: string[] = [];
  let deliveries = 0;

  /** The status ingestion answers a delivery signed with `secret`. */
  const deliver = async (path: string, secret: string): Promise<number> => {
    const { body, signature } = stripeDelivery(secret, `evt_${++deliveries}_${Date.now()}`);
    const response = await fetch(`${stack.dataPlane!.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'stripe-signature': signature },
      body,
    });
    await response.arrayBuffer();
    return response.status;
  };
  /** Waits until ingestion's view of the source gives `expected` for `secret` (config reaches it by a stream). */
  const expectVerdict = async (path: string, secret: string, expected: 'accepted' | 'refused') => {
    let status = 0;
    for (const deadline = Date.now() + 20_000; Date.now() < deadline;) {
      status = await deliver(path, secret);
      if ((status === 200) === (expected === 'accepted')) return;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(`a delivery signed with ${secret.slice(0, 14)}… answered ${status}, expected it ${expected}`);
  };

  beforeAll(async () => {
    await requireKafka(testInfrastructure().kafkaBrokers);
    webRoot = buildWebApp();
    stack = await startConsoleStack({ catalog: 'default', dataPlane: {}, webRoot });
    url = stack.console.url;
    api = new ConsoleClient(url);
    expect((await api.setup(OWNER, PASSWORD, 'pay', 'Payments')).status).toBe(201);
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
    cspViolations = collectCspViolations(context);
    page = await context.newPage();
    await signInAs(page, url, OWNER, PASSWORD);
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    if (webRoot) rmSync(webRoot, { recursive: true, force: true });
  });

  it('keeps the old secret for the grace period chosen, and drops it at once when asked', async () => {
    const created = await api.call<Source>('POST', '/api/v1/workspaces/pay/sources', {
      slug: 'stripe',
      name: 'Stripe',
      type: 'webhook',
      category: 'cloud app',
      webhook: { kind: 'stripe', signingSecret: FIRST },
    });
    expect(created.status).toBe(201);
    const hookPath = created.body.webhook?.path ?? '';
    await expectVerdict(hookPath, FIRST, 'accepted');
    await expectVerdict(hookPath, SECOND, 'refused');

    await page.goto(`${url}/pay/sources/stripe`);
    const form = page.getByRole('form', { name: 'Rotate signing secret' });
    await form.getByLabel('New signing secret').fill(SECOND);
    await form.getByLabel('The current secret is still accepted for').selectOption({ label: '1 hour' });
    const before = Date.now();
    await form.getByRole('button', { name: 'Rotate signing secret' }).click();
    await expectText(page, '[data-testid=previous-secret]', 'still accepted until');
    // The field is emptied: the secret is never shown back.
    expect(await form.getByLabel('New signing secret').inputValue()).toBe('');

    const read = await api.call<Source>('GET', '/api/v1/workspaces/pay/sources/stripe');
    expect(read.body.webhook).toMatchObject({ signingSecret: '********', previousSigningSecret: '********' });
    const until = Date.parse(read.body.webhook?.previousSigningSecretExpiresAt ?? '');
    expect(until).toBeGreaterThanOrEqual(before + 3600_000 - 5_000);
    expect(until).toBeLessThanOrEqual(Date.now() + 3600_000 + 5_000);
    expect(JSON.stringify(read.body)).not.toContain('whsec_');
    await expectVerdict(hookPath, SECOND, 'accepted');
    await expectVerdict(hookPath, FIRST, 'accepted');

    // A leaked secret: replaced with no grace, and the one kept by the last rotation goes too.
    await form.getByLabel('New signing secret').fill(THIRD);
    await form
      .getByLabel('The current secret is still accepted for')
      .selectOption({ label: 'not at all (replace it now)' });
    await form.getByRole('button', { name: 'Rotate signing secret' }).click();
    await page.locator('[data-testid=previous-secret]').waitFor({ state: 'detached' });
    await expectVerdict(hookPath, THIRD, 'accepted');
    await expectVerdict(hookPath, SECOND, 'refused');
    await expectVerdict(hookPath, FIRST, 'refused');
    expect(cspViolations).toEqual([]);
  });

  it('lets a source without a secret get one, after which unsigned deliveries are refused', async () => {
    const created = await api.call<Source>('POST', '/api/v1/workspaces/pay/sources', {
      slug: 'unsigned',
      name: 'Unsigned',
      type: 'webhook',
      category: 'cloud app',
      webhook: { kind: 'stripe' },
    });
    expect(created.status).toBe(201);
    const hookPath = created.body.webhook?.path ?? '';
    await expectVerdict(hookPath, 'any', 'accepted');

    await page.goto(`${url}/pay/sources/unsigned`);
    await expectText(page, 'section[aria-label="Webhook URL"]', 'not verified');
    const form = page.getByRole('form', { name: 'Set signing secret' });
    // No grace period to choose: there is no secret to keep.
    expect(await form.getByLabel('The current secret is still accepted for').count()).toBe(0);
    await form.getByLabel('Signing secret').fill(FIRST);
    await form.getByRole('button', { name: 'Set signing secret' }).click();
    await expectText(page, 'section[aria-label="Webhook URL"]', 'checked against the signing secret');
    await expectVerdict(hookPath, FIRST, 'accepted');
    await expectVerdict(hookPath, 'whsec_wrong', 'refused');
  });
});
