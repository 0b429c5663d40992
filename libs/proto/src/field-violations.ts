// How the control plane names the fields it refused: a trailer holding a JSON array of
// {field, message}, set on the error's metadata. Written by the control plane, read by every
// client (the CLI, the console, tests) with this one reader.
import { Metadata } from '@grpc/grpc-js';

export interface FieldViolation {
  /** The field as the request names it, e.g. `settings.apiKey`. */
  field: string;
  message: string;
}

export const FIELD_VIOLATIONS_TRAILER = 'x-field-violations';

/** The metadata of an error that names these fields. */
export function fieldViolationsMetadata(violations: readonly FieldViolation[]): Metadata {
  const metadata = new Metadata();
  if (violations.length === 0) return metadata;
  // ASCII only: other characters go as JSON's own \u escapes (the reader's JSON.parse undoes
  // them). An HTTP/2 header holding others, e.g. a refused filter value quoted back, was never
  // sent, so the call hung until its deadline.
  const json = JSON.stringify(violations).replace(
    /[^\x20-\x7e]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  metadata.set(FIELD_VIOLATIONS_TRAILER, json);
  return metadata;
}

/**
 * The fields a failed call's error names; empty for any other error, and for a trailer that is
 * not a list of {field, message} (entries of another shape are left out).
 */
export function fieldViolations(error: unknown): FieldViolation[] {
  const metadata = (error as { metadata?: unknown } | null)?.metadata;
  if (!(metadata instanceof Metadata)) return [];
  const raw = metadata.get(FIELD_VIOLATIONS_TRAILER)[0];
  if (raw === undefined) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(typeof raw === 'string' ? raw : raw.toString('utf8'));
  } catch {
    return [];
  }
  if (!Array.isArray(parsed)) return [];
  return parsed.flatMap((item: unknown) => {
    if (typeof item !== 'object' || item === null) return [];
    const { field, message } = item as Record<string, unknown>;
    return typeof field === 'string' && typeof message === 'string' ? [{ field, message }] : [];
  });
}
