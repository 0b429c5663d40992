export { connectMongo, databaseFromUrl, type MongoConnection, type ConnectMongoOptions } from './connect';
export { isDuplicateKeyError, isMongoUnavailableError } from './errors';
export { MongoUnavailableError } from './errors';
export {
  mongoConnectionConfigShape,
  checkMongoConnectionConfig,
  mongoSecurity,
  type MongoSecurity,
  type MongoConnectionConfig,
} from './connection-config';
