import { groupMessagesPerPartition } from './kafkajs-modules';

describe('groupMessagesPerPartition (@manifold/kafkajs-protocol)', () => {
  it('groups a large send per partition, keeping each partition in send order', () => {
    const messages = Array.from({ length: 5000 }, (_, i) => ({ key: `user-${i % 97}`, value: String(i) }));
    const groups = groupMessagesPerPartition({
      topic: 't',
      partitionMetadata: [0, 1, 2],
      messages,
      partitioner: ({ message }) => Number(message.key.slice(5)) % 3,
    });
    expect(Object.keys(groups).sort()).toEqual(['0', '1', '2']);
    for (const [partition, list] of Object.entries(groups)) {
      const expected = messages.filter((m) => Number(m.key.slice(5)) % 3 === Number(partition));
      expect(list).toEqual(expected);
    }
  });

  it('gives no groups when the topic has no partition metadata', () => {
    const groups = groupMessagesPerPartition({
      topic: 't',
      partitionMetadata: [],
      messages: [{ key: 'k', value: 'v' }],
      partitioner: () => 0,
    });
    expect(groups).toEqual({});
  });
});
