// kafkajs 2.2.4 schedules its request queue's next check with a negative delay whenever nothing
// is throttled; Node 23+ then writes a TimeoutNegativeWarning to every service's stderr. The
// patch (patches/kafkajs@2.2.4.patch) gives the delay Node uses anyway, 1 ms, without the warning.
import { createRequire } from 'node:module';

const requireFromKafkajs = createRequire(require.resolve('kafkajs'));

interface RequestQueueLike {
  scheduleCheckPendingRequests(): void;
  destroy(): void;
}
const RequestQueue = requireFromKafkajs('./src/network/requestQueue') as new (options: {
  instrumentationEmitter: null;
  maxInFlightRequests: number | null;
  requestTimeout: number;
  enforceRequestTimeout: boolean;
  clientId: string;
  broker: string;
  logger: { debug(): void; warn(): void; error(): void };
  isConnected: () => boolean;
}) => RequestQueueLike;

describe('kafkajs on Node 24', () => {
  it('schedules the request queue check with no negative timeout', () => {
    // Node's warning does not reach a listener inside Jest's sandbox; the delay itself is checked.
    const setTimeoutSpy = jest.spyOn(global, 'setTimeout');
    const silent = () => undefined;
    const queue = new RequestQueue({
      instrumentationEmitter: null,
      maxInFlightRequests: null,
      requestTimeout: 30000,
      enforceRequestTimeout: true,
      clientId: 'node-timers-test',
      broker: '127.0.0.1:9092',
      logger: { debug: silent, warn: silent, error: silent },
      isConnected: () => true,
    });
    try {
      queue.scheduleCheckPendingRequests();
      const delays = setTimeoutSpy.mock.calls.map((call) => call[1]);
      expect(delays).toHaveLength(1);
      expect(delays[0]).toBeGreaterThanOrEqual(1);
    } finally {
      queue.destroy();
      setTimeoutSpy.mockRestore();
    }
  });
});
