// The destination page's event delivery view and the warehouses pages in Chromium, against a real
// control plane, ingestion and translator (Kafka, FerretDB), with webhook receivers that refuse
// connections or answer 400.
import { rmSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { WebhookEmulator } from '@manifold/emulators';
import { freePort, requireKafka, testInfrastructure } from '@manifold/testing';
import { ConsoleClient } from '../testing/http-client';
import { buildWebApp, collectCspViolations, expectText, launchChromium, signInAs } from '../testing/browser';
import { startConsoleStack, type ConsoleStack } from '../testing/stack';

const OWNER = 'owner@ops.test';
const PASSWORD = 'a long passphrase';
const SECRET = 'sk-live-9Qd7Lm2Xc4';

jest.setTimeout(180_000);

/** DELIVERY_SCREENSHOTS=<dir> keeps what the pages looked like. */
async function shot(page: Page, name: string): Promise<void> {
  const dir = process.env['DELIVERY_SCREENSHOTS'];
  if (dir) await page.screenshot({ path: `${dir}/${name}.png`, fullPage: true });
}

describe('event delivery and warehouse syncs in a browser', () => {
  let stack: ConsoleStack;
  let browser: Browser;
  let page: Page;
  let webRoot: string;
  let api: ConsoleClient;
  let receiver: WebhookEmulator;
  let writeKey: string;
  let cspViolations: string[];
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    await requireKafka(testInfrastructure().kafkaBrokers);
    webRoot = buildWebApp();
    receiver = await new WebhookEmulator().start();
    stack = await startConsoleStack({ catalog: 'default', dataPlane: { translatorTypes: ['webhook'] }, webRoot });
    api = new ConsoleClient(stack.console.url);
    expect((await api.setup(OWNER, PASSWORD, 'ops', 'Ops')).status).toBe(201);
    const source = await api.call<{ writeKeys: Array<{ key: string }> }>('POST', '/api/v1/workspaces/ops/sources', {
      slug: 'web',
      name: 'Website',
    });
    writeKey = source.body.writeKeys[0]!.key;
    const create = async (name: string, catalogId: string, settings: Record<string, unknown>) => {
      const created = await api.call<{ id: string }>('POST', '/api/v1/workspaces/ops/destinations', {
        name,
        catalogId,
        settings,
        sources: ['web'],
      });
      expect(created.status).toBe(201);
      ids[name] = created.body.id;
    };
    await create('Closed port', 'webhook', { url: `http://127.0.0.1:${await freePort()}/in` });
    await create('Rejecting', 'webhook', {
      url: `${receiver.baseUrl}/in?token=${SECRET}`,
      headers: { 'X-Api-Key': SECRET },
    });
    await create('Lake', 'postgres', { url: 'postgres://loader:pw@127.0.0.1:1/lake' });
    // The data plane picks the new destinations up from the config stream.
    const deadline = Date.now() + 20_000;
    while (!stack.dataPlane!.configView.destination(ids['Rejecting']!) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
    }
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
    cspViolations = collectCspViolations(context);
    page = await context.newPage();
    await signInAs(page, stack.console.url, OWNER, PASSWORD);
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    await receiver?.close();
    if (webRoot) rmSync(webRoot, { recursive: true, force: true });
  });

  async function track(event: string, properties: Record<string, unknown> = {}): Promise<void> {
    const response = await fetch(`${stack.dataPlane!.url}/v1/track`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`,
      },
      body: JSON.stringify({ userId: 'u-1', event, properties }),
    });
    expect(response.status).toBe(200);
  }

  it('shows why a destination that refuses connections receives nothing, within a minute', async () => {
    // The receiver refuses the first delivery for good; the closed port refuses every one.
    receiver.failNext(1, { status: 400, body: { error: `unknown key ${SECRET}`, field: 'properties.plan' } });
    const sent = Date.now();
    await track('Signed Up', { plan: 'pro', note: `pasted ${SECRET}` });
    await page.goto(`${stack.console.url}/ops/destinations/${ids['Closed port']}`);
    await page.waitForSelector('[aria-label="Delivery stats"] [role=status]', { timeout: 60_000 });
    await expectText(page, '[aria-label="Delivery stats"] [role=status]', 'Retrying: ECONNREFUSED');
    expect(Date.now() - sent).toBeLessThan(60_000);
    // One event retrying, however many attempts it takes.
    await expectText(page, '[data-testid=stat-retrying] .stat-value', '1');
    await expectText(page, '[aria-label="Reasons"] tbody', 'ECONNREFUSED');
    await expectText(page, '.sample[data-reason=ECONNREFUSED]', 'No answer:');
    await expectText(page, '.sample[data-reason=ECONNREFUSED]', 'track “Signed Up”');
    await page.getByRole('button', { name: 'Last 7 days' }).click();
    await expectText(page, '[data-testid=stat-retrying] .stat-value', '1');
    expect(await page.$$('.delivery-chart rect')).not.toHaveLength(0);
    await shot(page, 'delivery-refused');
  });

  it("shows a 400's answer with every secret of the destination masked", async () => {
    await page.goto(`${stack.console.url}/ops/destinations/${ids['Rejecting']}`);
    await expectText(page, '[data-testid=stat-failed] .stat-value', '1');
    const sample = '.sample[data-reason=http_400]';
    await expectText(page, sample, 'HTTP 400');
    await expectText(page, `${sample} [aria-label="Answer body"]`, 'unknown key ********');
    await expectText(page, `${sample} [aria-label="Request body"]`, 'pasted ********');
    await expectText(page, `${sample} .headers`, 'x-api-key********');
    expect(await page.content()).not.toContain(SECRET);
    expect(cspViolations).toEqual([]);
    await shot(page, 'delivery-400');
  });

  it('lists warehouses with their last and next sync, syncs on request, and shows loads in words on a narrow screen', async () => {
    const observability = stack.controlPlane.domain.observability;
    const workspaceId = (await api.call<{ id: string }>('GET', '/api/v1/workspaces/ops')).body.id;
    await observability.recordLoad({
      loadId: 'load-1',
      warehouseId: ids['Lake']!,
      workspaceId,
      sourceId: 'src',
      schema: 'web',
      status: 'failure',
      startedAt: '2026-06-10T10:00:07.000Z',
      finishedAt: '2026-06-10T10:00:09.500Z',
      events: 4,
      rowsByTable: {},
      rows: 0,
      tablesCreated: [],
      columnsAdded: [],
      notices: [
        {
          kind: 'reserved_name',
          table: 'tracks',
          column: 'received_at',
          path: 'properties.received_at_and_a_rather_long_property_name_that_must_wrap_somewhere',
          count: 3,
        },
      ],
      errors: ['connect ECONNREFUSED 127.0.0.1:1 (the warehouse did not answer; the load is retried with backoff)'],
      attempt: 1,
    });
    await observability.recordWarehouseStatus({
      warehouseId: ids['Lake']!,
      workspaceId,
      at: new Date().toISOString(),
      nextSyncAt: new Date(Date.now() + 3_600_000).toISOString(),
      pendingEvents: 4,
    });
    await page.goto(`${stack.console.url}/ops/warehouses`);
    const row = 'tr[data-warehouse=Lake]';
    await expectText(page, row, 'failure');
    await expectText(page, row, '2.5 s');
    await expectText(page, row, 'every 60 min');
    // Times to the second.
    expect(await page.textContent(`${row} td:nth-child(3)`)).toMatch(/\d{1,2}:\d\d:\d\d/);
    expect(await page.textContent(`${row} td:nth-child(6)`)).toMatch(/\d{1,2}:\d\d:\d\d/);
    await page.click(`${row} button:has-text("Sync now")`);
    await expectText(page, row, 'sync requested');
    await shot(page, 'warehouses');

    await page.setViewportSize({ width: 390, height: 800 });
    await page.click(`${row} a`);
    await expectText(page, '[aria-label="Load history"]', 'did not answer; the load is retried with backoff');
    await expectText(page, '[aria-label="Load history"]', 'is named like the system column received_at');
    await expectText(page, '[data-testid=next-sync]', 'sync requested');
    const overflow = await page.$eval('[aria-label="Load history"]', (card) => card.scrollWidth - card.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await shot(page, 'warehouse-narrow');
    expect(cspViolations).toEqual([]);
  });
});
