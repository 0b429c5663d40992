import type { DeliveryReport } from '@manifold/events';
import type { ChangeKind } from '@manifold/warehouse';
import { MAX_FAILED_ROW_SAMPLES, type RunDeliveryOutcome, type RunFailedRow } from './records';

/** What one reports-topic message says about one model run. */
export interface RunDeliveryTally {
  modelId: string;
  counts: Partial<Record<ChangeKind, Partial<Record<RunDeliveryOutcome, number>>>>;
  failedRows: RunFailedRow[];
}

/**
 * Filter reasons that are no outcome of a connection: the instance has no mapping for this kind
 * (another connection of the model takes it, so the event reached this instance too), or the
 * messageId was already delivered there (a page published twice after a crash). The translator's
 * DUPLICATE_MESSAGE_ID and the destination kit's NO_MATCHING_MAPPING.
 */
const NOT_A_CONNECTION_OUTCOME: ReadonlySet<string> = new Set(['DUPLICATE_MESSAGE_ID', 'NO_MATCHING_MAPPING']);

/** The run outcome of a translator's final outcome; undefined for what a run does not count. */
function runOutcomeOf(report: DeliveryReport): RunDeliveryOutcome | undefined {
  switch (report.outcome) {
    case 'delivered':
      return 'delivered';
    case 'failed':
      return report.reason === 'RETRIES_EXHAUSTED' ? 'failed' : 'deadLettered';
    case 'filtered':
      return NOT_A_CONNECTION_OUTCOME.has(report.reason ?? '') ? undefined : 'filtered';
    default:
      return undefined;
  }
}

/**
 * The Reverse ETL outcomes of the delivery reports of one message, per model run (reports of
 * other events are left out): counts per change kind and outcome, and failed-row samples.
 */
export function tallyRunDeliveries(reports: readonly DeliveryReport[]): Map<string, RunDeliveryTally> {
  const runs = new Map<string, RunDeliveryTally>();
  for (const report of reports) {
    const tag = report.reverseEtl;
    const outcome = tag && runOutcomeOf(report);
    if (!tag || !outcome || !(report.count > 0)) continue;
    let tally = runs.get(tag.runId);
    if (!tally) {
      tally = { modelId: tag.modelId, counts: {}, failedRows: [] };
      runs.set(tag.runId, tally);
    }
    const ofKind = (tally.counts[tag.changeKind] ??= {});
    ofKind[outcome] = (ofKind[outcome] ?? 0) + report.count;
    if (outcome !== 'failed' && outcome !== 'deadLettered') continue;
    for (const row of report.failedRows ?? []) {
      if (tally.failedRows.length >= MAX_FAILED_ROW_SAMPLES) break;
      tally.failedRows.push({
        key: row.key,
        changeKind: tag.changeKind,
        destinationId: report.destinationId,
        outcome,
        reason: report.reason ?? '',
        message: row.message,
        at: report.at,
      });
    }
  }
  return runs;
}
