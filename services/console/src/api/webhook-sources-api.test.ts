// A webhook source's signing secret rotated through the Public API, against a real control plane
// and FerretDB: the previous secret kept for the grace period and masked like the current one, the
// stable webhook path and the duplicate window in every read, read-only fields not taken.
import { ConsoleClient } from '../testing/http-client';
import { startConsoleStack, type ConsoleStack } from '../testing/stack';
import type { Source } from './types';

const OLD = 'whsec_rest_old_4Tq';
const NEW = 'whsec_rest_new_9Vb';

describe('console Public API: webhook sources', () => {
  let stack: ConsoleStack;
  let owner: ConsoleClient;
  const path = '/api/v1/workspaces/hooks/sources/stripe';

  beforeAll(async () => {
    stack = await startConsoleStack({ catalog: 'default' });
    owner = new ConsoleClient(stack.console.url);
    expect((await owner.setup('owner@hooks.test', 'correct horse battery', 'hooks', 'Hooks')).status).toBe(201);
  }, 60000);

  afterAll(async () => {
    await stack?.stop();
  });

  it('rotates the signing secret, keeping the old one for the grace period, masked in every read', async () => {
    const created = await owner.call<Source>('POST', '/api/v1/workspaces/hooks/sources', {
      slug: 'stripe',
      name: 'Stripe',
      type: 'webhook',
      category: 'cloud app',
      webhook: { kind: 'stripe', signingSecret: OLD },
    });
    expect(created.status).toBe(201);
    expect(created.body.webhook).toMatchObject({
      kind: 'stripe',
      signingSecret: '********',
      duplicateWindowSeconds: 96 * 3600,
      path: `/v1/webhook/${created.body.id}`,
    });

    const before = Date.now();
    const rotated = await owner.call<Source>('PATCH', path, {
      webhook: {
        kind: 'stripe',
        signingSecret: NEW,
        previousSecretGraceSeconds: 7200,
        duplicateWindowSeconds: 5 * 86400,
      },
    });
    expect(rotated.status).toBe(200);
    expect(rotated.body.webhook).toMatchObject({
      signingSecret: '********',
      previousSigningSecret: '********',
      duplicateWindowSeconds: 5 * 86400,
    });
    const until = Date.parse(rotated.body.webhook?.previousSigningSecretExpiresAt ?? '');
    expect(until).toBeGreaterThanOrEqual(before + 7200_000 - 5000);
    expect(until).toBeLessThanOrEqual(Date.now() + 7200_000 + 5000);

    const read = await owner.call<Source>('GET', path);
    expect(JSON.stringify(read.body)).not.toContain(OLD);
    expect(JSON.stringify(read.body)).not.toContain(NEW);

    // The previous secret cannot be set by value, nor a grace period given without a new secret.
    const refused = await owner.call<{ error: { fields: Array<{ field: string }> } }>('PATCH', path, {
      webhook: { kind: 'stripe', previousSigningSecret: 'whsec_sneaky', previousSecretGraceSeconds: 60 },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.error.fields.map((f) => f.field).sort()).toEqual([
      'webhook.previous_secret_grace_seconds',
      'webhook.previous_signing_secret',
    ]);

    // Removed on request; the current one stays.
    const removed = await owner.call<Source>('PATCH', path, { webhook: { kind: 'stripe', previousSigningSecret: '' } });
    expect(removed.status).toBe(200);
    expect(removed.body.webhook?.previousSigningSecret).toBeUndefined();
    expect(removed.body.webhook?.signingSecret).toBe('********');
  });
});
