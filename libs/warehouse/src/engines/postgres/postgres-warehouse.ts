import { secret } from '@manifold/secrets';
import { z } from 'zod';
import { defineWarehouse, engineSettingsShape, requireOneGroupOf } from '../../warehouse-kinds/define-warehouse';
import { PostgresEngine } from './postgres-engine';

const postgresSettings = requireOneGroupOf(
  z.strictObject({
    url: secret(z.string().regex(/^postgres(ql)?:\/\//))
      .optional()
      .meta({
        title: 'Connection URL',
        description: 'postgres://user:password@host:5432/database. Use this or the separate fields.',
      }),
    host: z.string().min(1).optional().meta({ title: 'Host' }),
    port: z.int().min(1).max(65535).default(5432).meta({ title: 'Port' }),
    user: z.string().min(1).optional().meta({ title: 'User' }),
    password: secret(z.string()).optional().meta({ title: 'Password' }),
    database: z.string().min(1).optional().meta({ title: 'Database' }),
    ssl: z.boolean().default(false).meta({ title: 'Require TLS' }),
    ...engineSettingsShape,
  }),
  [['url'], ['host', 'user', 'database']],
);

export const postgresWarehouse = defineWarehouse({
  id: 'postgres',
  name: 'PostgreSQL',
  description: 'Loads events into a PostgreSQL database: a schema per source, a table per event type.',
  settings: postgresSettings,
  open: ({ url, host, port, user, password, database, ssl }, logger) =>
    new PostgresEngine({ connection: { url, host, port, user, password, database, ssl }, logger }),
});
