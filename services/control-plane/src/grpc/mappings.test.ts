import { status } from '@grpc/grpc-js';
import { connectConfigStream, type ConfigStreamClient } from '@manifold/config-client';
import { presetMappings } from '@manifold/destination-kit';
import { webhook } from '@manifold/destinations';
import type { DestinationMapping } from '@manifold/proto';
import { testLogger, waitFor } from '@manifold/testing';
import { defaultCatalog } from '../default-catalog';
import { grpcError, startTestControlPlane, type Harness } from '../test-support/harness';

const presets = presetMappings(webhook);

const renamed: DestinationMapping = {
  id: 'signup',
  name: 'Signups only, renamed',
  enabled: true,
  trigger: 'type = "track" and event = "Signed Up"',
  action: 'send',
  fields: {
    data: {
      event: { '@replace': { value: { '@path': '$.event' }, pattern: 'Signed Up', replacement: 'signup' } },
      // Keys a user may choose: FerretDB refuses "." and "$" in stored keys, the mapping keeps them.
      'plan.name': { '@case': { operator: 'lower', value: { '@path': '$.context.traits.plan' } } },
      $userId: { '@path': '$.userId' },
    },
  },
};

describe('destination mappings over gRPC (real FerretDB)', () => {
  let h: Harness;
  const streams: ConfigStreamClient[] = [];

  beforeAll(async () => {
    h = await startTestControlPlane({ catalog: defaultCatalog() });
    await h.client.workspaces.createWorkspace({ slug: 'maps', name: 'Maps', ownerEmail: 'o@maps.test', members: [] });
  });

  afterAll(async () => {
    for (const stream of streams) stream.close();
    await h?.stop();
  });

  const create = (name: string) =>
    h.client.destinations.createDestination({
      workspace: 'maps',
      name,
      catalogId: 'webhook',
      settings: { url: 'https://hooks.example.com/in' },
      sources: [],
      syncIntervalSeconds: 0,
    });

  it('starts a new destination with the presets, as version 1', async () => {
    const created = await create('Hook A');
    expect(created.mappingsVersion).toBe(1);
    expect(created.mappings).toEqual(presets);
    const { versions } = await h.client.destinations.listDestinationMappingVersions({
      workspace: 'maps',
      destination: created.id,
    });
    expect(versions).toEqual([
      expect.objectContaining({
        version: 1,
        changedBy: 'tester@example.com',
        diff: ['the presets'],
        mappings: presets,
      }),
    ]);
  });

  it('refuses invalid mappings with every problem named by its path, and stores nothing', async () => {
    const bad = await grpcError(
      h.client.destinations.setDestinationMappings({
        workspace: 'maps',
        destination: 'Hook A',
        mappings: [
          { ...renamed, trigger: 'event = = "x"' },
          { id: 'two', name: 'Two', enabled: true, trigger: 'all', action: 'explode', fields: {} },
          {
            id: 'three',
            name: 'Three',
            enabled: true,
            trigger: 'all',
            action: 'send',
            fields: { data: 'text', extra: 1 },
          },
          { id: 'four', name: 'Four', enabled: true, trigger: 'all', action: 'send', fields: {} },
        ],
        comment: '',
        dryRun: false,
      }),
    );
    expect(bad.code).toBe(status.INVALID_ARGUMENT);
    expect(bad.violations.map((v) => v.field)).toEqual([
      'mappings[0].trigger',
      'mappings[1].action',
      'mappings[2].fields.data',
      'mappings[2].fields.extra',
      'mappings[3].fields.data',
    ]);
    expect(bad.violations[4]?.message).toBe('is required by Send and has no default: map it');
    const after = await h.client.destinations.getDestination({ workspace: 'maps', destination: 'Hook A' });
    expect([after.mappingsVersion, after.mappings]).toEqual([1, presets]);
  });

  it('saves valid mappings as a new version (who, when, diff), guards against lost updates, rolls back', async () => {
    const dry = await h.client.destinations.setDestinationMappings({
      workspace: 'maps',
      destination: 'Hook A',
      mappings: [renamed, { ...renamed, id: '', name: 'Unnamed id' }],
      comment: '',
      dryRun: true,
    });
    expect(dry.mappings[1]?.id).toMatch(/^map_/);
    expect(dry.mappingsVersion).toBe(1);

    const saved = await h.client.destinations.setDestinationMappings({
      workspace: 'maps',
      destination: 'Hook A',
      mappings: [renamed],
      comment: 'only signups',
      dryRun: false,
      expectedVersion: 1,
    });
    expect(saved.mappingsVersion).toBe(2);
    expect(saved.mappings).toEqual([renamed]);
    const read = await h.client.destinations.getDestination({ workspace: 'maps', destination: 'Hook A' });
    expect(read.mappings).toEqual([renamed]);

    const stale = await grpcError(
      h.client.destinations.setDestinationMappings({
        workspace: 'maps',
        destination: 'Hook A',
        mappings: presets,
        comment: '',
        dryRun: false,
        expectedVersion: 1,
      }),
    );
    expect(stale.code).toBe(status.ABORTED);

    const changed = await h.client.destinations.setDestinationMappings({
      workspace: 'maps',
      destination: 'Hook A',
      mappings: [{ ...renamed, enabled: false, trigger: 'event = "Signed Up"' }],
      comment: '',
      dryRun: false,
    });
    expect(changed.mappingsVersion).toBe(3);

    const { versions } = await h.client.destinations.listDestinationMappingVersions({
      workspace: 'maps',
      destination: 'Hook A',
    });
    expect(versions.map((v) => [v.version, v.comment, v.diff])).toEqual([
      [3, '', ['changed signup: enabled, trigger']],
      [
        2,
        'only signups',
        ['added signup (Signups only, renamed)', ...presets.map((p) => `removed ${p.id} (${p.name})`)],
      ],
      [1, 'created with the presets', ['the presets']],
    ]);
    expect(versions[0]?.changedAt).toBeInstanceOf(Date);

    const rolledBack = await h.client.destinations.rollbackDestinationMappings({
      workspace: 'maps',
      destination: 'Hook A',
      version: 2,
      comment: '',
    });
    expect([rolledBack.mappingsVersion, rolledBack.mappings]).toEqual([4, [renamed]]);
    const missing = await grpcError(
      h.client.destinations.rollbackDestinationMappings({
        workspace: 'maps',
        destination: 'Hook A',
        version: 99,
        comment: '',
      }),
    );
    expect(missing.code).toBe(status.NOT_FOUND);

    const preview = await h.client.destinations.resetDestinationMappings({
      workspace: 'maps',
      destination: 'Hook A',
      comment: '',
      dryRun: true,
    });
    expect([preview.mappingsVersion, preview.mappings]).toEqual([4, presets]);
    const reset = await h.client.destinations.resetDestinationMappings({
      workspace: 'maps',
      destination: 'Hook A',
      comment: '',
      dryRun: false,
    });
    expect([reset.mappingsVersion, reset.mappings]).toEqual([5, presets]);
  });

  it('sends mappings to the data plane through the config stream; a destination saved before mappings gets none set', async () => {
    const b = await create('Hook B');
    await h.controlPlane.domain.store.destinations.updateOne(
      { _id: b.id },
      { $unset: { mappings: '', mappingsVersion: '' } },
    );
    await h.controlPlane.domain.store.mappingVersions.deleteMany({ destinationId: b.id });
    await h.controlPlane.domain.store.bumpConfigVersion();
    await h.controlPlane.domain.broadcaster.refresh();
    const legacy = await h.client.destinations.getDestination({ workspace: 'maps', destination: b.id });
    expect([legacy.mappingsVersion, legacy.mappings]).toEqual([0, presets]);

    const stream = await connectConfigStream({
      address: h.controlPlane.address,
      token: h.token,
      logger: testLogger('mappings-stream'),
    });
    streams.push(stream);
    expect(stream.destination(b.id)?.mappings).toBeUndefined();
    await h.client.destinations.setDestinationMappings({
      workspace: 'maps',
      destination: b.id,
      mappings: [renamed],
      comment: '',
      dryRun: false,
      expectedVersion: 0,
    });
    await waitFor(() => stream.destination(b.id)?.mappings !== undefined, 10000, 'the mappings in the config stream');
    expect(stream.destination(b.id)?.mappings).toEqual([renamed]);
    const { versions } = await h.client.destinations.listDestinationMappingVersions({
      workspace: 'maps',
      destination: b.id,
    });
    expect(versions.map((v) => [v.version, v.diff.length])).toEqual([[1, presets.length + 1]]);
  });

  it('answers NOT_FOUND for a destination that does not exist', async () => {
    const bad = await grpcError(
      h.client.destinations.listDestinationMappingVersions({ workspace: 'maps', destination: 'nope' }),
    );
    expect(bad.code).toBe(status.NOT_FOUND);
  });
});
