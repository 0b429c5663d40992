import { MongoClient, MongoServerError } from 'mongodb';
import { isMongoUnavailableError, MongoUnavailableError } from './errors';

describe('isMongoUnavailableError', () => {
  it('is true for a database that does not answer, false for errors of a query', async () => {
    // Nothing listens on port 9 (discard): the driver finds no server.
    const client = new MongoClient('mongodb://127.0.0.1:9/', { serverSelectionTimeoutMS: 200 });
    const error = await client
      .db('x')
      .collection('y')
      .findOne({})
      .catch((e: unknown) => e);
    await client.close();
    expect(isMongoUnavailableError(error)).toBe(true);
    // A closed client, too.
    expect(
      isMongoUnavailableError(
        await client
          .db('x')
          .collection('y')
          .findOne({})
          .catch((e: unknown) => e),
      ),
    ).toBe(true);
    expect(isMongoUnavailableError(new MongoUnavailableError('down'))).toBe(true);
    expect(isMongoUnavailableError(new MongoServerError({ message: 'E11000 duplicate key', code: 11000 }))).toBe(false);
    expect(isMongoUnavailableError(new Error('plain'))).toBe(false);
  });
});
