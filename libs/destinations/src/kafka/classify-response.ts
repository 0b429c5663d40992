import { classifyHttpResponse, type DeliveryOutcome, type HttpResponseInfo } from '@manifold/destination-kit';
import { KAFKA_TRY_LATER } from './transport';

/** The transport's failures, with Kafka's error name as the reason instead of the stand-in status. */
export function classifyKafkaResponse(response: HttpResponseInfo): DeliveryOutcome {
  if (response.status < 400) return classifyHttpResponse(response);
  const { error, message } = JSON.parse(response.body) as { error: string; message: string };
  // Low-cardinality, as delivery stats count retries by reason: kafka_leader_not_available, ...
  if (response.status === KAFKA_TRY_LATER) return { kind: 'retry', reason: `kafka_${error.toLowerCase()}` };
  return { kind: 'dead-letter', reason: 'REJECTED', status: response.status, message: `Kafka ${error}: ${message}` };
}
