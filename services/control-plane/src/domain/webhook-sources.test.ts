// Webhook sources in the control plane (real FerretDB): the kind and mapping checked, the signing
// secret sealed at rest, masked in every read, kept when sent back masked, and given in clear only
// to the data plane's config stream; rotation to a new secret with the old one kept for a while;
// the duplicate window; the stable webhook path.
import { status } from '@grpc/grpc-js';
import { connectConfigStream, type ConfigStreamClient } from '@manifold/config-client';
import { eventually, testLogger } from '@manifold/testing';
import { grpcError, startTestControlPlane, type Harness } from '../test-support/harness';

const SECRET = 'whsec_cp_test_9Lq2V';
const base = { workspace: 'hooks', name: 'Stripe', type: 'webhook', category: 'cloud app', environment: 'prod' };

describe('webhook sources (real FerretDB)', () => {
  let h: Harness;
  let stream: ConfigStreamClient;

  beforeAll(async () => {
    h = await startTestControlPlane();
    await h.client.workspaces.createWorkspace({
      slug: 'hooks',
      name: 'Hooks',
      ownerEmail: 'o@hooks.test',
      members: [],
    });
    stream = await connectConfigStream({ address: h.controlPlane.address, token: h.token, logger: testLogger('cs') });
  });

  afterAll(async () => {
    await stream?.close();
    await h?.stop();
  });

  it('stores the secret sealed, shows it masked, and streams it in clear to the data plane', async () => {
    const created = await h.client.sources.createSource({
      ...base,
      slug: 'stripe',
      webhook: { kind: 'stripe', signingSecret: SECRET },
    });
    expect(created.webhook).toEqual({
      kind: 'stripe',
      signingSecret: '********',
      duplicateWindowSeconds: 96 * 3600,
      path: `/v1/webhook/${created.id}`,
    });
    expect(JSON.stringify(await h.client.sources.getSource({ workspace: 'hooks', source: 'stripe' }))).not.toContain(
      SECRET,
    );
    expect(JSON.stringify(await h.client.sources.listSources({ workspace: 'hooks' }))).not.toContain(SECRET);

    const stored = await h.controlPlane.domain.store.sources.findOne({ _id: created.id });
    expect(stored?.webhook?.signingSecret).toMatch(/^enc:v1:/);
    expect(JSON.stringify(stored)).not.toContain(SECRET);

    const streamed = await eventually(
      async () => stream.source(created.id)?.webhook,
      (w) => w !== undefined,
    );
    expect(streamed).toEqual({
      kind: 'stripe',
      signingSecret: SECRET,
      previousSigningSecret: '',
      duplicateWindowSeconds: 96 * 3600,
    });
  });

  it('keeps a secret sent back masked, replaces or removes it on request', async () => {
    const source = await h.client.sources.createSource({
      ...base,
      slug: 'rotating',
      name: 'Rotating',
      webhook: { kind: 'github', signingSecret: 'first-secret' },
    });
    const secretOf = async () =>
      eventually(
        async () => stream.source(source.id)?.webhook?.signingSecret,
        (s) => s !== undefined,
      );
    await h.client.sources.updateSource({
      workspace: 'hooks',
      source: 'rotating',
      webhook: { kind: 'github', signingSecret: '********' },
      reason: '',
    });
    expect(await secretOf()).toBe('first-secret');
    await h.client.sources.updateSource({
      workspace: 'hooks',
      source: 'rotating',
      webhook: { kind: 'github', signingSecret: 'second-secret' },
      reason: '',
    });
    await eventually(secretOf, (s) => s === 'second-secret');
    const removed = await h.client.sources.updateSource({
      workspace: 'hooks',
      source: 'rotating',
      webhook: { kind: 'github', signingSecret: '' },
      reason: '',
    });
    expect(removed.webhook).toMatchObject({ kind: 'github' });
    expect(removed.webhook?.signingSecret).toBeUndefined();
    await eventually(secretOf, (s) => s === '');
  });

  it('rotates to a new secret, accepting the old one until its grace period ends, masked in every read', async () => {
    const source = await h.client.sources.createSource({
      ...base,
      slug: 'rolled',
      name: 'Rolled',
      webhook: { kind: 'stripe', signingSecret: 'whsec_old_Q1' },
    });
    const before = Date.now();
    const rotated = await h.client.sources.updateSource({
      workspace: 'hooks',
      source: 'rolled',
      webhook: { kind: 'stripe', signingSecret: 'whsec_new_Q2', previousSecretGraceSeconds: 3600 },
      reason: '',
    });
    expect(rotated.webhook).toMatchObject({ signingSecret: '********', previousSigningSecret: '********' });
    const expiresAt = rotated.webhook?.previousSigningSecretExpiresAt?.getTime() ?? 0;
    expect(expiresAt).toBeGreaterThanOrEqual(before + 3600_000 - 5000);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 3600_000 + 5000);
    const read = JSON.stringify(await h.client.sources.getSource({ workspace: 'hooks', source: 'rolled' }));
    expect(read).not.toContain('whsec_old_Q1');
    expect(read).not.toContain('whsec_new_Q2');
    const stored = await h.controlPlane.domain.store.sources.findOne({ _id: source.id });
    expect(stored?.webhook?.previousSigningSecret).toMatch(/^enc:v1:/);

    const streamed = await eventually(
      async () => stream.source(source.id)?.webhook,
      (w) => w?.signingSecret === 'whsec_new_Q2',
    );
    expect(streamed).toMatchObject({
      previousSigningSecret: 'whsec_old_Q1',
      previousSigningSecretExpiresAt: new Date(expiresAt).toISOString(),
    });

    // Sent back as read (masked), both are kept; an update without a rotation keeps the previous one.
    const kept = await h.client.sources.updateSource({
      workspace: 'hooks',
      source: 'rolled',
      webhook: { kind: 'stripe', signingSecret: '********', previousSigningSecret: '********' },
      reason: '',
    });
    expect(kept.webhook?.previousSigningSecretExpiresAt?.getTime()).toBe(expiresAt);

    // Once expired, it is gone from reads and from the stream.
    await h.controlPlane.domain.store.sources.updateOne(
      { _id: source.id },
      { $set: { 'webhook.previousSigningSecretExpiresAt': new Date(Date.now() - 1000) } },
    );
    const expired = await h.client.sources.getSource({ workspace: 'hooks', source: 'rolled' });
    expect(expired.webhook?.previousSigningSecret).toBeUndefined();

    // A rotation with the default grace (0: 24 h), then the previous secret removed on request.
    const again = await h.client.sources.updateSource({
      workspace: 'hooks',
      source: 'rolled',
      webhook: { kind: 'stripe', signingSecret: 'whsec_newer_Q3', previousSecretGraceSeconds: 0 },
      reason: '',
    });
    const day = (again.webhook?.previousSigningSecretExpiresAt?.getTime() ?? 0) - Date.now();
    expect(day).toBeGreaterThan(23 * 3600_000);
    expect(day).toBeLessThanOrEqual(24 * 3600_000);
    await eventually(
      async () => stream.source(source.id)?.webhook?.previousSigningSecret,
      (s) => s === 'whsec_new_Q2',
    );
    const removed = await h.client.sources.updateSource({
      workspace: 'hooks',
      source: 'rolled',
      webhook: { kind: 'stripe', previousSigningSecret: '' },
      reason: '',
    });
    expect(removed.webhook?.previousSigningSecret).toBeUndefined();
    expect(removed.webhook?.signingSecret).toBe('********');
    await eventually(
      async () => stream.source(source.id)?.webhook,
      (w) => w?.previousSigningSecret === '' && w.signingSecret === 'whsec_newer_Q3',
    );
  });

  it('takes a duplicate window per source, the app’s default otherwise', async () => {
    const source = await h.client.sources.createSource({
      ...base,
      slug: 'shop',
      name: 'Shop',
      webhook: { kind: 'shopify', duplicateWindowSeconds: 5 * 24 * 3600 },
    });
    expect(source.webhook?.duplicateWindowSeconds).toBe(5 * 24 * 3600);
    await eventually(
      async () => stream.source(source.id)?.webhook?.duplicateWindowSeconds,
      (w) => w === 5 * 24 * 3600,
    );
    // Unset keeps it; 0 goes back to Shopify's default.
    const kept = await h.client.sources.updateSource({
      workspace: 'hooks',
      source: 'shop',
      webhook: { kind: 'shopify' },
      reason: '',
    });
    expect(kept.webhook?.duplicateWindowSeconds).toBe(5 * 24 * 3600);
    const reset = await h.client.sources.updateSource({
      workspace: 'hooks',
      source: 'shop',
      webhook: { kind: 'shopify', duplicateWindowSeconds: 0 },
      reason: '',
    });
    expect(reset.webhook?.duplicateWindowSeconds).toBe(72 * 3600);
  });

  it('keeps a generic source’s mapping, keys with dots and dollars included', async () => {
    const mapping = {
      type: 'track',
      event: { '@path': '$.action' },
      userId: { '@path': '$.user.id' },
      properties: { 'ticket.id': { '@path': '$.id' }, $plan: 'pro' },
    };
    const source = await h.client.sources.createSource({
      ...base,
      slug: 'tickets',
      name: 'Tickets',
      webhook: { kind: 'generic', mapping },
    });
    expect(source.webhook).toMatchObject({ kind: 'generic', mapping, duplicateWindowSeconds: 24 * 3600 });
    const streamed = await eventually(
      async () => stream.source(source.id)?.webhook,
      (w) => w !== undefined,
    );
    expect(streamed).toEqual({
      kind: 'generic',
      signingSecret: '',
      mapping,
      previousSigningSecret: '',
      duplicateWindowSeconds: 24 * 3600,
    });
  });

  it.each([
    ['no settings', { webhook: undefined }, [['webhook', /is required/]]],
    ['an unknown kind', { webhook: { kind: 'zendesk' } }, [['webhook.kind', /stripe, github, shopify, generic/]]],
    ['a generic source without mapping', { webhook: { kind: 'generic' } }, [['webhook.mapping', /is required/]]],
    [
      'a mapping with an unknown directive',
      { webhook: { kind: 'generic', mapping: { event: { '@nope': 1 } } } },
      [['webhook.mapping.event', /@nope/]],
    ],
    [
      'a mapping for a built-in app',
      { webhook: { kind: 'stripe', mapping: { event: 'x' } } },
      [['webhook.mapping', /only for generic/]],
    ],
    [
      'a masked secret with none saved',
      { webhook: { kind: 'stripe', signingSecret: '********' } },
      [['webhook.signing_secret', /masked/]],
    ],
    [
      'a previous secret given as a value',
      { webhook: { kind: 'stripe', signingSecret: 's', previousSigningSecret: 'old' } },
      [['webhook.previous_signing_secret', /set by a rotation/]],
    ],
    [
      'a grace period without a new secret',
      { webhook: { kind: 'stripe', previousSecretGraceSeconds: 60 } },
      [['webhook.previous_secret_grace_seconds', /new signing_secret/]],
    ],
    [
      'a grace period over 7 days',
      { webhook: { kind: 'stripe', signingSecret: 's', previousSecretGraceSeconds: 8 * 24 * 3600 } },
      [['webhook.previous_secret_grace_seconds', /between 0/]],
    ],
    [
      'a duplicate window under an hour',
      { webhook: { kind: 'stripe', duplicateWindowSeconds: 60 } },
      [['webhook.duplicate_window_seconds', /between 3600/]],
    ],
  ])('refuses %s', async (_what, fields, expected) => {
    const e = await grpcError(h.client.sources.createSource({ ...base, slug: 'bad', name: 'Bad', ...fields }));
    expect(e.code).toBe(status.INVALID_ARGUMENT);
    expect(e.violations).toEqual(
      expected.map(([field, message]) => ({ field, message: expect.stringMatching(message as RegExp) })),
    );
  });

  it('refuses webhook settings on a source of another type', async () => {
    const e = await grpcError(
      h.client.sources.createSource({
        ...base,
        slug: 'web',
        name: 'Web',
        type: 'javascript',
        category: 'website',
        webhook: { kind: 'stripe' },
      }),
    );
    expect(e.violations).toEqual([{ field: 'webhook', message: 'is only for sources of type webhook' }]);
  });
});
