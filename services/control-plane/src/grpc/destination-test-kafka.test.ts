// The mapping tester on the Kafka destination, which is not an HTTP API: it sends through the
// destination's own transport (a producer made for the test and closed after it), and shows the
// record as a request to kafka://<brokers>/<topic> and where it landed (topic, partition, offset).
import { KafkaClient } from '@manifold/kafka';
import { readTopic, testInfrastructure, testLogger, uniqueName } from '@manifold/testing';
import { defaultCatalog } from '../default-catalog';
import { startTestControlPlane, type Harness } from '../test-support/harness';

const event = { type: 'track', event: 'Signed Up', userId: 'user-1', properties: { plan: 'team' } };

describe('TestDestination on the Kafka destination (real Kafka, real FerretDB)', () => {
  let h: Harness;
  let kafka: KafkaClient;
  const topic = uniqueName('tester-kafka');
  const brokers = testInfrastructure().kafkaBrokers;

  beforeAll(async () => {
    kafka = new KafkaClient({ brokers, clientId: 'tester-kafka', logger: testLogger('tester-kafka') });
    await kafka.ensureTopics([{ topic, partitions: 1 }]);
    h = await startTestControlPlane({ catalog: defaultCatalog() });
    await h.client.workspaces.createWorkspace({ slug: 'k', name: 'K', ownerEmail: 'o@k.test', members: [] });
    await h.client.destinations.createDestination({
      workspace: 'k',
      name: 'Stream',
      catalogId: 'kafka',
      settings: { brokers: brokers.join(','), topic, tls: false },
      sources: [],
      syncIntervalSeconds: 0,
    });
  });

  afterAll(async () => {
    await h?.stop();
    await kafka?.disconnect();
  });

  const test = (send: boolean) =>
    h.client.destinations.testDestination({
      workspace: 'k',
      destination: 'Stream',
      event,
      mappings: [],
      draft: false,
      send,
    });

  it('shows the record it would write, then writes it and shows where it landed', async () => {
    const shown = await test(false);
    const [request] = shown.mappings.find((m) => m.matched)?.requests ?? [];
    expect(request?.url).toBe(`kafka://${brokers.join(',')}/${topic}`);
    expect(request?.headers).toMatchObject({ 'manifold-type': 'track' });
    expect(JSON.parse(request?.body ?? '{}')).toMatchObject({ key: 'user-1', value: { event: 'Signed Up' } });

    const sent = await test(true);
    expect(sent.sent.map((s) => [s.outcome, s.response?.status])).toEqual([['delivered', 200]]);
    expect(JSON.parse(sent.sent[0]?.response?.bodyExcerpt ?? '{}')).toEqual({ topic, partition: 0, offset: '0' });
    const [record] = await readTopic(kafka, topic, 1);
    expect(JSON.parse(record?.value?.toString() ?? '{}')).toMatchObject({ event: 'Signed Up', userId: 'user-1' });
  });

  it('says why a record cannot be written (a topic that does not exist), as a dead letter would', async () => {
    await h.client.destinations.updateDestination({
      workspace: 'k',
      destination: 'Stream',
      settings: { topic: uniqueName('absent') },
      reason: 'a topic nobody created',
      dryRun: false,
    });
    const sent = await test(true);
    expect(sent.sent.map((s) => [s.outcome, s.response?.status])).toEqual([['dead-letter', 404]]);
    expect(sent.sent[0]?.reason).toContain('Kafka UNKNOWN_TOPIC_OR_PARTITION');
  });
});
