import { KafkaNames, TOPICS } from './topics';

describe('Kafka names', () => {
  it('are the deployment names without a prefix', () => {
    const names = new KafkaNames();
    expect([names.events, names.deliveryReports, names.warehouseLoads, names.retry('webhook')]).toEqual([
      TOPICS.events,
      TOPICS.deliveryReports,
      TOPICS.warehouseLoads,
      'manifold.retry.webhook.v1',
    ]);
    expect(names.controlPlaneReportsGroup).toBe('manifold-control-plane-reports');
  });

  it('put every topic and consumer group under the prefix', () => {
    const names = new KafkaNames('ci-7.');
    const all = [
      names.events,
      names.retry('mixpanel'),
      names.deadLetter('mixpanel'),
      names.deliveryReports,
      names.warehouseLoads,
      names.translatorGroup('mixpanel'),
      names.translatorRetryGroup('mixpanel'),
      names.warehouseGroup('wh-1'),
      names.controlPlaneReportsGroup,
      names.redeliver('mixpanel'),
      names.warehouseReplay,
      names.eventTraces,
      names.eventTraceIndex,
      names.translatorRedeliverGroup('mixpanel'),
      names.controlPlaneDeadLettersGroup,
      names.controlPlaneTraceIndexGroup,
      names.planReports,
      names.controlPlanePlanReportsGroup,
    ];
    for (const name of all) expect(name.startsWith('ci-7.manifold')).toBe(true);
    expect(new Set(all).size).toBe(all.length);
  });

  it('refuses a prefix Kafka would not take in a topic name', () => {
    expect(() => new KafkaNames('my stack/')).toThrow(/may hold only letters, digits/);
  });
});
