import { defineDestination, type DestinationDefinition } from '@manifold/destination-kit';
import { classifyKafkaResponse } from './classify-response';
import { send } from './send';
import { kafkaSettings } from './settings';
import { KafkaTransport } from './transport';

const everything = [{ action: 'send' }] as const;

export const kafka: DestinationDefinition<typeof kafkaSettings> = defineDestination({
  id: 'kafka',
  name: 'Kafka',
  description: 'Writes every event as a JSON record to a topic of your own Kafka cluster (SASL and TLS supported).',
  categories: ['Raw Data'],
  settings: kafkaSettings,
  actions: { send },
  routes: {
    track: everything,
    identify: everything,
    page: everything,
    screen: everything,
    group: everything,
    alias: everything,
  },
  classifyResponse: (response) => classifyKafkaResponse(response),
  transport: (context) => new KafkaTransport(context, kafka),
});

export { kafkaSettings, type KafkaSettings } from './settings';
export { KafkaTransport } from './transport';
