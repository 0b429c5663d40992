import pino, { type DestinationStream, type Logger } from 'pino';
import { SECRET_MASK } from '@manifold/secrets';
import { activeTraceIds } from '@manifold/telemetry';

export type { Logger };
export { maskedLogger } from './masked-logger';
export { SaidOnce } from './said-once';

/**
 * The one logger of every Manifold process: JSON lines on stdout, level from LOG_LEVEL.
 * Secrets never reach logs: the usual places they appear are redacted, shown as the same mask
 * as in every read and record. A line written while an OpenTelemetry span is active carries its
 * `trace_id` and `span_id`, so logs and traces join.
 */
export function createLogger(
  service: string,
  level: string = process.env['LOG_LEVEL'] ?? 'info',
  /** Where lines go; stdout when not given. */
  destination?: DestinationStream,
): Logger {
  const options: pino.LoggerOptions = {
    name: service,
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    // Runs for every line written (not for lines below the level); pino merges into what it
    // returns, so it must be a new object each time.
    mixin: () => activeTraceIds() ?? {},
    redact: {
      paths: [
        'writeKey',
        '*.writeKey',
        'authorization',
        '*.authorization',
        '*.headers.authorization',
        'password',
        '*.password',
      ],
      censor: SECRET_MASK,
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
