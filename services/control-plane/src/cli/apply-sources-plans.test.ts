// `manifold apply` with webhook sources and tracking plans, against a real control plane
// (FerretDB): a Stripe source whose signing secret comes from the environment, a GitHub one whose
// secret comes from a file, a generic one with its mapping, and a tracking plan holding two
// sources; a second apply with nothing to do (the secrets compared on the server); a rotated
// secret, a changed mapping and a changed plan applied in place, the plan's schema diff shown;
// no secret ever printed; a bad file refused before anything changes.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultCatalog } from '../default-catalog';
import { cliRunner, startTestControlPlane, type Harness } from '../test-support/harness';

describe('manifold apply: webhook sources and tracking plans', () => {
  let h: Harness;
  let dir: string;
  let cli: ReturnType<typeof cliRunner>;
  const STRIPE_SECRET = 'whsec_apply_test_0123456789';
  const GITHUB_SECRET = 'gh-apply-secret-abcdef';

  beforeAll(async () => {
    h = await startTestControlPlane({ catalog: defaultCatalog() });
    cli = cliRunner(h);
    dir = await mkdtemp(join(tmpdir(), 'manifold-apply-sources-'));
    process.env['APPLY_TEST_STRIPE_SECRET'] = STRIPE_SECRET;
    await writeFile(join(dir, 'github.secret'), `${GITHUB_SECRET}\n`);
  });

  afterAll(async () => {
    delete process.env['APPLY_TEST_STRIPE_SECRET'];
    await h?.stop();
  });

  const file = (o: { total?: string; policy?: string; planSources?: string; eventPath?: string } = {}) =>
    [
      'workspace: { slug: hooks, name: Hooks, owner: owner@hooks.test }',
      'sources:',
      '  - { slug: web, name: Web, type: javascript, category: website }',
      '  - slug: stripe',
      '    name: Stripe',
      '    type: webhook',
      '    category: cloud app',
      '    webhook: { kind: stripe, signingSecret: "${APPLY_TEST_STRIPE_SECRET}" }',
      '  - slug: github',
      '    name: GitHub',
      '    type: webhook',
      '    category: cloud app',
      '    webhook: { kind: github, signingSecretFile: github.secret }',
      '  - slug: forms',
      '    name: Forms',
      '    type: webhook',
      '    category: cloud app',
      '    webhook:',
      '      kind: generic',
      '      mapping:',
      '        type: track',
      `        event: { "@path": "${o.eventPath ?? '$.kind'}" }`,
      '        userId: { "@path": "$.user.id" }',
      '        properties: { "@path": "$.data" }',
      'trackingPlans:',
      '  - name: Web plan',
      `    sources: ${o.planSources ?? '[web, forms]'}`,
      '    events:',
      '      Order Completed:',
      '        type: object',
      `        properties: { orderId: { type: string }, total: { type: ${o.total ?? 'number'} } }`,
      '        required: [orderId]',
      `    policies: { unplannedEvents: ${o.policy ?? 'block'} }`,
      '',
    ].join('\n');

  it('creates webhook sources and a plan, idempotently, and applies changes in place', async () => {
    const path = join(dir, 'hooks.yaml');
    await writeFile(path, file());
    const first = await cli('apply', '-f', path);
    expect(first).toMatchObject({ code: 0, err: '' });
    expect(first.out).toContain('+ create source stripe (webhook stripe)');
    expect(first.out).toContain('+ create source forms (webhook generic)');
    expect(first.out).toContain('+ create tracking plan Web plan (sources: web, forms)');
    expect(first.out).toContain('    + events.Order Completed');
    expect(first.out).toContain('    ~ policies.unplannedEvents: "allow" -> "block"');
    expect(first.out).not.toContain(STRIPE_SECRET);
    expect(first.out).not.toContain(GITHUB_SECRET);

    const stripe = await h.client.sources.getSource({ workspace: 'hooks', source: 'stripe' });
    expect(stripe.webhook).toMatchObject({
      kind: 'stripe',
      signingSecret: '********',
      duplicateWindowSeconds: 96 * 3600,
    });
    const forms = await h.client.sources.getSource({ workspace: 'hooks', source: 'forms' });
    expect(forms.webhook?.mapping).toMatchObject({ type: 'track', event: { '@path': '$.kind' } });
    // The secrets saved are the file's: sending them again changes nothing, another one would.
    const dryRun = (source: string, kind: string, signingSecret: string) =>
      h.client.sources.updateSource({ workspace: 'hooks', source, webhook: { kind, signingSecret }, dryRun: true });
    expect((await dryRun('stripe', 'stripe', STRIPE_SECRET)).changedFields).toEqual([]);
    expect((await dryRun('github', 'github', GITHUB_SECRET)).changedFields).toEqual([]);
    expect((await dryRun('github', 'github', 'other')).changedFields).toEqual(['webhook.signing_secret']);

    const [plan] = (await h.client.trackingPlans.listTrackingPlans({ workspaceId: 'hooks' })).plans;
    const web = await h.client.sources.getSource({ workspace: 'hooks', source: 'web' });
    expect(plan).toMatchObject({ name: 'Web plan', version: 1, sourceIds: [web.id, forms.id].sort() });
    expect(plan!.rules).toMatchObject({ policies: { unplannedEvents: 'block', violations: 'allow' } });

    expect((await cli('apply', '-f', path)).out).toBe(`no changes: workspace hooks matches ${path}\n`);

    // A rotated secret (named, not shown), a changed mapping, a changed schema, a source moved out.
    process.env['APPLY_TEST_STRIPE_SECRET'] = `${STRIPE_SECRET}-rotated`;
    await writeFile(path, file({ total: 'string', planSources: '[web]', eventPath: '$.event' }));
    const changed = await cli('apply', '-f', path);
    expect(changed).toMatchObject({ code: 0, err: '' });
    expect(changed.out).toContain('~ update source stripe: webhook.signing_secret\n');
    expect(changed.out).toContain('~ update source forms: webhook.mapping\n');
    expect(changed.out).toContain('~ update tracking plan Web plan (version 1 -> 2)');
    expect(changed.out).toContain('    ~ events.Order Completed/properties/total/type: "number" -> "string"');
    expect(changed.out).toContain('    - source forms');
    expect(changed.out).not.toContain(STRIPE_SECRET);
    expect((await dryRun('stripe', 'stripe', `${STRIPE_SECRET}-rotated`)).changedFields).toEqual([]);
    const v2 = await h.client.trackingPlans.getTrackingPlan({ id: plan!.id, version: 0 });
    expect(v2).toMatchObject({ version: 2, sourceIds: [web.id] });
    expect((await cli('apply', '-f', path)).out).toMatch(/^no changes/);
  });

  it('keeps a plan the file no longer lists, and deletes it with --prune, freeing its sources for another', async () => {
    const path = join(dir, 'hooks.yaml');
    const sourcesOnly = file().split('trackingPlans:')[0] ?? '';
    await writeFile(path, sourcesOnly);
    const kept = await cli('apply', '-f', path);
    expect(kept).toMatchObject({ code: 0, err: '' });
    expect(kept.out).toContain('(not in the file, kept: tracking plan Web plan; --prune deletes it)');
    const [old] = (await h.client.trackingPlans.listTrackingPlans({ workspaceId: 'hooks' })).plans;
    expect(old).toMatchObject({ name: 'Web plan' });

    // Another plan takes the source the deleted one held, in the same apply.
    await writeFile(
      path,
      [
        sourcesOnly.trimEnd(),
        'trackingPlans:',
        '  - name: Checkout plan',
        '    sources: [web]',
        '    events: { Checkout Started: { type: object } }',
        '',
      ].join('\n'),
    );
    const pruned = await cli('apply', '--prune', '-f', path);
    expect(pruned).toMatchObject({ code: 0, err: '' });
    expect(pruned.out).toContain('- delete tracking plan Web plan');
    expect(pruned.out).toContain('+ create tracking plan Checkout plan (sources: web)');
    expect(pruned.out.indexOf('- delete tracking plan Web plan')).toBeLessThan(
      pruned.out.indexOf('+ create tracking plan Checkout plan'),
    );
    const web = await h.client.sources.getSource({ workspace: 'hooks', source: 'web' });
    const { plans } = await h.client.trackingPlans.listTrackingPlans({ workspaceId: 'hooks' });
    expect(plans).toEqual([expect.objectContaining({ name: 'Checkout plan', version: 1, sourceIds: [web.id] })]);
    // Every version of the deleted plan is gone.
    await expect(h.client.trackingPlans.getTrackingPlan({ id: old!.id, version: 1 })).rejects.toThrow(/not found/i);
    expect((await cli('apply', '--prune', '-f', path)).out).toMatch(/^no changes/);
  });

  it('refuses a bad file with every problem and changes nothing', async () => {
    const path = join(dir, 'bad.yaml');
    await writeFile(
      path,
      [
        'workspace: { slug: badhooks, name: Bad, owner: owner@bad.test }',
        'sources:',
        '  - { slug: shop, name: Shop, type: webhook, category: cloud app, webhook: { kind: shopfy } }',
        '  - { slug: form, name: Form, type: webhook, category: cloud app, webhook: { kind: generic, signingSecretFile: nowhere.secret } }',
        'trackingPlans:',
        '  - name: P',
        '    sources: [shop, mobile]',
        '    events: { Signed Up: { type: objekt } }',
        '',
      ].join('\n'),
    );
    const refused = await cli('apply', '-f', path);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain('sources[0].webhook.kind: must be one of stripe, github, shopify, generic');
    expect(refused.err).toContain('sources[1].webhook.mapping: is required for a generic webhook source');
    expect(refused.err).toContain('sources[1].webhook.signingSecretFile: cannot read');
    expect(refused.err).toContain('trackingPlans[0].sources[1]: no source mobile in the file or the workspace');
    expect(refused.err).toMatch(/trackingPlans\[0\]\.events\.Signed Up: \/type: /);
    expect(refused.err).toContain('nothing was changed');
    await expect(h.client.workspaces.getWorkspace({ workspace: 'badhooks' })).rejects.toThrow(/NOT_FOUND|not found/i);
  });
});
