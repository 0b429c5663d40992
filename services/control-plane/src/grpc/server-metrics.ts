import { ServerInterceptingCall, status, type ServerInterceptor } from '@grpc/grpc-js';
import type { Meter } from '@manifold/telemetry';

const CODE_NAMES = new Map<number, string>(
  Object.entries(status)
    .filter((entry): entry is [string, number] => typeof entry[1] === 'number')
    .map(([name, code]) => [code, name]),
);

/**
 * An interceptor recording every call the server answers:
 * `<prefix>grpc_server_handling_seconds{grpc_service,grpc_method,grpc_type,grpc_code}` (its
 * `_count` is the calls handled per status code) and `<prefix>grpc_server_open_streams` for the
 * long-lived streams (the data plane's config watchers).
 */
export function grpcServerMetrics(meter: Meter, prefix: string): ServerInterceptor {
  const handling = meter.createHistogram(`${prefix}grpc_server_handling_seconds`, {
    description: 'Time from receiving a gRPC call to sending its status, by service, method, type and status code',
    unit: 's',
    advice: {
      explicitBucketBoundaries: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 60, 600, 3600],
    },
  });
  const openStreams = meter.createUpDownCounter(`${prefix}grpc_server_open_streams`, {
    description: 'Streaming gRPC calls in progress, by service and method',
  });
  return (method, call) => {
    const [, service = 'unknown', name = 'unknown'] = /^\/([^/]+)\/([^/]+)$/.exec(method.path) ?? [];
    const type = method.requestStream
      ? method.responseStream
        ? 'bidi_stream'
        : 'client_stream'
      : method.responseStream
        ? 'server_stream'
        : 'unary';
    const attributes = { grpc_service: service, grpc_method: name, grpc_type: type };
    const streaming = type !== 'unary';
    const startedAt = performance.now();
    let finished = false;
    const finish = (code: string): void => {
      if (finished) return;
      finished = true;
      handling.record((performance.now() - startedAt) / 1000, { ...attributes, grpc_code: code });
      if (streaming) openStreams.add(-1, attributes);
    };
    if (streaming) openStreams.add(1, attributes);
    return new ServerInterceptingCall(call, {
      // a peer that goes away never gets a status
      start: (next) => next({ onCancel: () => finish('CANCELLED') }),
      sendStatus: (sent, next) => {
        finish(CODE_NAMES.get(sent.code) ?? String(sent.code));
        next(sent);
      },
    });
  };
}
