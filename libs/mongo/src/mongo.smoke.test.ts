// A MongoDB-driver round trip through the real MongoDB-wire server (FerretDB locally).
import { requireMongo, testInfrastructure, testLogger, uniqueName } from '@manifold/testing';
import { connectMongo, isDuplicateKeyError, type MongoConnection } from './index';

describe('MongoDB helper against a real server', () => {
  const { mongoUrl } = testInfrastructure();
  let connection: MongoConnection;

  beforeAll(async () => {
    await requireMongo(mongoUrl);
    // FerretDB takes only Latin letters (and digits) in database names.
    const database = uniqueName('smoke').replace(/[^a-z0-9]/gi, '');
    connection = await connectMongo({
      url: mongoUrl,
      database,
      appName: 'mongo-smoke',
      logger: testLogger('mongo-smoke'),
    });
  });

  afterAll(async () => {
    await connection?.db.dropDatabase();
    await connection?.close();
  });

  it('inserts, finds, updates and enforces a unique index', async () => {
    const sources = connection.db.collection<{ slug: string; name: string; events?: number }>('sources');
    await sources.createIndex({ slug: 1 }, { unique: true, name: 'slug_unique' });

    await sources.insertOne({ slug: 'web', name: 'Website' });
    const found = await sources.findOne({ slug: 'web' });
    expect(found).toMatchObject({ slug: 'web', name: 'Website' });

    const error = await sources.insertOne({ slug: 'web', name: 'Another' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isDuplicateKeyError(error)).toBe(true);
    expect(isDuplicateKeyError(new Error('other'))).toBe(false);

    const updated = await sources.findOneAndUpdate(
      { slug: 'web' },
      { $inc: { events: 2 }, $set: { name: 'Site' } },
      { returnDocument: 'after' },
    );
    expect(updated).toMatchObject({ slug: 'web', name: 'Site', events: 2 });

    await sources.updateOne({ slug: 'app' }, { $setOnInsert: { name: 'App' } }, { upsert: true });
    expect(await sources.countDocuments()).toBe(2);
    expect((await sources.find({}, { sort: { slug: 1 } }).toArray()).map((s) => s.slug)).toEqual(['app', 'web']);
  });
});
