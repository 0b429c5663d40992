import {
  classifyHttpResponse,
  type DeliveryOutcome,
  type HttpResponseInfo,
  type ResponseOutcome,
} from '@manifold/destination-kit';
import { KAFKA_TRY_LATER } from './transport';

/** One record's failure, with Kafka's error name as the reason instead of the stand-in status. */
function failure(status: number, error: string, message: string): DeliveryOutcome {
  // Low-cardinality, as delivery stats count retries by reason: kafka_leader_not_available, ...
  if (status === KAFKA_TRY_LATER) return { kind: 'retry', reason: `kafka_${error.toLowerCase()}` };
  return { kind: 'dead-letter', reason: 'REJECTED', status, message: `Kafka ${error}: ${message}` };
}

interface RecordResult {
  status: number;
  error?: string;
  message?: string;
}

/**
 * The transport's answers: one record's (200 written, else its failure), or a batch's 200 with a
 * result per record (`records`), read per event.
 */
export function classifyKafkaResponse(response: HttpResponseInfo): ResponseOutcome {
  if (response.status >= 400) {
    const { error, message } = JSON.parse(response.body) as { error: string; message: string };
    return failure(response.status, error, message);
  }
  const answer = JSON.parse(response.body) as { records?: RecordResult[] };
  if (!Array.isArray(answer.records)) return classifyHttpResponse(response);
  return {
    kind: 'per-item',
    items: answer.records.map((r) =>
      r.status < 400 ? { kind: 'delivered', status: r.status } : failure(r.status, String(r.error), String(r.message)),
    ),
  };
}
