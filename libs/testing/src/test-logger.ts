import { createLogger, type Logger } from '@manifold/logger';

/** Tests log nothing unless TEST_LOG_LEVEL asks, so expected errors do not bury real failures. */
export function testLogger(name: string): Logger {
  return createLogger(name, process.env['TEST_LOG_LEVEL'] ?? 'silent');
}
