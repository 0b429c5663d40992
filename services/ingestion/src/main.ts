// The ingestion process entry point: `node dist/main.js`, configured by environment variables.
// Must stay the first import (see the module).
import './limit-heap-growth-first';
import { ConfigError } from '@manifold/config';
import { loadIngestionConfig } from './config';
import { serveIngestion } from './workers/serve';

try {
  serveIngestion(loadIngestionConfig()).catch(() => {
    // runService (or the primary) has logged why start failed and cleaned up.
    process.exit(1);
  });
} catch (error) {
  process.stderr.write(`${error instanceof ConfigError ? error.message : String(error)}\n`);
  process.exit(1);
}
