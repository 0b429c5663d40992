// The pipeline between Kafka's acknowledgements and the run's record, with sends and writes that
// the test settles by hand: what is recorded, in which writes, and when `add` waits.
import { PagePipeline } from './page-pipeline';

interface Deferred {
  promise: Promise<void>;
  resolve: () => void;
  reject: (error: Error) => void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets every settled promise's reactions run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

function recordingPipeline(maxUnrecorded: number) {
  const writes: number[][] = [];
  const pendingWrites: Deferred[] = [];
  const pipeline = new PagePipeline<number>(maxUnrecorded, (pages) => {
    writes.push(pages);
    const write = deferred();
    pendingWrites.push(write);
    return write.promise;
  });
  return { pipeline, writes, pendingWrites };
}

describe('PagePipeline', () => {
  it('records acknowledged pages in order, all those acknowledged during a write in the next one', async () => {
    const { pipeline, writes, pendingWrites } = recordingPipeline(10);
    const sends = [deferred(), deferred(), deferred(), deferred()];
    for (const [page, send] of sends.entries()) await pipeline.add(send.promise, page);

    // Page 1 acknowledged before page 0: nothing is recorded until page 0 is.
    sends[1]?.resolve();
    await settle();
    expect(writes).toEqual([]);
    sends[0]?.resolve();
    await settle();
    expect(writes).toEqual([[0, 1]]);

    // Pages 2 and 3 acknowledged while that write is under way: one write for both after it.
    sends[2]?.resolve();
    sends[3]?.resolve();
    await settle();
    expect(writes).toEqual([[0, 1]]);
    pendingWrites[0]?.resolve();
    await settle();
    expect(writes).toEqual([
      [0, 1],
      [2, 3],
    ]);

    const drained = pipeline.drain();
    let done = false;
    void drained.then(() => (done = true));
    await settle();
    expect(done).toBe(false);
    pendingWrites[1]?.resolve();
    await drained;
  });

  it('holds `add` while more pages than allowed are unrecorded', async () => {
    const { pipeline, pendingWrites } = recordingPipeline(2);
    const sends = [deferred(), deferred(), deferred()];
    await pipeline.add(sends[0]!.promise, 0);
    await pipeline.add(sends[1]!.promise, 1);
    let added = false;
    const third = pipeline.add(sends[2]!.promise, 2).then(() => (added = true));
    await settle();
    expect(added).toBe(false);
    // Acknowledged is not enough: the pages must be recorded.
    sends[0]?.resolve();
    await settle();
    expect(added).toBe(false);
    pendingWrites[0]?.resolve();
    await third;
    expect(added).toBe(true);
  });

  it('records nothing from a failed send on, and throws its error', async () => {
    const { pipeline, writes, pendingWrites } = recordingPipeline(10);
    const sends = [deferred(), deferred(), deferred()];
    for (const [page, send] of sends.entries()) await pipeline.add(send.promise, page);
    sends[0]?.resolve();
    await settle();
    sends[1]?.reject(new Error('broker gone'));
    sends[2]?.resolve();
    pendingWrites[0]?.resolve();
    await expect(pipeline.drain()).rejects.toThrow('broker gone');
    expect(writes).toEqual([[0]]);
    await expect(pipeline.add(Promise.resolve(), 3)).rejects.toThrow('broker gone');
    await pipeline.abandon();
    expect(writes).toEqual([[0]]);
  });

  it('stops at a failed write, and abandon waits for the sends under way', async () => {
    const { pipeline, writes, pendingWrites } = recordingPipeline(10);
    const sends = [deferred(), deferred()];
    for (const [page, send] of sends.entries()) await pipeline.add(send.promise, page);
    sends[0]?.resolve();
    await settle();
    pendingWrites[0]?.reject(new Error('store down'));
    await expect(pipeline.drain()).rejects.toThrow('store down');
    let abandoned = false;
    const abandoning = pipeline.abandon().then(() => (abandoned = true));
    await settle();
    expect(abandoned).toBe(false);
    sends[1]?.resolve();
    await abandoning;
    expect(writes).toEqual([[0]]);
  });
});
