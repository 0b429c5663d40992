// Webhook sources end to end: Stripe, GitHub and Shopify deliveries, signed as each app signs
// them, sent to ingestion's /v1/webhook/<source id> (Stripe, GitHub: the stable URL) and
// /v1/webhook/<write key> (Shopify: the first form); the sources are made with the CLI and gRPC
// on a real control plane, whose config stream hands ingestion their secrets. The events reach a
// webhook destination (emulator) and a PostgreSQL warehouse through Kafka, the translator and the
// loader; a wrong signature is refused and shown in the debugger; a retried delivery is one event;
// a signing secret rotated with the CLI keeps the old one accepted for its grace period, and a
// rotated write key leaves the stable URL working.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebhookEmulator } from '@manifold/emulators';
import type { RunningIngestion } from '@manifold/ingestion';
import { requirePostgres, testInfrastructure, uniqueName } from '@manifold/testing';
import { Client } from 'pg';
import {
  eventually,
  startOperationsStack,
  type OperationsStack,
} from '../../services/control-plane/src/test-support/operations-stack';
import { startStackIngestion } from '../stack-ingestion';
import {
  GITHUB_PING,
  GITHUB_PUSH,
  GITHUB_SECRET,
  githubHeaders,
  SHOPIFY_CUSTOMER,
  SHOPIFY_ORDER,
  SHOPIFY_SECRET,
  shopifyHeaders,
  STRIPE_CHARGE,
  STRIPE_CUSTOMER,
  STRIPE_SECRET,
  stripeEvent,
  stripeHeaders,
} from '../../services/ingestion/src/test-support/webhook-deliveries';

const ADMIN_TOKEN = 'webhook-e2e-admin-token-0123456789';
const { warehousePostgresUrl } = testInfrastructure();

describe('webhook sources', () => {
  let stack: OperationsStack;
  let ingestion: RunningIngestion;
  let hook: WebhookEmulator;
  let dir: string;
  const run = uniqueName('wh')
    .replace(/[^a-z0-9]/gi, '')
    .toLowerCase()
    .slice(-12);
  const slugs = { stripe: `stripe${run}`, github: `github${run}`, shopify: `shopify${run}` };
  const keys: Record<keyof typeof slugs, string> = { stripe: '', github: '', shopify: '' };
  const ids: Record<keyof typeof slugs, string> = { stripe: '', github: '', shopify: '' };

  // The stable URL for Stripe and GitHub; Shopify keeps the write-key URL of before.
  const webhookToken = (app: keyof typeof slugs) => (app === 'shopify' ? keys[app] : ids[app]);
  const deliver = async (app: keyof typeof slugs, body: string, headers: Record<string, string>) => {
    const response = await fetch(`${ingestion.url}/v1/webhook/${webhookToken(app)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const received = () => hook.deliveries.map((d) => d.body as Record<string, unknown>);
  const byMessageId = (messageId: string) => received().filter((e) => e['messageId'] === messageId);

  beforeAll(async () => {
    await requirePostgres(warehousePostgresUrl);
    hook = await new WebhookEmulator().start();
    stack = await startOperationsStack({ warehouses: true });
    const { client } = stack.cp;
    await client.workspaces.createWorkspace({ slug: 'apps', name: 'Apps', ownerEmail: 'o@apps.test' });

    // Stripe's source through the CLI: its secret is read from a file, never from the command line.
    dir = await mkdtemp(join(tmpdir(), 'webhook-e2e-'));
    await writeFile(join(dir, 'stripe-secret'), `${STRIPE_SECRET}\n`);
    const created = await stack.cli(
      '--json',
      'sources',
      'create',
      'apps',
      slugs.stripe,
      '--name',
      'Stripe',
      '--type',
      'webhook',
      '--category',
      'cloud app',
      '--webhook-kind',
      'stripe',
      '--signing-secret-file',
      join(dir, 'stripe-secret'),
    );
    expect(created.err).toBe('');
    expect(created.out).not.toContain(STRIPE_SECRET);
    const stripeSource = JSON.parse(created.out) as Record<string, unknown>;
    expect(stripeSource).toMatchObject({ type: 'webhook', webhook_kind: 'stripe', signing_secret: '********' });
    keys.stripe = String(stripeSource['write_key']);
    ids.stripe = String(stripeSource['id']);
    expect(stripeSource['webhook_path']).toBe(`/v1/webhook/${ids.stripe}`);
    expect(stripeSource['webhook_write_key_path']).toBe(`/v1/webhook/${keys.stripe}`);
    expect(stripeSource['duplicate_window_seconds']).toBe(96 * 3600);

    for (const [app, secret] of [
      ['github', GITHUB_SECRET],
      ['shopify', SHOPIFY_SECRET],
    ] as const) {
      const source = await client.sources.createSource({
        workspace: 'apps',
        slug: slugs[app],
        name: app,
        type: 'webhook',
        category: 'cloud app',
        environment: 'prod',
        webhook: { kind: app, signingSecret: secret },
      });
      // Reads mask the secret.
      expect(source.webhook).toMatchObject({ kind: app, signingSecret: '********', path: `/v1/webhook/${source.id}` });
      expect(source.webhook?.previousSigningSecret).toBeUndefined();
      keys[app] = source.writeKeys[0]!.key;
      ids[app] = source.id;
    }
    const sources = Object.values(slugs);
    const destination = await client.destinations.createDestination({
      workspace: 'apps',
      name: 'Hook',
      catalogId: 'webhook',
      settings: { url: `${hook.baseUrl}/in` },
      sources,
    });
    const warehouse = await client.destinations.createDestination({
      workspace: 'apps',
      name: 'Postgres',
      catalogId: 'postgres',
      settings: { url: warehousePostgresUrl },
      sources,
      syncIntervalSeconds: 1,
    });
    await eventually(
      async () =>
        Boolean(stack.configView.destination(destination.id)) &&
        stack.configView.warehouses().some((w) => w.id === warehouse.id) &&
        Object.values(keys).every((key) => stack.configView.sourceForWriteKey(key)?.webhook),
      (ready) => ready,
      30_000,
    );
    // The data plane gets the secret in clear, as the signature check needs it.
    expect(stack.configView.sourceForWriteKey(keys.stripe)?.webhook).toEqual({
      kind: 'stripe',
      signingSecret: STRIPE_SECRET,
      previousSigningSecret: '',
      duplicateWindowSeconds: 96 * 3600,
    });

    ingestion = await startStackIngestion(stack, 'webhook-e2e-ingestion', ADMIN_TOKEN);
  }, 120_000);

  afterAll(async () => {
    await ingestion?.close();
    await stack?.stop();
    await hook?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
    const pg = new Client({ connectionString: warehousePostgresUrl });
    await pg.connect();
    for (const slug of Object.values(slugs))
      await pg.query(`DROP SCHEMA IF EXISTS "${slug}" CASCADE`).catch(() => undefined);
    await pg.end();
  });

  it('turns signed deliveries into events at the destination and in the warehouse, each once', async () => {
    const customer = JSON.stringify(stripeEvent('evt_cust1', 'customer.created', STRIPE_CUSTOMER));
    const charge = JSON.stringify(stripeEvent('evt_charge1', 'charge.succeeded', STRIPE_CHARGE));
    const push = JSON.stringify(GITHUB_PUSH);
    const ping = JSON.stringify(GITHUB_PING);
    const order = JSON.stringify(SHOPIFY_ORDER);
    const pushDelivery = `72d3162e-cc78-11e3-81ab-${run}`;
    const orderDelivery = `b54557e4-bdd9-4b37-${run}`;

    expect(await deliver('stripe', customer, stripeHeaders(customer))).toEqual({
      status: 200,
      body: { success: true, accepted: 1 },
    });
    expect((await deliver('stripe', charge, stripeHeaders(charge))).status).toBe(200);
    expect((await deliver('github', push, githubHeaders(push, 'push', pushDelivery))).status).toBe(200);
    expect((await deliver('shopify', order, shopifyHeaders(order, 'orders/create', orderDelivery))).status).toBe(200);
    // An event kind no translation reads: accepted, so that the app does not retry it.
    expect(await deliver('github', ping, githubHeaders(ping, 'ping', `ping-${run}`))).toEqual({
      status: 200,
      body: { success: true, ignored: 'ping' },
    });
    // The apps retry: Stripe signs again with a new timestamp, Shopify keeps its webhook id.
    expect(
      (await deliver('stripe', charge, stripeHeaders(charge, STRIPE_SECRET, Math.floor(Date.now() / 1000) + 1))).status,
    ).toBe(200);
    expect((await deliver('shopify', order, shopifyHeaders(order, 'orders/create', orderDelivery))).status).toBe(200);
    // After the retries, one more event of each retried user (same Kafka key, so same partition
    // and later): once it is delivered, the retry before it has been read.
    const updated = JSON.stringify(
      stripeEvent('evt_cust2', 'customer.updated', { ...STRIPE_CUSTOMER, name: 'Ada King' }),
    );
    expect((await deliver('stripe', updated, stripeHeaders(updated))).status).toBe(200);
    const newCustomer = JSON.stringify({ ...SHOPIFY_CUSTOMER, id: SHOPIFY_ORDER.customer.id });
    expect(
      (await deliver('shopify', newCustomer, shopifyHeaders(newCustomer, 'customers/create', `c-${run}`))).status,
    ).toBe(200);

    const expected = [
      'stripe-evt_cust1',
      'stripe-evt_charge1',
      `github-${pushDelivery}`,
      `shopify-${orderDelivery}`,
      'stripe-evt_cust2',
      `shopify-c-${run}`,
    ];
    await eventually(
      async () => expected.every((id) => byMessageId(id).length > 0),
      (all) => all,
      60_000,
    );
    for (const id of expected) expect([id, byMessageId(id).length]).toEqual([id, 1]);
    expect(received()).toHaveLength(expected.length);

    expect(byMessageId('stripe-evt_cust1')[0]).toMatchObject({
      type: 'identify',
      userId: 'cus_Ra1b2c3',
      traits: { email: 'ada@example.com', name: 'Ada Lovelace', address: { city: 'Paris', postalCode: '75001' } },
      timestamp: '2025-12-02T13:00:00.000Z',
    });
    expect(byMessageId('stripe-evt_charge1')[0]).toMatchObject({
      type: 'track',
      event: 'Charge Succeeded',
      userId: 'cus_Ra1b2c3',
      properties: { amount: 2500, currency: 'eur', status: 'succeeded' },
    });
    expect(byMessageId(`github-${pushDelivery}`)[0]).toMatchObject({
      type: 'track',
      event: 'Push',
      userId: '583231',
      properties: { repository: 'octo-org/hello-world', ref: 'refs/heads/main', commitCount: 1, sender: 'octocat' },
    });
    const completed = byMessageId(`shopify-${orderDelivery}`)[0]!;
    expect(completed).toMatchObject({
      type: 'track',
      event: 'Order Completed',
      userId: '6940095250608',
      properties: {
        order_id: '5801343828171',
        total: 43,
        revenue: 35,
        shipping: 5,
        tax: 3,
        discount: 5,
        coupon: 'WELCOME5',
        currency: 'EUR',
      },
    });
    expect((completed['properties'] as Record<string, unknown>)['products']).toEqual([
      expect.objectContaining({ product_id: '632910392', sku: 'MUG-BLUE', name: 'Mug', price: 12.5, quantity: 2 }),
      expect.objectContaining({ product_id: '632910393', name: 'Tea', price: 15, quantity: 1 }),
    ]);
    // The app's server is not the user: no context.ip from it.
    expect((completed['context'] as Record<string, unknown>)['ip']).toBeUndefined();

    const pg = new Client({ connectionString: warehousePostgresUrl });
    await pg.connect();
    try {
      const rows = async (schema: string, table: string, columns = 'id') =>
        (await pg.query(`SELECT ${columns} FROM "${schema}"."${table}" ORDER BY id`).catch(() => ({ rows: [] })))
          .rows as Array<Record<string, unknown>>;
      await eventually(
        async () => [
          (await rows(slugs.stripe, 'tracks')).length,
          (await rows(slugs.stripe, 'identifies')).length,
          (await rows(slugs.github, 'tracks')).length,
          (await rows(slugs.shopify, 'tracks')).length,
          (await rows(slugs.shopify, 'identifies')).length,
        ],
        (counts) => counts.every((n) => n > 0),
        60_000,
      );
      expect(await rows(slugs.stripe, 'charge_succeeded', 'id, user_id, amount, currency')).toEqual([
        { id: 'stripe-evt_charge1', user_id: 'cus_Ra1b2c3', amount: expect.anything(), currency: 'eur' },
      ]);
      expect(Number((await rows(slugs.stripe, 'charge_succeeded', 'id, amount'))[0]!['amount'])).toBe(2500);
      expect((await rows(slugs.stripe, 'identifies', 'id, email')).map((r) => r['id'])).toEqual([
        'stripe-evt_cust1',
        'stripe-evt_cust2',
      ]);
      expect(await rows(slugs.github, 'push', 'id, ref, repository')).toEqual([
        { id: `github-${pushDelivery}`, ref: 'refs/heads/main', repository: 'octo-org/hello-world' },
      ]);
      expect(await rows(slugs.shopify, 'order_completed', 'id, order_id, currency')).toEqual([
        { id: `shopify-${orderDelivery}`, order_id: '5801343828171', currency: 'EUR' },
      ]);
    } finally {
      await pg.end();
    }
  }, 120_000);

  it('refuses a wrong or missing signature with 401 and shows it in the debugger as rejected', async () => {
    const charge = JSON.stringify(stripeEvent('evt_forged', 'charge.succeeded', STRIPE_CHARGE));
    const forged = await deliver('stripe', charge, stripeHeaders(charge, 'whsec_not_the_secret'));
    expect(forged.status).toBe(401);
    expect(forged.body).toMatchObject({ success: false, code: 'invalid_signature' });
    expect(JSON.stringify(forged.body)).not.toContain(STRIPE_SECRET);
    const unsigned = await deliver('shopify', JSON.stringify(SHOPIFY_ORDER), { 'x-shopify-topic': 'orders/create' });
    expect(unsigned).toMatchObject({ status: 401, body: { code: 'invalid_signature' } });

    const shown = async (sourceId: string) => {
      const response = await fetch(`${ingestion.url}/debugger/sources/${sourceId}/events`, {
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      });
      return ((await response.json()) as { events: Array<Record<string, unknown>> }).events;
    };
    const rejected = (await shown(ids.stripe)).filter((e) => e['status'] === 'rejected');
    expect(rejected).toEqual([
      expect.objectContaining({
        reason: { code: 'invalid_signature', message: expect.stringMatching(/Stripe-Signature/) },
      }),
    ]);
    expect(JSON.stringify(await shown(ids.stripe))).not.toContain(STRIPE_SECRET);
    expect((await shown(ids.shopify)).filter((e) => e['status'] === 'rejected')).toEqual([
      expect.objectContaining({
        reason: { code: 'invalid_signature', message: 'the X-Shopify-Hmac-Sha256 header is missing' },
      }),
    ]);
    // Nothing of them reached the destination.
    expect(byMessageId('stripe-evt_forged')).toEqual([]);
  });

  it('rotates GitHub’s secret with the CLI: both are accepted for the grace period, the debugger says which matched', async () => {
    const rotatedSecret = 'gh-hook-secret-rotated-8Pz';
    await writeFile(join(dir, 'github-secret'), `${rotatedSecret}\n`);
    const rotated = await stack.cli(
      '--json',
      'sources',
      'rotate-signing-secret',
      'apps',
      slugs.github,
      '--signing-secret-file',
      join(dir, 'github-secret'),
      '--grace',
      '3600',
    );
    expect(rotated.err).toBe('');
    expect(rotated.out).not.toContain(rotatedSecret);
    expect(rotated.out).not.toContain(GITHUB_SECRET);
    const shownSource = JSON.parse(rotated.out) as Record<string, unknown>;
    expect(shownSource).toMatchObject({ signing_secret: '********', previous_signing_secret: '********' });
    expect(Date.parse(String(shownSource['previous_signing_secret_expires_at']))).toBeGreaterThan(Date.now());
    await eventually(
      async () => stack.configView.source(ids.github)?.webhook?.signingSecret,
      (secret) => secret === rotatedSecret,
      30_000,
    );

    const star = (n: number) => JSON.stringify({ ...GITHUB_PUSH, after: `after-${n}` });
    const oldSigned = await deliver('github', star(1), githubHeaders(star(1), 'push', `old-${run}`));
    const newSigned = await deliver('github', star(2), githubHeaders(star(2), 'push', `new-${run}`, rotatedSecret));
    expect([oldSigned.status, newSigned.status]).toEqual([200, 200]);
    await eventually(
      async () => byMessageId(`github-new-${run}`).length + byMessageId(`github-old-${run}`).length,
      (n) => n === 2,
      60_000,
    );
    const response = await fetch(`${ingestion.url}/debugger/sources/${ids.github}/events`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    const entries = ((await response.json()) as { events: Array<Record<string, unknown>> }).events;
    const signedWith = (messageId: string) =>
      (entries.find((e) => e['messageId'] === messageId)?.['webhook'] as Record<string, unknown> | undefined)?.[
        'signedWith'
      ];
    expect(signedWith(`github-old-${run}`)).toBe('previous');
    expect(signedWith(`github-new-${run}`)).toBe('current');
    expect(JSON.stringify(entries)).not.toContain(rotatedSecret);

    // Rotating the write key, revoking the old one at once, leaves the stable URL as it was.
    const { client } = stack.cp;
    const rekeyed = await client.sources.rotateWriteKey({
      workspace: 'apps',
      source: slugs.github,
      gracePeriodSeconds: -1,
    });
    await eventually(
      async () => stack.configView.source(ids.github)?.writeKeys,
      (writeKeys) => writeKeys?.length === 1 && writeKeys[0] === rekeyed.writeKeys[0]?.key,
      30_000,
    );
    const later = await deliver('github', star(3), githubHeaders(star(3), 'push', `rekeyed-${run}`, rotatedSecret));
    expect(later).toEqual({ status: 200, body: { success: true, accepted: 1 } });
    const byOldKey = await fetch(`${ingestion.url}/v1/webhook/${keys.github}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...githubHeaders(star(4), 'push', `k-${run}`, rotatedSecret) },
      body: star(4),
    });
    expect(byOldKey.status).toBe(401);
  }, 120_000);
});
