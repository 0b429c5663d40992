import type { KafkaClient } from '@manifold/kafka';

/** A run's range of one partition: from (included) to (excluded), offsets as strings. */
export interface PartitionRange {
  partition: number;
  from: string;
  to: string;
}

/**
 * The messages a topic got between two times, per partition (offsets for the times, within what
 * Kafka still holds), and how many they are: what a replay reads.
 */
export async function topicRanges(
  kafka: Pick<KafkaClient, 'offsetsForTimes' | 'startOffsets'>,
  topic: string,
  from: Date,
  to: Date,
): Promise<{ ranges: PartitionRange[]; total: number }> {
  const [fromOffsets, toOffsets, start] = await Promise.all([
    kafka.offsetsForTimes(topic, from.getTime()),
    kafka.offsetsForTimes(topic, to.getTime()),
    kafka.startOffsets(topic),
  ]);
  const ranges = [...fromOffsets].map(([partition, offset]) => {
    const low = BigInt(start.get(partition) ?? '0');
    const first = BigInt(offset) > low ? BigInt(offset) : low;
    return { partition, from: first.toString(), to: toOffsets.get(partition) ?? first.toString() };
  });
  const total = ranges.reduce((sum, r) => sum + Math.max(0, Number(BigInt(r.to) - BigInt(r.from))), 0);
  return { ranges, total };
}
