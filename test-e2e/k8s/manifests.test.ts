// Keeps the Kubernetes manifests in step with the code: every service is deployed from an
// entry point that exists, probed on its admin port, and every destination type has a translator.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { destinationIds } from '@manifold/destinations';

const root = resolve(__dirname, '../..');
const base = join(root, 'k8s/base');

interface Container {
  args?: string[];
  env?: Array<{ name: string; value?: string }>;
  ports?: Array<{ name: string; containerPort: number }>;
  livenessProbe?: { httpGet?: { path: string; port: string } };
  readinessProbe?: { httpGet?: { path: string; port: string }; grpc?: { port: number } };
}
interface Manifest {
  kind: string;
  metadata: { name: string };
  spec?: { template?: { spec?: { containers?: Container[] } } };
}

const manifests: Manifest[] = readdirSync(base)
  .filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml')
  .flatMap((f) => parseAllDocuments(readFileSync(join(base, f), 'utf8')).map((d) => d.toJS() as Manifest))
  .filter(Boolean);
const deployments = manifests.filter((m) => m.kind === 'Deployment');
const containerOf = (m: Manifest): Container => {
  const c = m.spec?.template?.spec?.containers?.[0];
  if (!c) throw new Error(`${m.metadata.name} has no container`);
  return c;
};

describe('Kubernetes manifests', () => {
  it('list every manifest file in the kustomization', () => {
    const kustomization = readFileSync(join(base, 'kustomization.yaml'), 'utf8');
    for (const f of readdirSync(base).filter(
      (f) => f.endsWith('.yaml') && !['kustomization.yaml', 'secrets.example.yaml'].includes(f),
    )) {
      expect(kustomization).toContain(`- ${f}`);
    }
  });

  it('deploy every service from an entry point that exists, with health probes on the admin port', () => {
    const entryPoints = new Set(deployments.map((d) => containerOf(d).args?.[0]));
    for (const service of ['control-plane', 'ingestion', 'translator', 'warehouse-loader', 'console']) {
      expect(entryPoints).toContain(`services/${service}/dist/main.js`);
      expect(existsSync(join(root, `services/${service}/src/main.ts`))).toBe(true);
    }
    for (const d of deployments) {
      const c = containerOf(d);
      const admin = c.ports?.find((p) => p.name === 'admin');
      expect(admin).toBeDefined();
      expect(c.env?.find((e) => e.name === 'ADMIN_PORT')?.value).toBe(String(admin?.containerPort));
      expect(c.livenessProbe?.httpGet).toEqual({ path: '/healthz', port: 'admin' });
      expect(c.readinessProbe?.httpGet ?? c.readinessProbe?.grpc).toBeDefined();
    }
  });

  it('run one translator deployment per destination type in the catalog', () => {
    const types = deployments
      .filter((d) => containerOf(d).args?.[0] === 'services/translator/dist/main.js')
      .map((d) => containerOf(d).env?.find((e) => e.name === 'DESTINATION_TYPES')?.value);
    expect(types.sort()).toEqual(destinationIds().sort());
  });
});
