import pino, { type Logger } from 'pino';

/** How deep `maskedLogger` looks into what is logged: log objects are shallow, errors nest a few causes. */
const MAX_DEPTH = 8;

/**
 * A child logger that writes every string it is given (fields, errors with their messages,
 * stacks and causes) through `mask`: for a component that holds credentials of its own, such as a
 * warehouse's connection URL, which a driver's error may quote. `mask` is a `SecretMasker`'s
 * `text` (`@manifold/secrets`), the one place that decides what is shown of a credential.
 */
export function maskedLogger(logger: Logger, mask: (text: string) => string): Logger {
  const masked = (value: unknown): unknown => maskValue(value, mask, 0);
  return logger.child(
    {},
    {
      formatters: { log: (object) => masked(object) as Record<string, unknown> },
      // The formatter has serialized the error already; serializing the copy again would lose its type.
      serializers: { err: masked },
    },
  );
}

function maskValue(value: unknown, mask: (text: string) => string, depth: number): unknown {
  if (typeof value === 'string') return mask(value);
  if (typeof value !== 'object' || value === null || depth > MAX_DEPTH) return value;
  // Errors keep their message and stack in properties JSON does not see: serialize them first.
  if (value instanceof Error) return maskValue(pino.stdSerializers.err(value), mask, depth + 1);
  if (Array.isArray(value)) return value.map((item) => maskValue(item, mask, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, maskValue(item, mask, depth + 1)]));
}
