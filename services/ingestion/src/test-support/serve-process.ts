// The ingestion process as main.ts runs it, for tests that need it in a process of its own (its
// memory measured, a crash seen as an exit, its workers): prints `READY {"url", "adminUrl"}` once
// it serves. A worker of workers mode runs this file too, and prints nothing.
import cluster from 'node:cluster';
import { loadIngestionConfig } from '../config';
import { serveIngestion } from '../workers/serve';

serveIngestion(loadIngestionConfig()).then(
  ({ url, adminPort }) => {
    if (cluster.isWorker) return;
    const adminUrl = `http://127.0.0.1:${adminPort}`;
    process.stdout.write(`READY ${JSON.stringify({ url, adminUrl })}\n`);
  },
  () => process.exit(1),
);
