export { connectMongo, databaseFromUrl, type MongoConnection, type ConnectMongoOptions } from './connect';
export { isDuplicateKeyError } from './errors';
export { MongoUnavailableError } from './errors';
