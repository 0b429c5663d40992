// Creating a generic webhook source in Chromium: the new-source form's mapping part (a path per
// common field, directives for the rest), its "test with a sample payload" preview (run by the
// control plane with ingestion's own mapping code, so problems come back by field), the source
// saved with that mapping, and the same sample delivered to ingestion giving the event the
// preview showed (in the source's live debugger).
import { rmSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { requireKafka, testInfrastructure } from '@manifold/testing';
import { ConsoleClient } from '../testing/http-client';
import { buildWebApp, collectCspViolations, expectText, launchChromium, signInAs } from '../testing/browser';
import { startConsoleStack, type ConsoleStack } from '../testing/stack';

const OWNER = 'owner@helpdesk.test';
const PASSWORD = 'a long passphrase';
const SAMPLE = JSON.stringify({
  type: 'Ticket Created',
  requester: { id: 'r-9' },
  ticket: { id: 7, priority: 'high' },
});

jest.setTimeout(120_000);

describe('a generic webhook source from the console', () => {
  let stack: ConsoleStack;
  let browser: Browser;
  let page: Page;
  let webRoot: string;
  let url: string;
  let api: ConsoleClient;
  let cspViolations: string[] = [];

  beforeAll(async () => {
    await requireKafka(testInfrastructure().kafkaBrokers);
    webRoot = buildWebApp();
    stack = await startConsoleStack({ catalog: 'default', dataPlane: {}, webRoot });
    url = stack.console.url;
    api = new ConsoleClient(url);
    expect((await api.setup(OWNER, PASSWORD, 'acme', 'Acme')).status).toBe(201);
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

  it('maps a sample payload, shows problems by field, creates the source, and ingestion makes the same event', async () => {
    await page.goto(`${url}/acme/sources`);
    await page.getByRole('button', { name: 'Add source' }).click();
    await page.fill('#source-name', 'Helpdesk');
    await page.selectOption('#source-type', 'webhook');
    await page.selectOption('#source-webhook-kind', 'generic');
    await page.fill('#generic-event', '$.type');
    await page.fill('#generic-userId', '$.requester.id');
    await page.fill('#generic-properties', '$.ticket');
    await page.fill('#generic-sample', SAMPLE);

    // Directives that are not JSON: said at once, nothing can be sent.
    await page.fill('#generic-directives', '{"type": ');
    await expectText(page, '#generic-directives-error', 'not JSON');
    expect(await page.getByRole('button', { name: 'Test with sample payload' }).isDisabled()).toBe(true);
    expect(await page.getByRole('button', { name: 'Create source' }).isDisabled()).toBe(true);

    // A call type that is neither a name nor a directive: the control plane's check, at its field.
    await page.fill('#generic-directives', '{"type": 42}');
    await page.getByRole('button', { name: 'Test with sample payload' }).click();
    await expectText(page, '#generic-directives-error', 'type: must be a call type');

    await page.fill('#generic-directives', '{"type": "track", "context": {"app": {"name": "Helpdesk"}}}');
    await page.getByRole('button', { name: 'Test with sample payload' }).click();
    const preview = JSON.parse(await page.locator('pre[aria-label="Mapping preview"]').innerText()) as Record<
      string,
      unknown
    >;
    expect(preview).toEqual({
      type: 'track',
      event: 'Ticket Created',
      userId: 'r-9',
      properties: { id: 7, priority: 'high' },
      context: { app: { name: 'Helpdesk' } },
      messageId: expect.stringMatching(/^webhook-[0-9a-f]{32}$/),
    });

    await page.getByRole('button', { name: 'Create source' }).click();
    await page.waitForURL('**/acme/sources/helpdesk');
    const saved = await api.call<{
      id: string;
      webhook: { kind: string; mapping: Record<string, unknown>; path: string };
    }>('GET', '/api/v1/workspaces/acme/sources/helpdesk');
    expect(saved.body.webhook).toEqual({
      kind: 'generic',
      // A generic app's retries are unknown: the Tracking API's 24 h.
      duplicateWindowSeconds: 86_400,
      path: `/v1/webhook/${saved.body.id}`,
      mapping: {
        event: { '@path': '$.type' },
        userId: { '@path': '$.requester.id' },
        properties: { '@path': '$.ticket' },
        type: 'track',
        context: { app: { name: 'Helpdesk' } },
      },
    });
    await expectText(page, '[data-testid=debugger-state]', 'live');

    // The sample itself, delivered: ingestion makes the event the preview showed (same messageId).
    const deliver = async () =>
      (await fetch(`${stack.dataPlane!.url}${saved.body.webhook.path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: SAMPLE,
      }).then((r) => r.json())) as { success?: boolean };
    for (const deadline = Date.now() + 20_000; !(await deliver()).success;) {
      if (Date.now() > deadline) throw new Error('ingestion did not take the webhook source within 20 s');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const entry = page.locator('[data-testid=debugger-events] li[data-status=accepted]').first();
    await expectText(page, '[data-testid=debugger-events] li[data-status=accepted]', 'Ticket Created');
    await entry.locator('button.debugger-row').click();
    const event = JSON.parse(await entry.locator('pre.json').innerText()) as Record<string, unknown>;
    expect(event).toMatchObject({
      type: 'track',
      event: 'Ticket Created',
      userId: 'r-9',
      messageId: preview['messageId'],
      properties: { id: 7, priority: 'high' },
    });
    expect(cspViolations).toEqual([]);
  });
});
