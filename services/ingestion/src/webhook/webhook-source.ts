import type { ConfigView, SourceConfig } from '@manifold/config-client';

/**
 * The source a webhook URL names. `/v1/webhook/<source id>` is the stable form: the id never
 * changes, so rotating the write key leaves the URL configured in the app as it was. The first
 * form, `/v1/webhook/<write key>`, keeps working (with every key the source still accepts). The
 * two cannot be confused: write keys are letters and digits, source ids carry a `_`. A source id
 * only names a webhook source: no other source takes deliveries by its id.
 */
export function webhookSource(configView: ConfigView, token: string): SourceConfig | undefined {
  const byKey = configView.sourceForWriteKey(token);
  if (byKey) return byKey;
  const byId = configView.source(token);
  return byId?.type === 'webhook' ? byId : undefined;
}
