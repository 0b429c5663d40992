// Test support: deliveries as Stripe, GitHub and Shopify send them (trimmed to the fields the
// translations read, plus a few they pass on), and their signatures built from each app's published
// scheme, independently of ingestion's own verification code.
import { createHmac } from 'node:crypto';

export const STRIPE_SECRET = 'whsec_test_6fQ2mZk1b8Yc0pLx';
export const GITHUB_SECRET = 'gh-hook-secret-4kT9qW2';
export const SHOPIFY_SECRET = 'shpss_client_secret_71c0ffee';

/** Headers that carry a Stripe signature of `body`, signed `at` (Unix seconds). */
export function stripeHeaders(body: string, secret = STRIPE_SECRET, at = Math.floor(Date.now() / 1000)) {
  const v1 = createHmac('sha256', secret).update(`${at}.${body}`).digest('hex');
  return { 'stripe-signature': `t=${at},v1=${v1}` };
}

export function githubHeaders(body: string, event: string, delivery: string, secret = GITHUB_SECRET) {
  const sig = createHmac('sha256', secret).update(body).digest('hex');
  return {
    'x-github-event': event,
    'x-github-delivery': delivery,
    'x-github-hook-id': '48151623',
    'x-hub-signature-256': `sha256=${sig}`,
  };
}

export function shopifyHeaders(body: string, topic: string, webhookId: string, secret = SHOPIFY_SECRET) {
  return {
    'x-shopify-topic': topic,
    'x-shopify-webhook-id': webhookId,
    'x-shopify-shop-domain': 'acme-mugs.myshopify.com',
    'x-shopify-api-version': '2025-10',
    'x-shopify-hmac-sha256': createHmac('sha256', secret).update(body).digest('base64'),
  };
}

const CREATED = 1764680400; // 2025-12-02T13:00:00Z

export function stripeEvent(id: string, type: string, object: Record<string, unknown>) {
  return { id, object: 'event', api_version: '2025-09-30', created: CREATED, livemode: false, type, data: { object } };
}

export const STRIPE_CUSTOMER = {
  id: 'cus_Ra1b2c3',
  object: 'customer',
  email: 'ada@example.com',
  name: 'Ada Lovelace',
  phone: '+33123456789',
  description: null,
  created: CREATED,
  currency: 'eur',
  address: { line1: '1 Rue de Rivoli', line2: null, city: 'Paris', state: null, postal_code: '75001', country: 'FR' },
  metadata: { plan: 'pro' },
};

export const STRIPE_CHARGE = {
  id: 'ch_3Pq7',
  object: 'charge',
  amount: 2500,
  currency: 'eur',
  customer: 'cus_Ra1b2c3',
  paid: true,
  status: 'succeeded',
  receipt_email: 'ada@example.com',
};

export const STRIPE_INVOICE = {
  id: 'in_1Q9',
  object: 'invoice',
  customer: 'cus_Ra1b2c3',
  amount_paid: 4900,
  currency: 'eur',
  number: 'ACME-0042',
  status: 'paid',
};

export const STRIPE_SUBSCRIPTION = {
  id: 'sub_1Qx',
  object: 'subscription',
  customer: 'cus_Ra1b2c3',
  status: 'active',
  cancel_at_period_end: false,
  items: { object: 'list', data: [{ id: 'si_1', price: { id: 'price_pro', unit_amount: 4900 } }] },
};

const REPOSITORY = {
  id: 1296269,
  full_name: 'octo-org/hello-world',
  html_url: 'https://github.com/octo-org/hello-world',
  private: false,
  stargazers_count: 81,
};
const SENDER = { login: 'octocat', id: 583231 };

export const GITHUB_PUSH = {
  ref: 'refs/heads/main',
  before: '6113728f27ae82c7b1a177c8d03f9e96e0adf246',
  after: '0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c',
  created: false,
  deleted: false,
  forced: false,
  compare: 'https://github.com/octo-org/hello-world/compare/6113728f27ae...0d1a26e67d8f',
  commits: [
    {
      id: '0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c',
      message: 'Fix the README',
      timestamp: '2025-12-02T13:00:00+01:00',
      url: 'https://github.com/octo-org/hello-world/commit/0d1a26e67d8f',
      author: { name: 'The Octocat', email: 'octocat@github.com' },
    },
  ],
  pusher: { name: 'octocat', email: 'octocat@github.com' },
  repository: REPOSITORY,
  sender: SENDER,
};

export const GITHUB_ISSUE_OPENED = {
  action: 'opened',
  issue: {
    number: 1347,
    title: 'Found a bug',
    body: "I'm having a problem with this.",
    state: 'open',
    html_url: 'https://github.com/octo-org/hello-world/issues/1347',
    labels: [{ name: 'bug' }],
    assignees: [{ login: 'hubot' }],
    created_at: '2025-12-02T12:00:00Z',
    closed_at: null,
  },
  repository: REPOSITORY,
  sender: SENDER,
};

export const GITHUB_PR_OPENED = {
  action: 'opened',
  number: 42,
  pull_request: {
    number: 42,
    title: 'Add webhook sources',
    body: 'Closes #19',
    state: 'open',
    html_url: 'https://github.com/octo-org/hello-world/pull/42',
    draft: false,
    merged: false,
    base: { ref: 'main' },
    head: { ref: 'webhook-sources' },
    additions: 120,
    deletions: 4,
    changed_files: 7,
    labels: [],
    created_at: '2025-12-02T12:30:00Z',
    merged_at: null,
  },
  repository: REPOSITORY,
  sender: SENDER,
};

export const GITHUB_STAR = {
  action: 'created',
  starred_at: '2025-12-02T12:45:00Z',
  repository: REPOSITORY,
  sender: SENDER,
};

export const GITHUB_PING = { zen: 'Design for failure.', hook_id: 48151623, repository: REPOSITORY, sender: SENDER };

export const SHOPIFY_ORDER = {
  id: 5801343828171,
  order_number: 1001,
  checkout_id: 901414060,
  email: 'ada@example.com',
  created_at: '2025-12-02T14:00:00+01:00',
  currency: 'EUR',
  total_price: '43.00',
  subtotal_price: '35.00',
  total_tax: '3.00',
  total_discounts: '5.00',
  total_shipping_price_set: { shop_money: { amount: '5.00', currency_code: 'EUR' } },
  discount_codes: [{ code: 'WELCOME5', amount: '5.00', type: 'fixed_amount' }],
  customer: { id: 6940095250608, email: 'ada@example.com' },
  line_items: [
    {
      id: 466157049,
      product_id: 632910392,
      variant_id: 39072856,
      sku: 'MUG-BLUE',
      title: 'Mug',
      variant_title: 'Blue',
      vendor: 'Acme',
      price: '12.50',
      quantity: 2,
    },
    {
      id: 518995019,
      product_id: 632910393,
      variant_id: 49148385,
      sku: '',
      title: 'Tea',
      variant_title: null,
      vendor: 'Acme',
      price: '15.00',
      quantity: 1,
    },
  ],
};

export const SHOPIFY_CUSTOMER = {
  id: 7012345678901,
  email: 'bob@example.com',
  first_name: 'Bob',
  last_name: 'Norman',
  phone: '+16136120707',
  created_at: '2025-12-02T14:05:00+01:00',
  state: 'enabled',
  tags: 'vip',
  note: null,
  verified_email: true,
  currency: 'EUR',
  default_address: {
    address1: 'Chestnut Street 92',
    address2: '',
    city: 'Louisville',
    province: 'Kentucky',
    zip: '40202',
    country: 'United States',
  },
};
