import { connectMongo, type MongoConnection } from '@manifold/mongo';
import { requireMongo, testInfrastructure, testLogger, uniqueName } from '@manifold/testing';

export type TestDatabase = MongoConnection & { drop(): Promise<void> };

/** A database of its own on the test MongoDB (FerretDB locally); `drop()` removes it and disconnects. */
export async function connectTestDatabase(name: string): Promise<TestDatabase> {
  const { mongoUrl } = testInfrastructure();
  await requireMongo(mongoUrl);
  const mongo = await connectMongo({
    url: mongoUrl,
    // FerretDB takes only Latin letters and digits in database names.
    database: uniqueName(name).replace(/[^a-z0-9]/gi, ''),
    appName: `${name}-test`,
    logger: testLogger(name),
  });
  return {
    ...mongo,
    async drop() {
      await mongo.db.dropDatabase();
      await mongo.close();
    },
  };
}
