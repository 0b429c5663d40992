/**
 * Resolves once `condition` holds (checked every 25 ms; it may be async); rejects after
 * `timeoutMs` naming `what` was awaited. A condition that throws is asked again (e.g. Kafka
 * answering "rebalance in progress" to an offsets query), and its last error is in the rejection.
 * For a value to assert on, use `eventually`.
 */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      if (await condition()) return;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const cause = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${cause}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
