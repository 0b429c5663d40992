import type { ConsumedMessage, KafkaClient } from '@manifold/kafka';
import type { Filter, UpdateFilter } from 'mongodb';
import type { RunRecords, RunWatch } from '../runs/run-records';
import { Pacer, type RunLease } from '../runs/run-worker';
import { topicRanges, type PartitionRange } from '../runs/topic-ranges';
import type { RangeRunDoc } from './range-run';

/** What each batch of a run's range is handled with. */
export interface RangeReading<D extends RangeRunDoc> {
  /** The run's rate, counted from when this worker started on it. */
  pacer: Pacer;
  watch: RunWatch<D>;
  /** The run's range as planned (where each partition's reading began). */
  ranges: readonly PartitionRange[];
}

/**
 * The worker's part that a replay and a quarantine replay share: the run's range of the topic
 * (fixed at its first start, so a run taken over by another replica goes on with the same), read
 * from where the run got, batch by batch, until it is all read or the run must end; then the run
 * marked done or stopped. Its status then, or undefined when the run is not this worker's to end
 * (its lease lost, or the worker closing: another takes it up).
 */
export async function readRange<D extends RangeRunDoc>(
  run: D,
  lease: RunLease<D>,
  deps: { kafka: KafkaClient; topic: string; records: RunRecords<D>; now: () => Date },
  handleBatch: (messages: readonly ConsumedMessage[], reading: RangeReading<D>) => Promise<void>,
): Promise<'done' | 'stopped' | undefined> {
  const { kafka, topic, records } = deps;
  const ranges = run.ranges ?? (await planRanges(run, deps));
  const pacer = new Pacer(run.ratePerSecond);
  const watch = records.watch(run, lease);
  const result = await kafka.readRanges({
    topic,
    ranges: ranges.map((r) => ({ partition: r.partition, from: run.positions[`p${r.partition}`] ?? r.from, to: r.to })),
    keepGoing: () => !watch.over,
    handleBatch: async (messages, { heartbeat }) => {
      await handleBatch(messages, { pacer, watch, ranges });
      await heartbeat();
    },
  });
  if (watch.lost || lease.closing) return undefined;
  const status = result.complete && !watch.stopping ? 'done' : 'stopped';
  await records.writes.run(run._id, () =>
    records.runs.updateOne(
      { _id: run._id } as Filter<D>,
      { $set: { status, finishedAt: deps.now() } } as UpdateFilter<D>,
    ),
  );
  return status;
}

/** The range on the topic, per partition: offsets for the run's two times, within what Kafka still holds. */
async function planRanges<D extends RangeRunDoc>(
  run: D,
  { kafka, topic, records }: { kafka: KafkaClient; topic: string; records: RunRecords<D> },
): Promise<PartitionRange[]> {
  const { ranges, total } = await topicRanges(kafka, topic, run.from, run.to);
  const positions = Object.fromEntries(ranges.map((r) => [`p${r.partition}`, r.from]));
  await records.writes.run(run._id, () =>
    records.runs.updateOne({ _id: run._id } as Filter<D>, { $set: { ranges, total, positions } } as UpdateFilter<D>),
  );
  run.positions = positions;
  run.total = total;
  return ranges;
}
