import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * The one logger of every Manifold process: JSON lines on stdout, level from LOG_LEVEL.
 * Secrets never reach logs: the usual places they appear are redacted.
 */
export function createLogger(service: string, level: string = process.env['LOG_LEVEL'] ?? 'info'): Logger {
  return pino({
    name: service,
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
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
      censor: '[redacted]',
    },
  });
}
