// The example configuration of k8s/base (the ConfigMap and secrets.example.yaml) must pass every
// service's configuration check: an example that crash-loops at start teaches nothing.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { loadConsoleConfig } from '@manifold/console';
import { controlPlaneConfig } from '@manifold/control-plane';
import { loadIngestionConfig } from '@manifold/ingestion';
import { loadTranslatorConfig } from '@manifold/translator';
import { loadLoaderConfig } from '@manifold/warehouse-loader';

const base = resolve(__dirname, '../../k8s/base');

interface Document {
  kind?: string;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}

function values(file: string, kind: string): Record<string, string> {
  const docs = parseAllDocuments(readFileSync(join(base, file), 'utf8')).map((d) => d.toJS() as Document | null);
  return Object.assign(
    {},
    ...docs.filter((d) => d?.kind === kind).map((d) => ({ ...d?.data, ...d?.stringData })),
  ) as Record<string, string>;
}

describe('the example Kubernetes configuration', () => {
  const env = { ...values('config.yaml', 'ConfigMap'), ...values('secrets.example.yaml', 'Secret') };

  it.each([
    ['control-plane', () => controlPlaneConfig(env)],
    ['ingestion', () => loadIngestionConfig(env)],
    ['translator', () => loadTranslatorConfig(env)],
    ['warehouse-loader', () => loadLoaderConfig(env)],
    ['console', () => loadConsoleConfig(env)],
  ])('passes the %s configuration check', (_service, load) => {
    expect(load).not.toThrow();
  });
});
