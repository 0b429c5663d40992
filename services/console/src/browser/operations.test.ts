// Dead letters, redrive, replays and per-event traces in a real browser (Debian's Chromium)
// against the real console, control plane, ingestion, translator, Kafka and FerretDB.
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { WebhookEmulator } from '@manifold/emulators';
import { eventually, requireKafka, testInfrastructure } from '@manifold/testing';
import type { DeadLetterPage } from '../api/types';
import { ConsoleClient, sendBatch } from '../testing/http-client';
import { buildWebApp, collectCspViolations, expectText, launchChromium, signInAs } from '../testing/browser';
import { startConsoleStack, type ConsoleStack } from '../testing/stack';

const OWNER = 'owner@ops.test';
const PASSWORD = 'a long passphrase';
const SECRET = 'browser-signing-secret';
const SCREENSHOTS =
  process.env['CONSOLE_SCREENSHOTS'] === '1' ? join(__dirname, '..', '..', 'docs', 'screenshots') : undefined;

jest.setTimeout(180_000);

async function shot(page: Page, name: string): Promise<void> {
  if (!SCREENSHOTS) return;
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

describe('dead letters, replays and traces in a browser', () => {
  let stack: ConsoleStack;
  let browser: Browser;
  let page: Page;
  let webRoot: string;
  let hook: WebhookEmulator;
  let owner: ConsoleClient;
  let destination = '';
  let writeKey = '';
  let cspViolations: string[] = [];
  const ids = ['one', 'two', 'three'].map((n) => `br-${n}-${Date.now()}`);

  const delivered = (): string[] => hook.deliveries.map((d) => (d.body as { messageId: string }).messageId);
  const send = (events: Array<Record<string, unknown>>): Promise<void> =>
    sendBatch(stack.dataPlane!.url, writeKey, events);

  beforeAll(async () => {
    await requireKafka(testInfrastructure().kafkaBrokers);
    webRoot = buildWebApp();
    hook = await new WebhookEmulator({ sharedSecret: SECRET }).start();
    stack = await startConsoleStack({ catalog: 'default', dataPlane: { translatorTypes: ['webhook'] }, webRoot });
    owner = new ConsoleClient(stack.console.url);
    expect((await owner.setup(OWNER, PASSWORD, 'ops', 'Ops')).status).toBe(201);
    const source = await owner.call<{ writeKeys: Array<{ key: string }> }>('POST', '/api/v1/workspaces/ops/sources', {
      slug: 'web',
      name: 'Web',
    });
    writeKey = source.body.writeKeys[0]!.key;
    const created = await owner.call<{ id: string }>('POST', '/api/v1/workspaces/ops/destinations', {
      name: 'Hook',
      catalogId: 'webhook',
      settings: { url: `${hook.baseUrl}/in`, sharedSecret: SECRET },
      sources: ['web'],
    });
    destination = created.body.id;
    await eventually(
      async () => stack.dataPlane!.configView.destination(destination)?.enabled,
      (e) => e === true,
    );
    // The destination rejects three events: they are dead-lettered.
    hook.failFor(600_000, { status: 400, body: { error: `rejected, ${SECRET}` } });
    await send(ids.map((messageId, i) => ({ type: 'track', event: 'Signed Up', userId: `u${i}`, messageId })));
    await eventually(
      () => owner.call<DeadLetterPage>('GET', `/api/v1/workspaces/ops/destinations/${destination}/dead-letters`),
      (r) => r.body.totalCount === 3,
    );
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
    cspViolations = collectCspViolations(context);
    page = await context.newPage();
    page.on('dialog', (dialog) => void dialog.accept());
    await signInAs(page, stack.console.url, OWNER, PASSWORD);
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    await hook?.close();
    if (webRoot) rmSync(webRoot, { recursive: true, force: true });
  });

  it('browses dead letters with their masked request and answer, and redrives selected ones, then all', async () => {
    await page.goto(`${stack.console.url}/ops/destinations/${destination}`);
    await page.getByRole('link', { name: 'Dead letters' }).click();
    await page.waitForURL('**/dead-letters');
    await expectText(page, '[data-testid=dead-letter-count]', '3 matching');
    await page.getByLabel('Reason').selectOption('REJECTED');
    await expectText(page, '[data-testid=dead-letter-count]', '3 matching');
    await page.getByLabel('Reason').selectOption('RETRIES_EXHAUSTED');
    await expectText(page, '[data-testid=dead-letter-count]', '0 matching');
    await page.getByLabel('Reason').selectOption('');
    await page.locator(`[data-message-id="${ids[0]}"] button`).click();
    await expectText(page, '[aria-label="Last request and answer"]', 'HTTP 400');
    await expectText(page, '[aria-label="Last request and answer"] .headers', 'x-signature********');
    const text = (await page.textContent('main')) ?? '';
    expect(text).toContain(ids[0]!);
    expect(text).not.toContain(SECRET);
    await shot(page, 'dead-letters');

    hook.clearFailures();
    await page.getByLabel(`Select ${ids[0]}`).check();
    await page.getByRole('button', { name: 'Redrive selected (1)' }).click();
    await expectText(page, '[data-testid=redrive-status]', 'done');
    await expectText(page, '[data-testid=dead-letter-count]', '2 matching');
    await page.getByRole('button', { name: 'Redrive all matching' }).click();
    await expectText(page, '[data-testid=dead-letter-count]', '0 matching');
    await page.waitForFunction(() =>
      Array.from(
        (
          globalThis as unknown as {
            document: { querySelectorAll(s: string): ArrayLike<{ textContent: string | null }> };
          }
        ).document.querySelectorAll('[data-testid=redrive-status]'),
      ).every((el) => el.textContent === 'done'),
    );
    await expectText(page, '[data-testid=redrives]', 'owner@ops.test');
    await eventually(
      async () => delivered().filter((id) => ids.includes(id)).length,
      (n) => n === 3,
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    for (const id of ids) expect(delivered().filter((d) => d === id)).toHaveLength(1);
  });

  it('traces an event from its dead letter: refused, then delivered by the redrive', async () => {
    await page.getByLabel('Also redriven ones').check();
    await page.getByRole('link', { name: ids[1]! }).click();
    await page.waitForURL(`**/ops/traces/${ids[1]}`);
    await expectText(page, '[data-testid=trace-received]', 'track "Signed Up" from Web');
    await expectText(page, '[data-testid=trace-destination]', 'Hook');
    await page.waitForSelector('[data-testid=trace-step][data-outcome=failed]');
    await page.waitForSelector('[data-testid=trace-step][data-outcome=delivered]');
    await expectText(page, '[data-testid=trace-step][data-outcome=delivered]', 'redrive');
    await page.locator('[data-testid=trace-step][data-outcome=failed] button').click();
    await expectText(page, '[data-testid=trace-step][data-outcome=failed]', 'HTTP 400');
    expect((await page.textContent('main')) ?? '').not.toContain(SECRET);
    await shot(page, 'event-trace');
    // A messageId nobody recorded.
    await page.getByLabel('messageId').fill('nobody-sent-this');
    await page.getByRole('button', { name: 'Trace' }).click();
    await expectText(page, '[data-testid=trace-not-found]', 'No destination recorded nobody-sent-this');
  });

  it('opens the trace of an event from the live debugger', async () => {
    await page.goto(`${stack.console.url}/ops/sources/web`);
    await expectText(page, '[data-testid=debugger-state]', 'live');
    const live = `br-live-${Date.now()}`;
    await send([{ type: 'track', event: 'Live Event', userId: 'u9', messageId: live }]);
    await page.waitForSelector('[data-testid=debugger-events] li[data-status=accepted] [data-testid=debugger-trace]');
    await page.locator('[data-testid=debugger-trace]').first().click();
    await page.waitForURL(`**/ops/traces/${live}`);
    await expectText(page, '[data-testid=trace-received]', 'track "Live Event" from Web');
    await page.waitForSelector('[data-testid=trace-step][data-outcome=delivered]');
  });

  it('replays the last hour to the destination (duplicates absorbed), and cancels a slow replay', async () => {
    const before = delivered().length;
    await page.getByRole('link', { name: 'Replays' }).click();
    await page.waitForURL('**/ops/replays');
    // The page also has the quarantine replays' form: the replay's own is the one meant.
    const form = page.getByRole('region', { name: 'New replay' });
    await form.getByLabel('Source').selectOption({ label: 'Web' });
    await form.getByLabel('Destination or warehouse').selectOption({ label: 'Hook' });
    await page.getByRole('button', { name: 'Start replay' }).click();
    await expectText(page, '[data-testid=replay-status]', 'done');
    await expectText(page, '[data-testid=replay]', '4 not sent');
    await expectText(page, '[data-testid=replay-sent]', 'track 4');
    expect(delivered()).toHaveLength(before);
    await shot(page, 'replays');

    // More events, and a replay of them at one a second: cancelled while it runs.
    await send(
      Array.from({ length: 15 }, (_, i) => ({
        type: 'track',
        event: 'Bulk',
        userId: `b${i}`,
        messageId: `bulk-${i}-${Date.now()}`,
      })),
    );
    await eventually(
      async () => delivered().length,
      (n) => n === before + 15,
    );
    await form.getByLabel('Events per second at most').fill('1');
    await page.getByRole('button', { name: 'Start replay' }).click();
    await page.locator('[data-testid=replay]').first().getByRole('button', { name: 'Cancel' }).click();
    await page.waitForFunction(
      () =>
        (
          globalThis as unknown as { document: { querySelector(s: string): { textContent: string | null } | null } }
        ).document.querySelector('[data-testid=replay] [data-testid=replay-status]')?.textContent === 'stopped',
      undefined,
      { timeout: 30_000 },
    );
    await expectText(page, '[data-testid=replay]', 'by owner@ops.test');
    expect(cspViolations).toEqual([]);
  });
});
