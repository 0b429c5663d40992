// The Reverse ETL runs history in Chromium and over REST, against a real control plane, Kafka, a
// DuckDB warehouse, a real warehouse loader running the model and a real translator delivering its
// rows to a webhook receiver that refuses two of them: the run ends once every row has an outcome,
// with its counts per change kind and outcome, and the refused rows named with their (masked) reasons.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { WebhookEmulator } from '@manifold/emulators';
import { eventually, requireKafka, testInfrastructure } from '@manifold/testing';
import type { LoaderApp } from '@manifold/warehouse-loader';
import type { ReverseEtlRun } from '../api/types';
import { ConsoleClient } from '../testing/http-client';
import { buildWebApp, collectCspViolations, expectText, launchChromium, signInAs } from '../testing/browser';
import { startReverseEtlLoader } from '../testing/reverse-etl-loader';
import { startConsoleStack, type ConsoleStack } from '../testing/stack';

const OWNER = 'owner@retl-runs.test';
const PASSWORD = 'a long passphrase';
/** The receiver's token: in its URL, and echoed in its refusals; never shown. */
const SECRET = 'sk-live-R7t2Pq9Wz4';
const REFUSED = new Set([3, 7]);

jest.setTimeout(240_000);

describe('Reverse ETL run deliveries', () => {
  let stack: ConsoleStack;
  let browser: Browser;
  let page: Page;
  let webRoot: string;
  let api: ConsoleClient;
  let receiver: WebhookEmulator;
  let loader: LoaderApp | undefined;
  let cspViolations: string[];
  const base = '/api/v1/workspaces/crm/reverse-etl';

  beforeAll(async () => {
    await requireKafka(testInfrastructure().kafkaBrokers);
    webRoot = buildWebApp();
    receiver = await new WebhookEmulator({
      refuse: (body) => {
        const id = (body as { id?: unknown }).id;
        return typeof id === 'number' && REFUSED.has(id) ? `account ${id} is closed (token ${SECRET})` : undefined;
      },
    }).start();
    stack = await startConsoleStack({ catalog: 'default', dataPlane: { translatorTypes: ['webhook'] }, webRoot });
    api = new ConsoleClient(stack.console.url);
    expect((await api.setup(OWNER, PASSWORD, 'crm', 'CRM')).status).toBe(201);
    for (const body of [
      {
        name: 'Lake',
        catalogId: 'duckdb',
        settings: { path: join(mkdtempSync(join(tmpdir(), 'console-retl-runs-')), 'lake.duckdb') },
        enabled: false,
      },
      { name: 'Hook', catalogId: 'webhook', settings: { url: `${receiver.baseUrl}/in?token=${SECRET}` } },
    ]) {
      expect((await api.call('POST', '/api/v1/workspaces/crm/destinations', body)).status).toBe(201);
    }
    // Waits for the deliveries (the translator answers within seconds).
    loader = await startReverseEtlLoader(stack, { delivered: true, deliveryTimeoutMs: 180_000 });
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
    cspViolations = collectCspViolations(context);
    page = await context.newPage();
    await signInAs(page, stack.console.url, OWNER, PASSWORD);
  });

  afterAll(async () => {
    await browser?.close();
    await loader?.stop();
    await stack?.stop();
    await receiver?.close();
    if (webRoot) rmSync(webRoot, { recursive: true, force: true });
  });

  it('shows a run delivered with its counts per kind and outcome, and the refused rows with their reasons', async () => {
    const created = await api.call<{ id: string }>('POST', `${base}/models`, {
      name: 'Accounts',
      warehouse: 'Lake',
      sql: "SELECT i AS id, 'tier-' || (i % 3) AS tier FROM range(10) AS t(i)",
      identifierColumn: 'id',
    });
    expect(created.status).toBe(201);
    const model = `${base}/models/${created.body.id}`;
    const connected = await api.call('POST', `${model}/connections`, {
      destination: 'Hook',
      changeKinds: ['added', 'updated'],
      action: 'send',
      fields: { data: { '@path': '$.properties' } },
    });
    expect(connected.status).toBe(201);
    // The translator routes the model's events once the instance's new mapping reached it.
    await eventually(
      async () => stack.dataPlane!.configView.destinationsForSource(created.body.id).length > 0,
      (known) => known,
      20_000,
    );
    expect((await api.call('POST', `${model}/run`)).status).toBe(200);

    const [run] = await eventually(
      async () => (await api.call<{ runs: ReverseEtlRun[] }>('GET', `${model}/runs`)).body.runs,
      (runs) => runs[0]?.status === 'succeeded' || runs[0]?.status === 'failed',
      120_000,
    );
    expect(run).toMatchObject({
      status: 'succeeded',
      published: { added: 10, updated: 0, deleted: 0 },
      expectedDeliveries: 10,
      missingDeliveries: 0,
      deliveries: {
        delivered: { added: 8, updated: 0, deleted: 0 },
        failed: { added: 0, updated: 0, deleted: 0 },
        deadLettered: { added: 2, updated: 0, deleted: 0 },
        filtered: { added: 0, updated: 0, deleted: 0 },
      },
    });
    const failed = [...(run?.failedRows ?? [])].sort((a, b) => a.key.localeCompare(b.key));
    expect(failed.map(({ key, changeKind, outcome, reason }) => ({ key, changeKind, outcome, reason }))).toEqual([
      { key: '3', changeKind: 'added', outcome: 'dead_lettered', reason: 'http_400' },
      { key: '7', changeKind: 'added', outcome: 'dead_lettered', reason: 'http_400' },
    ]);
    expect(failed[0]?.message).toContain('account 3 is closed');
    // Named as the rest of the product names destinations: by name, with the id.
    expect(failed[0]?.destinationName).toBe('Hook');
    expect(failed[0]?.destinationId).toMatch(/\S/);
    expect(JSON.stringify(run)).not.toContain(SECRET);
    // Only the connection's requests (the rows): the instance's preset mappings, which match every
    // track, take no row change (the receiver keeps what it accepted: each row but the refused, once).
    const rows = receiver.deliveries.map((d) => d.body as { id?: number });
    expect(rows.map((b) => b.id).sort((x, y) => (x as number) - (y as number))).toEqual([0, 1, 2, 4, 5, 6, 8, 9]);

    await page.goto(`${stack.console.url}/crm/reverse-etl/${created.body.id}`);
    await page.waitForSelector('[data-testid=model-run]:has-text("succeeded")', { timeout: 60_000 });
    await expectText(page, '[data-testid=run-deliveries] [data-outcome=delivered]', 'delivered: +8 ~0 −0');
    await expectText(page, '[data-testid=run-deliveries] [data-outcome=deadLettered]', 'dead-lettered: +2 ~0 −0');
    await expectText(page, '[data-testid=run-failed-rows] summary', '2 failed rows');
    await page.click('[data-testid=run-failed-rows] summary');
    const failedRows = page.locator('[data-testid=run-failed-row]');
    expect(await failedRows.count()).toBe(2);
    const shown = (await failedRows.allInnerTexts()).join('\n');
    expect(shown).toMatch(/3\s+added/);
    expect(shown).toMatch(/7\s+added/);
    expect(shown).toContain('http_400');
    expect(shown).toContain('account 7 is closed');
    expect(shown).toContain(`Hook (${failed[0]?.destinationId})`);
    expect(shown).not.toContain(SECRET);
    expect(cspViolations).toEqual([]);
  });
});
