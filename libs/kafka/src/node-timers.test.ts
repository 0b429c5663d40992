// kafkajs 2.2.4's request queue scheduled its next check after every answer whether or not any
// request waited, with a negative delay when nothing was throttled: a 1 ms timer loop per broker
// connection, forever (a few percent of a core for an idle process), which Node 23+ also warned
// about on stderr. The patch (patches/kafkajs@2.2.4.patch) schedules a check only while requests
// wait, after the throttle or kafkajs's 10 ms.
import { createRequire } from 'node:module';
import { eventually } from '@manifold/testing';

const requireFromKafkajs = createRequire(require.resolve('kafkajs'));

interface RequestQueueLike {
  scheduleCheckPendingRequests(): void;
  checkPendingRequests(): void;
  maybeThrottle(ms: number): void;
  push(request: { entry: { correlationId: number }; expectResponse: boolean; sendRequest(): void }): void;
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

const silent = () => undefined;
const newQueue = () =>
  new RequestQueue({
    instrumentationEmitter: null,
    maxInFlightRequests: null,
    // No request-timeout interval: only the checks' timers are counted.
    requestTimeout: 30000,
    enforceRequestTimeout: false,
    clientId: 'node-timers-test',
    broker: '127.0.0.1:9092',
    logger: { debug: silent, warn: silent, error: silent },
    isConnected: () => true,
  });

describe('kafkajs request queue timers', () => {
  let setTimeoutSpy: jest.SpyInstance;
  beforeEach(() => {
    setTimeoutSpy = jest.spyOn(global, 'setTimeout');
  });
  afterEach(() => setTimeoutSpy.mockRestore());

  it('schedules no check while no request waits (no timer loop per connection)', () => {
    const queue = newQueue();
    try {
      queue.scheduleCheckPendingRequests();
      // As after every answer: kafkajs checked, then rescheduled itself 1 ms later, forever.
      queue.checkPendingRequests();
      expect(setTimeoutSpy).not.toHaveBeenCalled();
    } finally {
      queue.destroy();
    }
  });

  it('sends a request held back by a throttle once the throttle is over, with no negative delay', async () => {
    const queue = newQueue();
    try {
      queue.maybeThrottle(50);
      const sendRequest = jest.fn();
      queue.push({ entry: { correlationId: 1 }, expectResponse: true, sendRequest });
      expect(sendRequest).not.toHaveBeenCalled();
      const delays = setTimeoutSpy.mock.calls.map((call) => call[1] as number);
      expect(delays).toHaveLength(1);
      expect(delays[0]).toBeGreaterThan(0);
      await eventually(
        async () => sendRequest.mock.calls.length,
        (calls) => calls === 1,
        5000,
      );
    } finally {
      queue.destroy();
    }
  });
});
