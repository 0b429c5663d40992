/**
 * The write key from `Authorization: Basic base64("<key>:")`. Segment also tolerates a key
 * encoded without the trailing colon, so both forms are read. Other schemes (Bearer) carry
 * no write key; the body's `writeKey` is used then.
 */
export function writeKeyFromAuthorization(header: string | undefined): string | undefined {
  if (!header || header.length < 7) return undefined;
  if (header.slice(0, 6).toLowerCase() !== 'basic ') return undefined;
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const key = colon === -1 ? decoded : decoded.slice(0, colon);
  return key.length > 0 ? key : undefined;
}

/** The write key in a body: at the top level, else in the first batch item (analytics.js copies it there). */
export function writeKeyFromBody(body: Record<string, unknown>): string | undefined {
  const top = body['writeKey'];
  if (typeof top === 'string' && top) return top;
  const batch = body['batch'];
  if (Array.isArray(batch)) {
    const first: unknown = batch[0];
    if (first && typeof first === 'object') {
      const key = (first as Record<string, unknown>)['writeKey'];
      if (typeof key === 'string' && key) return key;
    }
  }
  return undefined;
}

/**
 * The request's write key (Basic auth first, else the body's), taken out of the body: the one
 * place it is removed, from every spot a body may carry it (the top level and each batch item),
 * so no stored event, debugger entry or log that shows the body can hold it.
 */
export function takeWriteKey(authorization: string | undefined, body: Record<string, unknown>): string | undefined {
  const key = writeKeyFromAuthorization(authorization) ?? writeKeyFromBody(body);
  removeWriteKey(body);
  const batch = body['batch'];
  if (Array.isArray(batch)) {
    for (const item of batch as unknown[]) {
      if (item && typeof item === 'object') removeWriteKey(item as Record<string, unknown>);
    }
  }
  return key;
}

function removeWriteKey(call: Record<string, unknown>): void {
  // Set to undefined rather than deleted: JSON leaves it out all the same, and `delete` would turn
  // the object into a slow dictionary for everything that follows (stringify included).
  if (call['writeKey'] !== undefined) call['writeKey'] = undefined;
}
