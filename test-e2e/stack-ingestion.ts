// Ingestion in-process on an operations stack (services/control-plane/src/test-support/operations-stack):
// its config view from the stack's config stream, its topics under the stack's prefix.
import { ingestionSettings, startIngestion, type RunningIngestion } from '@manifold/ingestion';
import { metrics, trace } from '@manifold/telemetry';
import { testLogger } from '@manifold/testing';
import type { OperationsStack } from '../services/control-plane/src/test-support/operations-stack';

export function startStackIngestion(
  stack: OperationsStack,
  name: string,
  adminToken: string,
): Promise<RunningIngestion> {
  return startIngestion({
    kafka: stack.kafka,
    configView: stack.configView,
    logger: testLogger(name),
    meter: metrics.getMeter(name),
    tracer: trace.getTracer(name),
    settings: ingestionSettings({
      topic: stack.names.events,
      quarantineTopic: stack.names.quarantine,
      planReports: { topic: stack.names.planReports, intervalMs: 500 },
      adminToken,
    }),
    port: 0,
    host: '127.0.0.1',
    partitions: 2,
    replicationFactor: 1,
    drainTimeoutMs: 2000,
  });
}
