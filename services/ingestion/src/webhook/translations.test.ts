// Each app's deliveries as the Spec calls they become (before ingestion's validation and
// enrichment, which every call then goes through as on the Tracking API).
import type { IncomingHttpHeaders } from 'node:http';
import {
  GITHUB_ISSUE_OPENED,
  GITHUB_PING,
  GITHUB_PR_OPENED,
  GITHUB_PUSH,
  GITHUB_STAR,
  SHOPIFY_CUSTOMER,
  SHOPIFY_ORDER,
  STRIPE_CHARGE,
  STRIPE_CUSTOMER,
  STRIPE_INVOICE,
  STRIPE_SUBSCRIPTION,
  stripeEvent,
} from '../test-support/webhook-deliveries';
import { WEBHOOK_APPS } from './apps';
import type { Translation } from './delivery';

function translate(
  kind: string,
  payload: Record<string, unknown>,
  headers: IncomingHttpHeaders = {},
  mapping?: Record<string, unknown>,
): Translation {
  const raw = Buffer.from(JSON.stringify(payload));
  return WEBHOOK_APPS[kind]!.translate({ headers, payload, raw }, mapping);
}

const STRIPE_CONTEXT = (id: string, eventType: string) => ({
  integration: { name: 'stripe' },
  stripe: { eventId: id, eventType, livemode: false },
});

describe('Stripe deliveries', () => {
  it.each([
    ['customer.created', STRIPE_CUSTOMER],
    ['customer.updated', STRIPE_CUSTOMER],
  ])('%s → identify with the customer as traits', (type, object) => {
    expect(translate('stripe', stripeEvent('evt_1', type, object))).toEqual({
      calls: [
        {
          type: 'identify',
          userId: 'cus_Ra1b2c3',
          messageId: 'stripe-evt_1',
          timestamp: '2025-12-02T13:00:00.000Z',
          traits: {
            email: 'ada@example.com',
            name: 'Ada Lovelace',
            phone: '+33123456789',
            description: null,
            currency: 'eur',
            metadata: { plan: 'pro' },
            address: { street: '1 Rue de Rivoli', city: 'Paris', postalCode: '75001', country: 'FR' },
            createdAt: '2025-12-02T13:00:00.000Z',
          },
          context: STRIPE_CONTEXT('evt_1', type),
        },
      ],
    });
  });

  it.each([
    ['charge.succeeded', 'Charge Succeeded', STRIPE_CHARGE],
    ['invoice.paid', 'Invoice Paid', STRIPE_INVOICE],
    ['customer.subscription.created', 'Subscription Created', STRIPE_SUBSCRIPTION],
    ['customer.subscription.updated', 'Subscription Updated', STRIPE_SUBSCRIPTION],
    ['customer.subscription.deleted', 'Subscription Deleted', { ...STRIPE_SUBSCRIPTION, status: 'canceled' }],
    ['customer.subscription.trial_will_end', 'Subscription Trial Will End', STRIPE_SUBSCRIPTION],
  ])('%s → track "%s" of the customer with the object’s fields', (type, event, object) => {
    expect(translate('stripe', stripeEvent('evt_2', type, object))).toEqual({
      calls: [
        {
          type: 'track',
          event,
          userId: 'cus_Ra1b2c3',
          properties: object,
          messageId: 'stripe-evt_2',
          timestamp: '2025-12-02T13:00:00.000Z',
          context: STRIPE_CONTEXT('evt_2', type),
        },
      ],
    });
  });

  it('a charge of no customer is known by its own id', () => {
    const guest = { ...STRIPE_CHARGE, customer: null };
    const translated = translate('stripe', stripeEvent('evt_3', 'charge.succeeded', guest));
    expect(translated).toMatchObject({ calls: [{ anonymousId: 'ch_3Pq7', properties: guest }] });
    expect((translated as { calls: Array<Record<string, unknown>> }).calls[0]).not.toHaveProperty('userId');
  });

  it.each(['payment_intent.created', 'charge.refunded', 'customer.deleted'])('%s is ignored', (type) => {
    expect(translate('stripe', stripeEvent('evt_4', type, STRIPE_CHARGE))).toEqual({ ignored: type });
  });
});

describe('GitHub deliveries', () => {
  const headers = (event: string) => ({ 'x-github-event': event, 'x-github-delivery': 'd-1', 'x-github-hook-id': '7' });
  const common = (event: string) => ({
    type: 'track',
    userId: '583231',
    messageId: 'github-d-1',
    context: { integration: { name: 'github' }, github: { event, delivery: 'd-1', hookId: '7' } },
  });
  const repo = {
    repository: 'octo-org/hello-world',
    repositoryUrl: 'https://github.com/octo-org/hello-world',
    private: false,
  };

  it.each([
    [
      'push',
      'Push',
      GITHUB_PUSH,
      {
        ...repo,
        ref: 'refs/heads/main',
        before: GITHUB_PUSH.before,
        after: GITHUB_PUSH.after,
        created: false,
        deleted: false,
        forced: false,
        compare: GITHUB_PUSH.compare,
        pusher: 'octocat',
        commitCount: 1,
        commits: [
          {
            id: GITHUB_PUSH.commits[0]!.id,
            message: 'Fix the README',
            url: GITHUB_PUSH.commits[0]!.url,
            timestamp: '2025-12-02T13:00:00+01:00',
            author: 'The Octocat',
          },
        ],
        sender: 'octocat',
      },
    ],
    [
      'issues',
      'Issue Opened',
      GITHUB_ISSUE_OPENED,
      {
        ...repo,
        action: 'opened',
        number: 1347,
        title: 'Found a bug',
        body: "I'm having a problem with this.",
        state: 'open',
        url: 'https://github.com/octo-org/hello-world/issues/1347',
        labels: ['bug'],
        assignees: ['hubot'],
        createdAt: '2025-12-02T12:00:00Z',
        sender: 'octocat',
      },
    ],
    [
      'pull_request',
      'Pull Request Opened',
      GITHUB_PR_OPENED,
      {
        ...repo,
        action: 'opened',
        number: 42,
        title: 'Add webhook sources',
        body: 'Closes #19',
        state: 'open',
        url: 'https://github.com/octo-org/hello-world/pull/42',
        draft: false,
        merged: false,
        base: 'main',
        head: 'webhook-sources',
        additions: 120,
        deletions: 4,
        changedFiles: 7,
        labels: [],
        createdAt: '2025-12-02T12:30:00Z',
        sender: 'octocat',
      },
    ],
    [
      'star',
      'Repository Starred',
      GITHUB_STAR,
      { ...repo, starredAt: '2025-12-02T12:45:00Z', stargazers: 81, sender: 'octocat' },
    ],
  ])('%s → track "%s" of the sender', (kind, event, payload, properties) => {
    expect(translate('github', payload, headers(kind))).toEqual({
      calls: [{ ...common(kind), event, properties }],
    });
  });

  it('an unstar is "Repository Unstarred"', () => {
    const translated = translate('github', { ...GITHUB_STAR, action: 'deleted', starred_at: null }, headers('star'));
    expect(translated).toMatchObject({ calls: [{ event: 'Repository Unstarred' }] });
  });

  it.each([
    ['ping', GITHUB_PING],
    ['workflow_run', GITHUB_PUSH],
  ])('%s is ignored', (kind, payload) => {
    expect(translate('github', payload, headers(kind))).toEqual({ ignored: kind });
  });
});

describe('Shopify deliveries', () => {
  const headers = (topic: string) => ({
    'x-shopify-topic': topic,
    'x-shopify-webhook-id': 'b54557e4-bdd9-4b37-8a5f-bf7d70bcd043',
    'x-shopify-shop-domain': 'acme-mugs.myshopify.com',
  });
  const context = (topic: string) => ({
    integration: { name: 'shopify' },
    shopify: { topic, shop: 'acme-mugs.myshopify.com', webhookId: 'b54557e4-bdd9-4b37-8a5f-bf7d70bcd043' },
  });

  it('orders/create → "Order Completed" as the e-commerce spec has it', () => {
    expect(translate('shopify', SHOPIFY_ORDER, headers('orders/create'))).toEqual({
      calls: [
        {
          type: 'track',
          event: 'Order Completed',
          userId: '6940095250608',
          messageId: 'shopify-b54557e4-bdd9-4b37-8a5f-bf7d70bcd043',
          timestamp: '2025-12-02T14:00:00+01:00',
          properties: {
            order_id: '5801343828171',
            order_number: 1001,
            checkout_id: '901414060',
            total: 43,
            subtotal: 35,
            revenue: 35,
            shipping: 5,
            tax: 3,
            discount: 5,
            coupon: 'WELCOME5',
            currency: 'EUR',
            products: [
              {
                product_id: '632910392',
                variant_id: '39072856',
                sku: 'MUG-BLUE',
                name: 'Mug',
                variant: 'Blue',
                brand: 'Acme',
                price: 12.5,
                quantity: 2,
                position: 1,
              },
              {
                product_id: '632910393',
                variant_id: '49148385',
                name: 'Tea',
                brand: 'Acme',
                price: 15,
                quantity: 1,
                position: 2,
              },
            ],
          },
          context: { traits: { email: 'ada@example.com' }, ...context('orders/create') },
        },
      ],
    });
  });

  it('a guest order is known by the order id', () => {
    const { customer: _customer, ...guest } = SHOPIFY_ORDER;
    expect(translate('shopify', guest, headers('orders/create'))).toMatchObject({
      calls: [{ anonymousId: '5801343828171', event: 'Order Completed' }],
    });
  });

  it('customers/create → identify', () => {
    expect(translate('shopify', SHOPIFY_CUSTOMER, headers('customers/create'))).toEqual({
      calls: [
        {
          type: 'identify',
          userId: '7012345678901',
          messageId: 'shopify-b54557e4-bdd9-4b37-8a5f-bf7d70bcd043',
          timestamp: '2025-12-02T14:05:00+01:00',
          traits: {
            email: 'bob@example.com',
            firstName: 'Bob',
            lastName: 'Norman',
            phone: '+16136120707',
            address: {
              street: 'Chestnut Street 92',
              city: 'Louisville',
              state: 'Kentucky',
              postalCode: '40202',
              country: 'United States',
            },
            createdAt: '2025-12-02T14:05:00+01:00',
            state: 'enabled',
            tags: 'vip',
            verifiedEmail: true,
            currency: 'EUR',
          },
          context: context('customers/create'),
        },
      ],
    });
  });

  it('a topic no translation reads is ignored', () => {
    expect(translate('shopify', SHOPIFY_ORDER, headers('orders/updated'))).toEqual({ ignored: 'orders/updated' });
  });

  it('falls back on X-Shopify-Event-Id for the messageId', () => {
    const only = { 'x-shopify-topic': 'customers/create', 'x-shopify-event-id': 'ev-9' };
    expect(translate('shopify', SHOPIFY_CUSTOMER, only)).toMatchObject({ calls: [{ messageId: 'shopify-ev-9' }] });
  });
});

describe('generic deliveries', () => {
  const mapping = {
    event: { '@template': 'Ticket {{status}}' },
    userId: { '@path': '$.requester.id' },
    properties: { ticket: { '@path': '$.id' }, priority: { '@path': '$.priority' } },
  };
  const delivery = { id: 'T-17', status: 'Solved', priority: 'high', requester: { id: 'user-3' } };

  it('becomes the call the mapping describes, a track call when it names no type', () => {
    const translated = translate('generic', delivery, {}, mapping) as { calls: Array<Record<string, unknown>> };
    expect(translated.calls).toEqual([
      {
        type: 'track',
        event: 'Ticket Solved',
        userId: 'user-3',
        properties: { ticket: 'T-17', priority: 'high' },
        messageId: expect.stringMatching(/^webhook-[0-9a-f]{32}$/),
      },
    ]);
    // The same bytes again are the same event; other bytes another one.
    expect(translate('generic', delivery, {}, mapping)).toEqual(translated);
    const other = translate('generic', { ...delivery, status: 'Open' }, {}, mapping) as typeof translated;
    expect(other.calls[0]!['messageId']).not.toBe(translated.calls[0]!['messageId']);
  });

  it('takes the type and messageId the mapping gives', () => {
    const identify = {
      type: 'identify',
      userId: { '@path': '$.requester.id' },
      messageId: { '@template': 'zd-{{id}}' },
      traits: { tier: { '@path': '$.priority' } },
    };
    expect(translate('generic', delivery, {}, identify)).toEqual({
      calls: [{ type: 'identify', userId: 'user-3', messageId: 'zd-T-17', traits: { tier: 'high' } }],
    });
  });
});
