// The Tracking plans pages in Chromium, against a real control plane and ingestion (Kafka, FerretDB):
// a plan started from the paths observed on a source's events (generate), an event added and created as version
// 1; its schema edited in the table (a required number) and as JSON (a refused schema shown on its
// event, then fixed), the draft's diff reviewed and saved as version 2; version 2's changes shown in
// the history and version 1 restored (version 3); the source connected; then ingestion blocks an
// unplanned event as the restored plan says, and lets a planned one through, in the source's live
// debugger. The plan page fits a 390 px screen.
import { rmSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { eventually, requireKafka, testInfrastructure } from '@manifold/testing';
import { ConsoleClient } from '../testing/http-client';
import {
  buildWebApp,
  collectCspViolations,
  expectNoSideScroll,
  expectText,
  launchChromium,
  signInAs,
} from '../testing/browser';
import { startConsoleStack, type ConsoleStack } from '../testing/stack';

const OWNER = 'owner@plans-ui.test';
const PASSWORD = 'a long passphrase';

jest.setTimeout(240_000);

/** PLANS_SCREENSHOTS=<dir> keeps what the page looked like (the whole page). */
async function shot(page: Page, name: string): Promise<void> {
  const dir = process.env['PLANS_SCREENSHOTS'];
  if (dir) await page.screenshot({ path: `${dir}/${name}.png`, fullPage: true });
}

interface DebuggerEvents {
  events: Array<{ status: string; messageId?: string; plan?: { violations: Array<{ rule: string }> } }>;
}

describe('the Tracking plans pages in a browser', () => {
  let stack: ConsoleStack;
  let api: ConsoleClient;
  let browser: Browser;
  let page: Page;
  let webRoot: string;
  let cspViolations: string[];
  let writeKey: string;
  let sourceId: string;

  async function track(messageId: string, event: string, properties: Record<string, unknown>): Promise<void> {
    const response = await fetch(`${stack.dataPlane!.url}/v1/track`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`,
      },
      body: JSON.stringify({ userId: 'u-1', messageId, event, properties }),
    });
    expect(response.status).toBe(200);
  }

  const debuggerEvents = async () =>
    (await api.call<DebuggerEvents>('GET', `/api/v1/workspaces/shop/sources/${sourceId}/debugger/events?limit=200`))
      .body.events;

  beforeAll(async () => {
    await requireKafka(testInfrastructure().kafkaBrokers);
    webRoot = buildWebApp();
    stack = await startConsoleStack({ dataPlane: {}, webRoot });
    api = new ConsoleClient(stack.console.url);
    expect((await api.setup(OWNER, PASSWORD, 'shop', 'Shop')).status).toBe(201);
    const source = await api.call<{ id: string; writeKeys: Array<{ key: string }> }>(
      'POST',
      '/api/v1/workspaces/shop/sources',
      { slug: 'web', name: 'Website' },
    );
    expect(source.status).toBe(201);
    sourceId = source.body.id;
    writeKey = source.body.writeKeys[0]!.key;
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    cspViolations = collectCspViolations(context);
    page = await context.newPage();
    await signInAs(page, stack.console.url, OWNER, PASSWORD);
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    if (webRoot) rmSync(webRoot, { recursive: true, force: true });
  });

  it('creates, edits, reviews, saves, restores and connects a plan, which ingestion then holds events to', async () => {
    // An event of the source, for "Generate from a source"; ingestion learns the source from the config
    // stream, and reports the paths it observed to the control plane (every half second here).
    await eventually(
      async () => {
        await track(`seen-${Date.now()}`, 'Product Viewed', { sku: 'A1', price: 3 });
        return (
          await api.call<{ eventsObserved: number }>(
            'GET',
            `/api/v1/workspaces/shop/sources/${sourceId}/generated-plan?days=7`,
          )
        ).body;
      },
      (generated) => generated.eventsObserved > 0,
    );

    await page.goto(`${stack.console.url}/shop/tracking-plans`);
    await expectText(page, 'main', 'No tracking plans yet.');
    await page.getByRole('link', { name: 'New plan' }).click();
    await page.fill('#plan-name', 'Storefront');
    await page.click('summary:has-text("Generate from a source")');
    await page.getByRole('button', { name: 'Generate', exact: true }).click();
    await expectText(page, '[role=status]', 'added to the draft: Product Viewed');
    await expectText(page, '[aria-label="Planned events"]', 'Product Viewed');
    // An event added by keyboard: its name and Enter.
    await page.fill('#plan-new-event', 'Order Completed');
    await page.press('#plan-new-event', 'Enter');
    await page.selectOption('#plan-policy-unplannedEvents', 'block');
    await page.getByRole('button', { name: 'Create plan' }).click();
    await page.waitForURL(/\/shop\/tracking-plans\/tp_/);
    await expectText(page, '[aria-label=Plan]', 'Version 1');

    // Version 2: total, a required number, and violations blocked.
    const order = page.locator('[data-event="Order Completed"]');
    await order.locator('summary').first().click();
    await order.locator('#schema-order-completed-new').fill('total');
    await order.getByLabel('Type of the new property').selectOption('number');
    await order.getByLabel('Required', { exact: true }).check();
    await order.getByRole('button', { name: 'Add property' }).click();
    expect(await order.getByLabel('total is required').isChecked()).toBe(true);
    await order.getByLabel('Allowed values of total').fill('1, two');
    await order.getByLabel('Allowed values of total').press('Enter');
    await expectText(
      page,
      '[data-event="Order Completed"] [role=alert]',
      'Allowed values of a number must be numbers.',
    );
    await order.getByLabel('Allowed values of total').fill('');
    await order.getByLabel('Allowed values of total').press('Enter');
    await page.selectOption('#plan-policy-violations', 'block');

    // A schema the server refuses, written as JSON: its problem is shown on its event.
    await order.locator('summary:has-text("JSON Schema of Order Completed")').click();
    const json = order.locator('#schema-order-completed-json');
    const written = JSON.parse(await json.inputValue()) as Record<string, unknown>;
    await json.fill(JSON.stringify({ ...written, minProperties: 'one' }));
    await order.getByRole('button', { name: 'Apply JSON' }).click();
    await page.getByRole('button', { name: 'Review changes' }).click();
    await expectText(page, '[aria-label="Problems with Order Completed"]', '/minProperties');
    expect(await page.getByRole('button', { name: 'Save as version 2' }).isDisabled()).toBe(true);
    await json.fill(JSON.stringify(written));
    await order.getByRole('button', { name: 'Apply JSON' }).click();

    await page.getByRole('button', { name: 'Review changes' }).click();
    await expectText(page, '[aria-label="Draft changes"]', 'events.Order Completed');
    await expectText(page, '[aria-label="Draft changes"]', 'policies.violations');
    expect(await page.locator('[aria-label="Draft changes"] > li').count()).toBe(2);
    await shot(page, 'plan-review');
    await page.getByRole('button', { name: 'Save as version 2' }).click();
    await expectText(page, '[aria-label=Plan]', 'Version 2');

    // The history: version 2's changes, then version 1 restored as version 3.
    await page.getByRole('button', { name: 'Changes in version 2' }).click();
    await expectText(page, '[aria-label="Changes in version 2"]', 'policies.violations');
    await shot(page, 'plan-history');
    await page.getByRole('button', { name: 'Restore version 1' }).click();
    await expectText(page, '[aria-label=Plan]', 'Version 3');
    expect(await page.inputValue('#plan-policy-violations')).toBe('allow');
    await expectText(page, '[data-event="Order Completed"] summary', '0 properties');

    await page.selectOption('#plan-connect-source', sourceId);
    await page.getByRole('button', { name: 'Connect source' }).click();
    await expectText(page, '[aria-label="Connected sources"]', 'Website');
    await expectText(page, '[aria-label=Plan]', 'Version 4');

    // Ingestion holds the source to version 4 (version 1's rules): unplanned events are blocked,
    // an Order Completed without total passes (version 2's required total was not restored).
    await eventually(
      async () => {
        const stamp = Date.now();
        await track(`blocked-${stamp}`, 'Hacked Event', {});
        await track(`passed-${stamp}`, 'Order Completed', { note: 'no total' });
        return debuggerEvents();
      },
      (events) => events.some((e) => e.status === 'blocked'),
    );
    const events = await debuggerEvents();
    const blocked = events.filter((e) => e.status === 'blocked');
    expect(blocked.every((e) => e.messageId?.startsWith('blocked-'))).toBe(true);
    expect(blocked[0]!.plan?.violations.map((v) => v.rule)).toEqual(['unplanned_event']);
    const stamp = blocked[blocked.length - 1]!.messageId!.slice('blocked-'.length);
    expect(events.find((e) => e.messageId === `passed-${stamp}`)?.status).toBe('accepted');
    // The source's live debugger shows it too.
    await page.goto(`${stack.console.url}/shop/sources/${sourceId}`);
    await expectText(page, '[data-testid=debugger-state]', 'live');
    await track('blocked-live', 'Hacked Event', {});
    await expectText(page, '[data-testid=debugger-events] li[data-status=blocked]', 'Hacked Event');

    // The list, and the plan page on a phone.
    await page.goto(`${stack.console.url}/shop/tracking-plans`);
    await expectText(page, '[aria-label="Tracking plans"] tbody', 'Storefront');
    await expectText(page, '[aria-label="Tracking plans"] tbody', 'Website');
    await shot(page, 'plans');
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByRole('link', { name: 'Storefront' }).click();
    // A schema's table scrolls in its own box; nothing else is wider than the screen.
    await page.locator('[data-event="Product Viewed"] summary').first().click();
    await expectText(page, '[aria-label="Properties of Product Viewed"] tbody', 'price');
    await expectNoSideScroll(page, 'the plan page');
    await shot(page, 'plan-phone');
    expect(cspViolations).toEqual([]);
  });

  it('deletes the plan, after which ingestion checks the source against nothing', async () => {
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(`${stack.console.url}/shop/tracking-plans`);
    await page.getByRole('link', { name: 'Storefront' }).click();
    await expectText(page, '[aria-label="Delete plan"]', 'no longer checked');
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Delete plan' }).click();
    await page.waitForURL('**/shop/tracking-plans');
    await page.locator('[aria-label="Tracking plans"] tbody', { hasText: 'Storefront' }).waitFor({ state: 'detached' });
    expect((await api.call<{ plans: unknown[] }>('GET', '/api/v1/workspaces/shop/tracking-plans')).body.plans).toEqual(
      [],
    );

    // The event version 4 blocked is now accepted as it is.
    await eventually(
      async () => {
        const stamp = Date.now();
        await track(`after-delete-${stamp}`, 'Hacked Event', {});
        return (await debuggerEvents()).find((e) => e.messageId === `after-delete-${stamp}`);
      },
      (event) => event?.status === 'accepted',
    );
    expect(cspViolations).toEqual([]);
  });
});
