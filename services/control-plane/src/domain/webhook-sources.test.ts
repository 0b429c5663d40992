// Webhook sources in the control plane (real FerretDB): the kind and mapping checked, the signing
// secret sealed at rest, masked in every read, kept when sent back masked, and given in clear only
// to the data plane's config stream.
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
    expect(created.webhook).toEqual({ kind: 'stripe', signingSecret: '********' });
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
    expect(streamed).toEqual({ kind: 'stripe', signingSecret: SECRET });
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
    expect(removed.webhook).toEqual({ kind: 'github' });
    await eventually(secretOf, (s) => s === '');
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
    expect(source.webhook).toEqual({ kind: 'generic', mapping });
    const streamed = await eventually(
      async () => stream.source(source.id)?.webhook,
      (w) => w !== undefined,
    );
    expect(streamed).toEqual({ kind: 'generic', signingSecret: '', mapping });
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
