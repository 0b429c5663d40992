// The source page's tracking plan violations panel in Chromium, against the real ingestion
// (reporting every half second), Kafka, control plane and FerretDB.
import { rmSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { connectControlPlane, type ControlPlaneClients } from '@manifold/proto';
import { eventually, requireKafka, testInfrastructure } from '@manifold/testing';
import { ConsoleClient, sendBatch } from '../testing/http-client';
import { buildWebApp, collectCspViolations, expectText, launchChromium, signInAs } from '../testing/browser';
import { startConsoleStack, type ConsoleStack } from '../testing/stack';

const OWNER = 'owner@violations.test';
const PASSWORD = 'a long passphrase';

jest.setTimeout(180_000);

describe('tracking plan violations on the source page', () => {
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
    await grpc.trackingPlans.saveTrackingPlan({
      workspaceId: 'ops',
      id: '',
      name: 'Web plan',
      sourceIds: [source.body.id],
      rules: {
        events: { 'Order Completed': { type: 'object', properties: { total: { type: 'number' } } } },
        policies: { unplannedEvents: 'allow', unplannedProperties: 'allow', violations: 'allow' },
      },
    });
    await eventually(
      async () => stack.dataPlane!.configView.sourceForWriteKey(writeKey)?.trackingPlan?.version,
      (version) => version === 1,
    );
    await sendBatch(stack.dataPlane!.url, writeKey, [
      { type: 'track', event: 'Order Completed', userId: 'u', messageId: 'shown-1', properties: { total: 'ten' } },
      { type: 'track', event: 'Order Completed', userId: 'u', messageId: 'shown-2', properties: { total: 'eleven' } },
    ]);
    await eventually(
      () => api.call<{ total: number }>('GET', '/api/v1/workspaces/ops/sources/web/plan-violations'),
      (r) => r.body.total === 2,
    );
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

  it('lists violations per event and rule with per-hour bars and expandable samples', async () => {
    await page.goto(`${stack.console.url}/ops/sources/web`);
    const panel = '[aria-label="Tracking plan violations"]';
    await expectText(page, `${panel} h2`, 'Tracking plan violations (2)');
    await expectText(page, `${panel} tbody`, '“Order Completed”');
    await expectText(page, `${panel} tbody`, '/total');
    expect(await page.$$(`${panel} svg rect`)).toHaveLength(1);
    await page.locator(`${panel} summary`).first().click();
    await expectText(page, `${panel} details`, 'shown-1');
    await expectText(page, `${panel} details`, 'value "ten"');
    await page.getByLabel('Violations range').selectOption('week');
    await expectText(page, `${panel} h2`, 'Tracking plan violations (2)');
    expect(cspViolations).toEqual([]);
  });
});
