import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { MissingServiceError, requireKafka, requireMongo, requirePostgres } from './index';

// Each probe must fail, naming its service, when nothing real answers where it looks.
describe('infrastructure probes', () => {
  let closedPort: number;
  let silent: Server;
  let silentPort: number;
  const sockets = new Set<Socket>();

  beforeAll(async () => {
    const s = createServer();
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    closedPort = (s.address() as AddressInfo).port;
    await new Promise((r) => s.close(r));
    // Accepts connections but never speaks any protocol: a port that is open is not a service.
    silent = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    silentPort = (silent.address() as AddressInfo).port;
  });

  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((r) => silent.close(r));
  });

  it.each([
    ['Kafka', 'KAFKA_BROKERS', () => requireKafka([`127.0.0.1:${closedPort}`])],
    ['MongoDB', 'MONGO_URL', () => requireMongo(`mongodb://127.0.0.1:${closedPort}/`)],
    [
      'PostgreSQL',
      'WAREHOUSE_POSTGRES_URL',
      () => requirePostgres(`postgres://postgres@127.0.0.1:${closedPort}/postgres`),
    ],
    ['Kafka', 'KAFKA_BROKERS', () => requireKafka([`127.0.0.1:${silentPort}`])],
    ['MongoDB', 'MONGO_URL', () => requireMongo(`mongodb://127.0.0.1:${silentPort}/`)],
    [
      'PostgreSQL',
      'WAREHOUSE_POSTGRES_URL',
      () => requirePostgres(`postgres://postgres@127.0.0.1:${silentPort}/postgres`),
    ],
  ])(
    '%s probe names the missing service and %s',
    async (service, variable, probe) => {
      const error = await probe().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(MissingServiceError);
      expect((error as Error).message).toContain(service);
      expect((error as Error).message).toContain(variable);
    },
    30000,
  );
});
