// The destination page's mapping editor in Chromium, against a real control plane and ingestion
// (its live debugger feeds the editor's path suggestions): a mapping edited by keyboard and mouse,
// refused with the problem next to its field, saved, rolled back; on a 390 px screen too.
import { rmSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { MixpanelEmulator } from '@manifold/emulators';
import { requireKafka, testInfrastructure } from '@manifold/testing';
import type { DestinationMapping } from '../api/types';
import { ConsoleClient, sendBatch } from '../testing/http-client';
import {
  buildWebApp,
  collectCspViolations,
  expectNoSideScroll,
  expectText,
  launchChromium,
  signInAs,
} from '../testing/browser';
import { startConsoleStack, type ConsoleStack } from '../testing/stack';

const OWNER = 'owner@maps.test';
const PASSWORD = 'a long passphrase';
const SECRET = 'mp-secret-7Hq2Zr9Wk';
const EDITED = 'Track event (track 2)';

jest.setTimeout(240_000);

/** MAPPINGS_SCREENSHOTS=<dir> keeps what the window showed, scrolled to `selector`. */
async function shot(page: Page, name: string, selector: string): Promise<void> {
  const dir = process.env['MAPPINGS_SCREENSHOTS'];
  if (!dir) return;
  await page.locator(selector).first().scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${dir}/${name}.png` });
}

interface Mappings {
  mappings: DestinationMapping[];
  version: number;
}

interface PageGlobals {
  document: {
    activeElement: { id: string; textContent: string | null; getAttribute(name: string): string | null } | null;
  };
}

async function focused(page: Page): Promise<{ id: string; text: string; label: string }> {
  return page.evaluate(() => {
    const active = (globalThis as unknown as PageGlobals).document.activeElement;
    return { id: active?.id ?? '', text: active?.textContent ?? '', label: active?.getAttribute('aria-label') ?? '' };
  });
}

describe('the mapping editor in a browser', () => {
  let stack: ConsoleStack;
  let browser: Browser;
  let page: Page;
  let webRoot: string;
  let api: ConsoleClient;
  let emulator: MixpanelEmulator;
  let writeKey: string;
  let cspViolations: string[];
  let base: string;
  let destinationUrl: string;

  beforeAll(async () => {
    await requireKafka(testInfrastructure().kafkaBrokers);
    webRoot = buildWebApp();
    emulator = await new MixpanelEmulator({ projectToken: 'project-token', apiSecret: SECRET }).start();
    stack = await startConsoleStack({ catalog: 'default', dataPlane: {}, webRoot });
    api = new ConsoleClient(stack.console.url);
    expect((await api.setup(OWNER, PASSWORD, 'maps', 'Maps')).status).toBe(201);
    const source = await api.call<{ writeKeys: Array<{ key: string }> }>('POST', '/api/v1/workspaces/maps/sources', {
      slug: 'web',
      name: 'Website',
    });
    writeKey = source.body.writeKeys[0]!.key;
    const created = await api.call<{ id: string }>('POST', '/api/v1/workspaces/maps/destinations', {
      name: 'Product analytics',
      catalogId: 'mixpanel',
      settings: { projectToken: 'project-token', apiSecret: SECRET, apiBaseUrl: emulator.baseUrl },
      sources: ['web'],
    });
    expect(created.status).toBe(201);
    base = `/api/v1/workspaces/maps/destinations/${created.body.id}/mappings`;
    destinationUrl = `${stack.console.url}/maps/destinations/${created.body.id}`;
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    cspViolations = collectCspViolations(context);
    page = await context.newPage();
    await signInAs(page, stack.console.url, OWNER, PASSWORD);
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    await emulator?.close();
    if (webRoot) rmSync(webRoot, { recursive: true, force: true });
  });

  const editor = '[data-testid=mapping-editor]';
  const field = (name: string) => `${editor} [data-field="${name}"]`;

  it('edits a mapping: a literal event name, a trait into a property, a trigger limited to one event; refuses a bad value next to its field', async () => {
    await sendBatch(stack.dataPlane!.url, writeKey, [
      {
        type: 'track',
        userId: 'u-1',
        event: 'Signed Up',
        properties: { source: 'ad' },
        context: { traits: { plan: 'pro' } },
      },
    ]);
    await page.goto(destinationUrl);
    await expectText(page, '.mappings .mapping-row', EDITED);
    const row = `.mapping-row[data-mapping="${EDITED}"]`;
    await page.click(`${row} button:has-text("Edit")`);
    await page.waitForSelector(editor);
    // Opening moves the focus into the editor, onto its heading.
    await page.waitForFunction(() => {
      const active = (globalThis as unknown as PageGlobals).document.activeElement;
      return (active?.textContent ?? '').includes('Mapping 3');
    });

    // Fields are listed with their label, type, required marker and description.
    await expectText(page, `${field('event')} label`, 'Event *');
    await expectText(page, `${field('event')} .badge`, 'required');
    await expectText(page, `${field('properties')} .badge`, 'object');
    // Paths of the source's recent events (the live debugger's) are offered as sources.
    await page.waitForFunction(
      () =>
        Array.from(
          (
            globalThis as unknown as { document: { querySelectorAll(s: string): ArrayLike<{ value: string }> } }
          ).document.querySelectorAll('datalist option'),
        ).some((o) => o.value === '$.context.traits.plan'),
      undefined,
      { timeout: 20_000 },
    );

    // The event renamed with a fixed text, empty first: the server refuses it next to the field.
    await page.selectOption(`${field('event')} select[aria-label="Event: value from"]`, 'text');
    await page.fill(`${field('event')} input`, '');
    // The trigger: the preset's FQL is beyond the builder, so it starts over with it.
    await page.click(`${editor} button:has-text("Start over with the builder")`);
    await page.selectOption(`${editor} select[id$="-trigger-type"]`, 'track');
    await page.fill(`${editor} input[id$="-trigger-name"]`, 'Signed Up');
    expect(await page.inputValue(`${editor} textarea[id$="-trigger-fql"]`)).toBe(
      'type = "track" and event = "Signed Up"',
    );
    // A trait into a property, keeping the event's own properties: the preset's path becomes JSON.
    await page.selectOption(`${field('properties')} select[aria-label="Properties: value from"]`, 'json');
    expect(JSON.parse(await page.inputValue(`${field('properties')} textarea`))).toEqual({ '@path': '$.properties' });
    await page.fill(
      `${field('properties')} textarea`,
      JSON.stringify({
        '@merge': {
          objects: [{ '@path': '$.properties' }, { plan: { '@path': '$.context.traits.plan' } }],
          direction: 'right',
        },
      }),
    );
    // The distinct id from a Liquid template, as a mapping written for Segment may take it.
    await page.selectOption(`${field('distinct_id')} select[aria-label$=": value from"]`, 'liquid');
    await page.fill(`${field('distinct_id')} textarea`, '{{ userId | downcase }}');
    await page.click(`${editor} button[type=submit]`);
    await expectText(page, `${field('event')} .field-error`, 'Too small');
    expect(await page.getAttribute(`${field('event')} input`, 'aria-invalid')).toBe('true');
    await expectText(page, '[data-testid=mappings-refused]', 'Not saved');
    await expectText(page, `${row} [data-testid=mapping-problems]`, '1 problem');
    await shot(page, 'mapping-refused', field('event'));

    // Fixed, and saved with Enter from the field.
    await page.fill(`${field('event')} input`, 'Account Created');
    await page.press(`${field('event')} input`, 'Enter');
    await expectText(page, '.mappings [role=status]', 'Saved as version 2');
    expect(await page.$(`${field('event')} .field-error`)).toBeNull();

    const saved = (await api.call<Mappings>('GET', base)).body;
    const mapping = saved.mappings.find((m) => m.name === EDITED)!;
    expect(mapping.trigger).toBe('type = "track" and event = "Signed Up"');
    expect(mapping.fields['event']).toBe('Account Created');
    expect(mapping.fields['distinct_id']).toEqual({ '@liquid': '{{ userId | downcase }}' });
    expect(mapping.fields['properties']).toEqual({
      '@merge': {
        objects: [{ '@path': '$.properties' }, { plan: { '@path': '$.context.traits.plan' } }],
        direction: 'right',
      },
    });

    // Escape closes the editor and puts the focus back on the mapping's Edit button.
    await page.focus(`${field('event')} input`);
    await page.keyboard.press('Escape');
    await page.waitForSelector(editor, { state: 'detached' });
    expect((await focused(page)).label).toBe(`Edit ${EDITED}`);
    expect(cspViolations).toEqual([]);
  });

  it('disables, reorders and rolls back by keyboard, and fits a 390 px screen with the editor open', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(destinationUrl);
    await expectText(page, '.mappings .mapping-row', EDITED);
    await expectNoSideScroll(page, 'the destination page with its mappings');
    await shot(page, 'mapping-list-phone', '.mapping-list');
    // Move the edited mapping up by keyboard: Tab order reaches its buttons, Enter presses them.
    await page.focus(`[aria-label="Move ${EDITED} up"]`);
    await page.keyboard.press('Enter');
    await page.waitForFunction(
      (name) =>
        (
          globalThis as unknown as {
            document: { querySelectorAll(s: string): ArrayLike<{ getAttribute(n: string): string }> };
          }
        ).document
          .querySelectorAll('.mapping-row')[1]
          ?.getAttribute('data-mapping') === name,
      EDITED,
    );
    await page.focus(`[aria-label="${EDITED} enabled"]`);
    await page.keyboard.press('Space');
    await expectText(page, `.mapping-row[data-mapping="${EDITED}"]`, 'disabled');
    await expectText(page, '.mappings .badge', 'unsaved changes');
    await page.fill('input[id$="-comment"]', 'off for now');
    await page.keyboard.press('Enter');
    await expectText(page, '.mappings [role=status]', 'Saved as version 3');
    const now = (await api.call<Mappings>('GET', base)).body;
    expect(now.mappings[1]).toMatchObject({ name: EDITED, enabled: false });

    await page.click(`.mapping-row[data-mapping="${EDITED}"] button:has-text("Edit")`);
    await page.waitForSelector(editor);
    await expectNoSideScroll(page, 'the mapping editor');
    await shot(page, 'mapping-editor-phone', editor);

    // Version history: version 2 restored (saved as version 4).
    await page.click('.mapping-versions summary');
    await expectText(page, '.version-list li[data-version="3"]', 'off for now');
    page.once('dialog', (dialog) => void dialog.accept());
    await page.click('button:has-text("Roll back to version 2")');
    await expectText(page, '.mappings [role=status]', 'restored as version 4');
    const restored = (await api.call<Mappings>('GET', base)).body;
    expect(restored.mappings[2]).toMatchObject({ name: EDITED, enabled: true });
    await expectNoSideScroll(page, 'the version history');
    expect(cspViolations).toEqual([]);
  });

  it('tests the mapping on a debugger event: the trigger matches, the masked request, a send answered 200 and one answered 400 with its body', async () => {
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(destinationUrl);
    await expectText(page, '.mappings .mapping-row', EDITED);
    await page.click(`.mapping-row[data-mapping="${EDITED}"] button:has-text("Edit")`);
    const tester = '[data-testid=mapping-tester]';
    await page.waitForSelector(tester);
    // The source's event from the live debugger, picked by its name.
    const recent = `${tester} select[id$="-tester-recent"]`;
    await expectText(page, `${recent} option`, 'track “Signed Up”');
    const value = await page.$eval(
      recent,
      (select) =>
        Array.from(
          (select as unknown as { options: ArrayLike<{ value: string; textContent: string | null }> }).options,
        ).find((o) => (o.textContent ?? '').includes('Signed Up'))?.value ?? '',
    );
    await page.selectOption(recent, value);
    expect(JSON.parse(await page.inputValue(`${tester} textarea[id$="-tester-event"]`))).toMatchObject({
      event: 'Signed Up',
      context: { traits: { plan: 'pro' } },
    });
    await page.click(`${tester} button:has-text("Try it")`);
    await expectText(page, '[data-testid=tester-matched]', 'trigger matches');
    await expectText(page, '[aria-label="Mapped payload"]', '"event": "Account Created"');
    await expectText(page, '[aria-label="Mapped payload"]', '"plan": "pro"');
    await expectText(page, '[data-testid=tester-request]', `POST ${emulator.baseUrl}/import`);
    await expectText(page, '[data-testid=tester-request] [aria-label="Request body"]', 'Account Created');
    // The project secret (Basic authorization) is masked by the server, and nothing was sent yet.
    await expectText(page, '[data-testid=tester-request] .headers', 'authorization');
    expect(await page.content()).not.toContain(SECRET);
    expect(emulator.requests).toHaveLength(0);
    await shot(page, 'mapping-tester-request', '[data-testid=tester-result]');

    await page.click(`${tester} button:has-text("Send test event")`);
    await expectText(page, '[data-testid=tester-sent]', 'HTTP 200');
    expect(await page.getAttribute('[data-testid=tester-sent]', 'data-outcome')).toBe('delivered');
    expect(emulator.requests).toHaveLength(1);
    expect(emulator.requests[0]!.body).toContain('Account Created');

    emulator.failNext(1, { status: 400, body: { error: 'event rejected: property "plan" is not allowed' } });
    await page.click(`${tester} button:has-text("Send test event")`);
    await expectText(page, '[data-testid=tester-sent]', 'HTTP 400');
    await expectText(
      page,
      '[data-testid=tester-sent] [aria-label="Answer body"]',
      'property \\"plan\\" is not allowed',
    );
    const outcome = await page.getAttribute('[data-testid=tester-sent]', 'data-outcome');
    expect(['drop', 'dead-letter']).toContain(outcome);
    expect(await page.content()).not.toContain(SECRET);
    await shot(page, 'mapping-tester-400', '[data-testid=tester-sent]');

    // A sample of the trigger's event type and name, and a trigger that does not match it.
    await page.fill(`${tester} input[id$="-tester-sample-name"]`, 'Order Completed');
    await page.press(`${tester} input[id$="-tester-sample-name"]`, 'Enter');
    await page.waitForFunction(
      (selector) =>
        (
          (
            globalThis as unknown as { document: { querySelector(s: string): { value: string } | null } }
          ).document.querySelector(selector)?.value ?? ''
        ).includes('Order Completed'),
      `${tester} textarea[id$="-tester-event"]`,
      { timeout: 20_000 },
    );
    await page.click(`${tester} button:has-text("Try it")`);
    await expectText(page, '[data-testid=tester-matched]', 'trigger does not match');
    await expectText(page, '[data-testid=tester-result]', 'Not sent');

    await page.setViewportSize({ width: 390, height: 844 });
    await page.click(`${tester} button:has-text("Send test event")`);
    await expectText(page, '[data-testid=tester-result] h4', 'Sent');
    await expectNoSideScroll(page, 'the mapping tester');
    expect(emulator.requests).toHaveLength(2);
    expect(cspViolations).toEqual([]);
  });
});
