import { Partitioners, type PartitionMetadata } from 'kafkajs';

// The partition a keyed record goes to, computed before sending: kafkajs's default partitioner
// (murmur2 of the key, as the Java client), the one every EventProducer uses. A sender that must
// know a record's partition first (to write each partition's records in a send of their own, which
// Kafka writes whole or not at all) gets the same answer the producer would have given.

const partitioner = Partitioners.DefaultPartitioner();

export function keyPartition(key: string, partitionCount: number): number {
  const partitionMetadata: PartitionMetadata[] = Array.from({ length: partitionCount }, (_v, partitionId) => ({
    partitionId,
    leader: 0,
    replicas: [0],
    isr: [0],
    partitionErrorCode: 0,
  }));
  return partitioner({ topic: '', partitionMetadata, message: { key, value: null } });
}
