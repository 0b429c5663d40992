// How failed sends are read, on the client library's own error objects: the errors a single
// local broker cannot produce on demand (ACL denial, leader elections) and the wrapping the
// client puts around them when its retries run out.
import { KafkaJSNumberOfRetriesExceeded, KafkaJSProtocolError, KafkaJSConnectionError } from 'kafkajs';
import { kafkaFailure, KafkaUnavailableError } from './index';

/** A broker's error code as the client raises it (its own table of Kafka's error codes). */
function protocolError(code: number): Error {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the client's table is not in its typings
  const { createErrorFromCode } = require('kafkajs/src/protocol/error') as { createErrorFromCode(c: number): object };
  return new KafkaJSProtocolError(createErrorFromCode(code) as Error);
}

const wrapped = (error: Error) =>
  new KafkaUnavailableError(
    'publishing to t failed',
    new KafkaJSNumberOfRetriesExceeded(error, { retryCount: 5, retryTime: 2000 }),
  );

describe('kafkaFailure', () => {
  it.each([
    [29, 'TOPIC_AUTHORIZATION_FAILED', false],
    [10, 'MESSAGE_TOO_LARGE', false],
    [3, 'UNKNOWN_TOPIC_OR_PARTITION', false],
    [5, 'LEADER_NOT_AVAILABLE', true],
    [6, 'NOT_LEADER_FOR_PARTITION', true],
    [19, 'NOT_ENOUGH_REPLICAS', true],
    [7, 'REQUEST_TIMED_OUT', true],
  ])('Kafka error %i is %s, retriable: %s (also when the retries ran out)', (code, type, retriable) => {
    expect(kafkaFailure(protocolError(code))).toMatchObject({ code: type, retriable });
    expect(kafkaFailure(wrapped(protocolError(code)))).toMatchObject({ code: type, retriable });
  });

  it('a connection that failed is a broker not available, retriable', () => {
    const error = wrapped(new KafkaJSConnectionError('Connection error: connect ECONNREFUSED 127.0.0.1:9'));
    expect(kafkaFailure(error)).toEqual({
      code: 'BROKER_NOT_AVAILABLE',
      retriable: true,
      message: expect.stringContaining('ECONNREFUSED') as unknown as string,
    });
  });

  it('a send the brokers did not acknowledge in time is a timeout, retriable', () => {
    expect(kafkaFailure(new KafkaUnavailableError('Kafka did not acknowledge t within 10 ms'))).toMatchObject({
      code: 'REQUEST_TIMED_OUT',
      retriable: true,
    });
  });
});
