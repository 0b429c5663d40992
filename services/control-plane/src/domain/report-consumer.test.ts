import { KafkaNames, type DeliveryReport } from '@manifold/events';
import { KafkaClient } from '@manifold/kafka';
import {
  eventually,
  requireKafka,
  testInfrastructure,
  testLogger,
  testTopicPrefix,
  uniqueName,
} from '@manifold/testing';
import type { WarehouseLoadRecord } from '@manifold/warehouse';
import { startTestControlPlane, type Harness } from '../test-support/harness';

describe('report consumer (real Kafka)', () => {
  const { kafkaBrokers } = testInfrastructure();
  let h: Harness;
  let kafka: KafkaClient;
  // The topics and group of its own: a running stack's control plane must neither take nor add reports.
  const names = new KafkaNames(testTopicPrefix());

  beforeAll(async () => {
    await requireKafka(kafkaBrokers);
    h = await startTestControlPlane({ kafkaBrokers, kafkaTopicPrefix: names.prefix });
    kafka = new KafkaClient({ brokers: kafkaBrokers, clientId: 'report-test', logger: testLogger('report-test') });
  });

  afterAll(async () => {
    await h?.stop();
    await kafka?.deleteTopics([names.deliveryReports, names.warehouseLoads]).catch(() => undefined);
    await kafka?.disconnect();
  });

  /** A workspace with a source, a destination and a warehouse connected to it. */
  async function setUpWorkspace(slug: string, name: string) {
    await h.client.workspaces.createWorkspace({ slug, name, ownerEmail: `o@${slug}.test` });
    const src = await h.client.sources.createSource({
      workspace: slug,
      slug: 'web',
      name: 'Web',
      environment: 'prod',
      type: 'javascript',
      category: 'website',
    });
    const dest = await h.client.destinations.createDestination({
      workspace: slug,
      name: 'A',
      catalogId: 'test-analytics',
      settings: { apiKey: '12345678' },
      sources: ['web'],
    });
    const dw = await h.client.destinations.createDestination({
      workspace: slug,
      name: 'DW',
      catalogId: 'test-warehouse',
      settings: { url: 'x' },
      sources: ['web'],
      syncIntervalSeconds: 60,
    });
    return { src, dest, dw };
  }

  it('turns delivery reports and load records from Kafka into stats and load history', async () => {
    const { src, dest, dw } = await setUpWorkspace('r', 'R');

    const producer = await kafka.producer();
    const at = new Date().toISOString();
    const reports: DeliveryReport[] = [
      {
        destinationId: dest.id,
        workspaceId: dest.workspaceId,
        outcome: 'delivered',
        count: 5,
        latenciesMs: [10, 10, 10, 10, 10],
        at,
      },
      {
        destinationId: dest.id,
        workspaceId: dest.workspaceId,
        outcome: 'filtered',
        reason: 'FILTERED_BY_RULES',
        count: 1,
        at,
      },
      // Fields of those delivered events that the destination left out or converted.
      {
        destinationId: dest.id,
        workspaceId: dest.workspaceId,
        outcome: 'field_converted',
        reason: 'location_lat: string to number',
        count: 3,
        at,
      },
      {
        destinationId: dest.id,
        workspaceId: dest.workspaceId,
        outcome: 'field_dropped',
        reason: 'params.cart: nested object',
        count: 2,
        at,
      },
      {
        destinationId: dest.id,
        workspaceId: dest.workspaceId,
        outcome: 'field_dropped',
        reason: 'revenue: not a number',
        count: 1,
        at,
      },
    ];
    await producer.send(names.deliveryReports, [{ key: dest.id, value: JSON.stringify(reports) }]);
    const load: WarehouseLoadRecord = {
      loadId: uniqueName('load'),
      warehouseId: dw.id,
      workspaceId: dw.workspaceId,
      sourceId: src.id,
      schema: 'web',
      status: 'partial',
      startedAt: at,
      finishedAt: at,
      events: 3,
      rowsByTable: { pages: 2, tracks: 1 },
      rows: 3,
      tablesCreated: [],
      columnsAdded: [],
      notices: [],
      errors: [],
      skipped: [{ messageId: 'm-1', reason: 'row is too big (SQLSTATE 54000)' }],
      skippedEvents: 2,
      attempt: 1,
    };
    await producer.send(names.warehouseLoads, [{ key: dw.id, value: JSON.stringify(load) }]);
    await producer.disconnect();

    const stats = await eventually(
      () => h.client.destinations.getDeliveryStats({ workspace: 'r', destination: 'A' }),
      (s) => s.delivered === 5 && s.filtered === 1 && s.fieldsDropped === 3 && s.fieldsConverted === 3,
    );
    expect(Math.abs(stats.latencyP50Ms - 10) / 10).toBeLessThan(0.05);
    expect(stats).toMatchObject({
      delivered: 5,
      filtered: 1,
      filteredByReason: [{ reason: 'FILTERED_BY_RULES', count: 1 }],
      fieldsDropped: 3,
      fieldsConverted: 3,
      droppedFieldsByReason: [
        { reason: 'params.cart: nested object', count: 2 },
        { reason: 'revenue: not a number', count: 1 },
      ],
      convertedFieldsByReason: [{ reason: 'location_lat: string to number', count: 3 }],
    });
    const loads = await eventually(
      () => h.client.destinations.listWarehouseLoads({ workspace: 'r', destination: 'DW', limit: 5 }),
      (l) => l.loads.length === 1,
    );
    expect(loads.loads[0]).toMatchObject({
      id: load.loadId,
      status: 'partial',
      rows: [
        { table: 'pages', rows: 2 },
        { table: 'tracks', rows: 1 },
      ],
      errors: ['event m-1 set aside: row is too big (SQLSTATE 54000)', 'and 1 more events set aside'],
    });
  }, 60000);

  it('skips a report or load record of another shape; those after it on its partition are still counted', async () => {
    const { src, dest, dw } = await setUpWorkspace('shapes', 'Shapes');
    const at = new Date().toISOString();
    const report = { destinationId: dest.id, workspaceId: dest.workspaceId, outcome: 'delivered', count: 2, at };
    const load = {
      loadId: uniqueName('load'),
      warehouseId: dw.id,
      workspaceId: dw.workspaceId,
      sourceId: src.id,
      schema: 'web',
      status: 'success',
      startedAt: at,
      finishedAt: at,
      events: 2,
      rowsByTable: { tracks: 2 },
      rows: 2,
      tablesCreated: [],
      columnsAdded: [],
      notices: [],
      errors: [],
      attempt: 1,
    };
    const producer = await kafka.producer();
    // The same key as the good ones: the same partition, ahead of them.
    await producer.send(names.deliveryReports, [
      { key: dest.id, value: 'null' },
      {
        key: dest.id,
        value: JSON.stringify([
          { ...report, at: 'yesterday' },
          { ...report, count: 3 },
        ]),
      },
      { key: dest.id, value: JSON.stringify(report) },
    ]);
    const { rowsByTable: _rows, ...withoutRows } = load;
    await producer.send(names.warehouseLoads, [
      { key: dw.id, value: JSON.stringify({ ...withoutRows, loadId: uniqueName('old-load') }) },
      { key: dw.id, value: JSON.stringify(load) },
    ]);
    await producer.disconnect();

    await eventually(
      () => h.client.destinations.getDeliveryStats({ workspace: 'shapes', destination: 'A' }),
      (s) => s.delivered === 5,
      20000,
    );
    const loads = await eventually(
      () => h.client.destinations.listWarehouseLoads({ workspace: 'shapes', destination: 'DW', limit: 5 }),
      (l) => l.loads.length > 0,
      20000,
    );
    expect(loads.loads.map((l) => l.id)).toEqual([load.loadId]);
  }, 60000);
});
