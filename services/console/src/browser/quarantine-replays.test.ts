// Quarantine replays from the console's Replays page in Chromium, against the real ingestion, Kafka,
// control plane and FerretDB: events a plan blocked are released once the plan allows them, and
// one the plan still blocks stays in quarantine, as the replay's row says.
import { rmSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { connectControlPlane, type ControlPlaneClients } from '@manifold/proto';
import { eventually, requireKafka, testInfrastructure } from '@manifold/testing';
import { ConsoleClient, sendBatch } from '../testing/http-client';
import { buildWebApp, collectCspViolations, expectText, launchChromium, signInAs } from '../testing/browser';
import { startConsoleStack, type ConsoleStack } from '../testing/stack';

const OWNER = 'owner@quarantine.test';
const PASSWORD = 'a long passphrase';
const BLOCK = { unplannedEvents: 'block', unplannedProperties: 'allow', violations: 'block' } as const;

jest.setTimeout(180_000);

describe('quarantine replays on the Replays page', () => {
  let stack: ConsoleStack;
  let grpc: ControlPlaneClients;
  let browser: Browser;
  let page: Page;
  let webRoot: string;
  let cspViolations: string[];

  beforeAll(async () => {
    await requireKafka(testInfrastructure().kafkaBrokers);
    webRoot = buildWebApp();
    stack = await startConsoleStack({ dataPlane: {}, webRoot });
    grpc = connectControlPlane({ address: stack.controlPlane.address, token: stack.controlPlaneToken, actor: 'test' });
    const api = new ConsoleClient(stack.console.url);
    expect((await api.setup(OWNER, PASSWORD, 'ops', 'Ops')).status).toBe(201);
    const source = await api.call<{ id: string; writeKeys: Array<{ key: string }> }>(
      'POST',
      '/api/v1/workspaces/ops/sources',
      { slug: 'web', name: 'Website' },
    );
    const writeKey = source.body.writeKeys[0]!.key;
    const total = (type: string | string[]) => ({ type: 'object', properties: { total: { type } } });
    const plan = await grpc.trackingPlans.saveTrackingPlan({
      workspaceId: 'ops',
      id: '',
      name: 'Web plan',
      sourceIds: [source.body.id],
      rules: { events: { 'Order Completed': total('number') }, policies: BLOCK },
    });
    await eventually(
      async () => stack.dataPlane!.configView.sourceForWriteKey(writeKey)?.trackingPlan?.version,
      (version) => version === 1,
    );
    // Two orders whose total is text (blocked by version 1), and an unplanned event (blocked by every version).
    await sendBatch(stack.dataPlane!.url, writeKey, [
      { type: 'track', event: 'Order Completed', userId: 'u', messageId: 'q-1', properties: { total: 'ten' } },
      { type: 'track', event: 'Order Completed', userId: 'u', messageId: 'q-2', properties: { total: 'eleven' } },
      { type: 'track', event: 'Hacked Event', userId: 'u', messageId: 'q-3' },
    ]);
    // Version 2 takes a total as text too: the two orders pass it now.
    await grpc.trackingPlans.saveTrackingPlan({
      workspaceId: 'ops',
      id: plan.id,
      name: 'Web plan',
      sourceIds: [source.body.id],
      rules: { events: { 'Order Completed': total(['number', 'string']) }, policies: BLOCK },
    });
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
    cspViolations = collectCspViolations(context);
    page = await context.newPage();
    await signInAs(page, stack.console.url, OWNER, PASSWORD);
  });

  afterAll(async () => {
    grpc?.close();
    await browser?.close();
    await stack?.stop();
    if (webRoot) rmSync(webRoot, { recursive: true, force: true });
  });

  it('releases what the plan now allows and leaves the rest in quarantine', async () => {
    await page.goto(`${stack.console.url}/ops/replays`);
    await expectText(page, 'table[aria-label="Quarantine replays"]', 'No quarantine replay yet.');
    const form = page.getByRole('region', { name: 'New quarantine replay' });
    await form.getByLabel('Source').selectOption({ label: 'Website' });
    await form.getByRole('button', { name: 'Release what the plan now allows' }).click();

    const row = page.locator('[data-testid=quarantine-replay]').first();
    await expectText(page, '[data-testid=quarantine-replay-status]', 'done');
    expect(await row.locator('[data-testid=quarantine-replay-released]').innerText()).toBe('2');
    expect(await row.locator('[data-testid=quarantine-replay-blocked]').innerText()).toBe('1');
    expect(await row.innerText()).toContain('version 2');
    expect(await row.innerText()).toContain('Website');
    expect(await row.innerText()).toContain(OWNER);

    // The same through the API the page reads: nothing shown that the control plane did not say.
    const api = new ConsoleClient(stack.console.url);
    await api.signIn(OWNER, PASSWORD);
    const { body } = await api.call<{ replays: Array<{ released: number; stillBlocked: number; matched: number }> }>(
      'GET',
      '/api/v1/workspaces/ops/quarantine-replays',
    );
    expect(body.replays).toEqual([expect.objectContaining({ released: 2, stillBlocked: 1, matched: 3 })]);
    expect(cspViolations).toEqual([]);
  });
});
