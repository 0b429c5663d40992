// The Reverse ETL page in Chromium, against a real control plane, Kafka, a DuckDB warehouse and a
// real warehouse loader running the models: a model written and previewed (a query too heavy for
// the preview's time limit stopped, then its first rows and count), created, connected to a destination in the mapping editor (the model's columns offered,
// the server's and the editor's problems on their field), run now, and its run shown with its
// counts; the connection changed in the same editor; the Sources page lists the model in its one
// table as a source of category "Reverse ETL".
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { requireKafka, testInfrastructure } from '@manifold/testing';
import type { LoaderApp } from '@manifold/warehouse-loader';
import { ConsoleClient } from '../testing/http-client';
import { buildWebApp, collectCspViolations, expectText, launchChromium, signInAs } from '../testing/browser';
import { startReverseEtlLoader } from '../testing/reverse-etl-loader';
import { startConsoleStack, type ConsoleStack } from '../testing/stack';

const OWNER = 'owner@retl-ui.test';
const PASSWORD = 'a long passphrase';

jest.setTimeout(240_000);

describe('the Reverse ETL page in a browser', () => {
  let stack: ConsoleStack;
  let browser: Browser;
  let page: Page;
  let webRoot: string;
  let loader: LoaderApp | undefined;
  let cspViolations: string[];

  beforeAll(async () => {
    await requireKafka(testInfrastructure().kafkaBrokers);
    webRoot = buildWebApp();
    // A preview limit short enough for the heavy query below; the others take milliseconds.
    stack = await startConsoleStack({ catalog: 'default', dataPlane: {}, webRoot, previewTimeoutMs: 5000 });
    const api = new ConsoleClient(stack.console.url);
    expect((await api.setup(OWNER, PASSWORD, 'crm', 'CRM')).status).toBe(201);
    for (const body of [
      {
        name: 'Lake',
        catalogId: 'duckdb',
        settings: { path: join(mkdtempSync(join(tmpdir(), 'console-retl-ui-')), 'lake.duckdb') },
        enabled: false,
      },
      { name: 'Hook', catalogId: 'webhook', settings: { url: 'https://hooks.example.com/in' } },
      { name: 'Members', catalogId: 'iterable', settings: { apiKey: 'it-key-0123456789' } },
    ]) {
      expect((await api.call('POST', '/api/v1/workspaces/crm/destinations', body)).status).toBe(201);
    }
    loader = await startReverseEtlLoader(stack);
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    cspViolations = collectCspViolations(context);
    page = await context.newPage();
    await signInAs(page, stack.console.url, OWNER, PASSWORD);
  });

  afterAll(async () => {
    await browser?.close();
    await loader?.stop();
    await stack?.stop();
    if (webRoot) rmSync(webRoot, { recursive: true, force: true });
  });

  it('creates a model, previews it, connects it, runs it now and shows the run', async () => {
    await page.goto(`${stack.console.url}/crm/reverse-etl`);
    await expectText(page, 'main', 'No models yet.');
    await page.click('text=New model');
    await page.fill('#model-name', 'Accounts');
    // A query with no end in sight is stopped by the warehouse, and the editor says why.
    await page.fill('#model-sql', 'SELECT a.range AS id FROM range(1000000) a, range(1000000) b');
    await page.click('button:has-text("Preview")');
    await expectText(
      page,
      '[aria-label=Model]',
      "the query ran longer than the preview's limit of 5 s and was stopped",
    );

    await page.fill(
      '#model-sql',
      "SELECT i AS id, 'tier-' || (i % 3) AS tier, 'u' || i AS user_id FROM range(75) AS t(i) ORDER BY i",
    );
    await page.fill('#model-identifier', 'id');
    await page.click('button:has-text("Preview")');
    await expectText(page, '[data-testid=preview-count]', '75 rows (the first 50 shown)');
    expect(await page.locator('[aria-label=Preview] tbody tr').count()).toBe(50);
    await expectText(page, '[aria-label=Preview] tbody tr:nth-child(2)', 'tier-1');

    await page.click('button:has-text("Create model")');
    await page.waitForURL(/\/crm\/reverse-etl\/mdl_/);
    await expectText(page, 'h1', 'Accounts');

    // The connection's mapping editor: the destination's action with its fields (label, type,
    // required marker), whose "Event field" offers the model's columns from a preview of its query.
    const form = '[aria-label="New connection"]';
    const data = `${form} [data-field="data"]`;
    await expectText(page, `${form} #connection-new-action`, 'Send');
    await expectText(page, `${data} label`, 'Data *');
    await expectText(page, `${data} .badge`, 'object');
    await expectText(page, `${data} .badge-required`, 'required');
    await page.waitForFunction(() => {
      const options = (
        globalThis as unknown as { document: { querySelectorAll(s: string): ArrayLike<{ value: string }> } }
      ).document.querySelectorAll('#connection-new-paths option');
      const values = Array.from(options).map((o) => o.value);
      return values.includes('$.properties.id') && values.includes('$.properties.tier');
    });
    // A directive the server refuses: its problem is shown on the field, nothing is connected.
    await page.selectOption('#connection-new-field-data-kind', 'json');
    await page.fill('#connection-new-field-data-value', '{ "@case": { "operator": "title" } }');
    await page.click(`${form} button:has-text("Connect")`);
    await expectText(page, '[data-testid=connection-refused]', 'Not saved');
    await expectText(page, '#connection-new-field-data-value-error', '@case');
    expect(await page.locator('[aria-label=Connections] tbody tr').count()).toBe(0);
    // A value the editor cannot read is caught before anything is sent.
    await page.fill('#connection-new-field-data-value', '{ not json');
    await page.click(`${form} button:has-text("Connect")`);
    await expectText(page, '#connection-new-field-data-value-error', 'JSON');
    // The row as the body, picked from the offered paths.
    await page.selectOption('#connection-new-field-data-kind', 'path');
    await page.fill('#connection-new-field-data-value', '$.properties');
    await page.click(`${form} button:has-text("Connect")`);
    await expectText(page, '[aria-label=Connections] tbody', 'added, updated');
    await expectText(page, '[aria-label=Connections] tbody', 'Hook');
    await expectText(page, '[aria-label=Connections] tbody td[data-label=Fields]', '{"data":{"@path":"$.properties"}}');

    await page.click('button:has-text("Run now")');
    await page.waitForSelector('[data-testid=model-run]:has-text("succeeded")', { timeout: 60_000 });
    await expectText(page, '[data-testid=model-run]', '+75 ~0 −0');

    // Disabled, then enabled again: the connection is changed in place.
    await page.click('[aria-label=Connections] tbody button:has-text("Disable")');
    await expectText(page, '[aria-label=Connections] tbody', 'disabled');
    await page.click('[aria-label=Connections] tbody button:has-text("Enable")');
    await expectText(page, '[aria-label=Connections] tbody td[data-label=Status]', 'enabled');

    // Edited in the same editor: one column into the body, deletions sent too.
    await page.click('[aria-label=Connections] tbody button:has-text("Edit")');
    const edit = '[aria-label="Edit connection"]';
    await page.waitForSelector(edit);
    expect(await page.locator(`${edit} select[id$="-destination"]`).isDisabled()).toBe(true);
    await page.check(`${edit} label:has-text("deleted") input`);
    await page.selectOption(`${edit} [data-field="data"] select[id$="-kind"]`, 'json');
    await page.fill(`${edit} [data-field="data"] textarea`, '{ "tier": { "@path": "$.properties.tier" } }');
    await page.click(`${edit} button:has-text("Save connection")`);
    await expectText(page, '[aria-label=Connections] tbody', 'added, updated, deleted');
    await expectText(page, '[aria-label=Connections] tbody td[data-label=Fields]', '$.properties.tier');
    expect(await page.locator(edit).count()).toBe(0);

    // Each field named as a column (userId ~ user_id) starts mapped from it, shown before saving.
    await page.selectOption('#connection-new-destination', { label: 'Members' });
    await page.selectOption('#connection-new-action', 'updateUser');
    await page.waitForFunction(() => {
      const input = (
        globalThis as unknown as { document: { querySelector(s: string): { value: string } | null } }
      ).document.querySelector('#connection-new-field-userId-value');
      return input?.value === '$.properties.user_id';
    });
    expect(await page.inputValue('#connection-new-field-userId-kind')).toBe('path');
    await page.click(`${form} button:has-text("Connect")`);
    await expectText(
      page,
      '[aria-label=Connections] tbody td[data-label=Fields]',
      '{"userId":{"@path":"$.properties.user_id"}}',
    );

    // The Sources page: the model is a source of category "Reverse ETL" in its one list, found by
    // the category filter, linked to the model's page.
    await page.goto(`${stack.console.url}/crm/sources?columns=category,destinations,created_by&category=Reverse%20ETL`);
    await expectText(page, 'tbody td[data-column=name]', 'Accounts');
    await expectText(page, 'tbody td[data-column=category]', 'Reverse ETL');
    await expectText(page, 'tbody td[data-column=destinations]', 'Hook');
    // Who created the model, as for any source.
    await expectText(page, 'tbody td[data-column=created_by]', OWNER);
    await expectText(page, '[data-testid=row-count]', '1 row');
    await page.click('tbody td[data-column=name] a:has-text("Accounts")');
    await page.waitForURL(/\/crm\/reverse-etl\/mdl_/);
    await expectText(page, 'h1', 'Accounts');
    await page.goto(`${stack.console.url}/crm/reverse-etl`);
    await expectText(page, '[aria-label=Models] tbody td[data-label="Created by"]', OWNER);
    expect(cspViolations).toEqual([]);
  });
});
