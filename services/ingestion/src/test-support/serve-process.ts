// The ingestion process as main.ts runs it, for tests that need it in a process of its own (its
// memory measured, a crash seen as an exit): prints `READY {"url", "adminUrl"}` once it serves.
import { loadIngestionConfig } from '../config';
import { runIngestion } from '../run-ingestion';

runIngestion(loadIngestionConfig()).then(
  ({ ingestion, service }) => {
    const adminUrl = `http://127.0.0.1:${service.adminPort}`;
    process.stdout.write(`READY ${JSON.stringify({ url: ingestion.url, adminUrl })}\n`);
  },
  () => process.exit(1),
);
