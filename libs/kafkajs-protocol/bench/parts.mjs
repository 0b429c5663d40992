// Each part's own work, per message of a 500-message send (or fetch): what the part changes,
// measured apart from the rest of the path, whose noise on a shared machine is larger than some
// parts' whole effect. Run on a tree with every part and on one without the part in question.
import { kafkajsModules, messages, PARTITIONS, SEND } from './workload.mjs';

/** part (its path in this package) → a function doing that part's work once for a whole send. */
export function partWork(kafkajsDir) {
  const { murmur2, groupMessagesPerPartition, crc32C, Encoder, Decoder, Record } = kafkajsModules(kafkajsDir);
  const keys = messages.map((m) => Buffer.from(m.key));
  const records = messages.map((m, i) => Record({ ...m, offsetDelta: i, timestampDelta: i }));
  const body = Buffer.concat(records.map((r) => r.buffer));
  const varlongs = new Encoder();
  for (let i = 0; i < SEND; i++) varlongs.writeVarLong(i * 3);
  const varlongBytes = varlongs.buffer;
  return {
    'src/producer/partitioners/default/murmur2.js': () => {
      for (const key of keys) murmur2(key);
    },
    'src/producer/groupMessagesPerPartition.js': () => {
      let next = 0;
      groupMessagesPerPartition({
        topic: 't',
        partitionMetadata: PARTITIONS,
        messages,
        partitioner: () => next++ % PARTITIONS.length,
      });
    },
    'src/protocol/recordBatch/crc32C/crc32C.js': () => crc32C(body),
    'src/protocol/decoder.js': () => {
      const decoder = new Decoder(varlongBytes);
      for (let i = 0; i < SEND; i++) decoder.readVarLong();
    },
  };
}
