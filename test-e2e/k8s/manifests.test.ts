// Keeps the kustomize manifests in step with the code: every service is deployed from its own
// image, probed on its admin port (the port its configuration gives), with a grace period above
// its shutdown budget, and every destination type has a translator.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { destinationIds } from '@manifold/destinations';
import { base, baseManifests, containerOf, envFile, kustomization, root } from './kustomize-files';

const deployments = baseManifests().filter((m) => m.kind === 'Deployment');
const services = ['control-plane', 'ingestion', 'translator', 'warehouse-loader', 'console'];
// The shutdown budget of each service (libs/service's 25 s; the loader gives its last load 60 s).
const budgetSeconds: Record<string, number> = { 'warehouse-loader': 60 };

describe('Kubernetes manifests (kustomize)', () => {
  it('list every manifest file of the base in its kustomization', () => {
    const resources = kustomization(base).resources ?? [];
    for (const f of readdirSync(base).filter(
      (f) => f.endsWith('.yaml') && !['kustomization.yaml', 'pod-defaults.yaml'].includes(f),
    )) {
      expect(resources).toContain(f);
    }
  });

  it('deploy every service from its image, with its admin port, and a grace period above its budget', () => {
    for (const service of services) {
      const d = deployments.find((m) => containerOf(m).image === `manifold/${service}`);
      if (!d) throw new Error(`no Deployment runs manifold/${service}`);
      const admin = containerOf(d).ports?.find((p) => p.name === 'admin');
      expect(admin).toBeDefined();
      expect(envFile(join(base, 'config', `${service}.env`)).ADMIN_PORT).toBe(String(admin?.containerPort));
      expect(d.spec?.template?.spec?.terminationGracePeriodSeconds).toBeGreaterThan(budgetSeconds[service] ?? 25);
    }
  });

  it('give the console its setup token from an optional Secret key, so setup asks for it once that Secret exists', () => {
    const consoleDeployment = deployments.find((m) => containerOf(m).image === 'manifold/console');
    const env = containerOf(consoleDeployment!).env ?? [];
    expect(env.find((e) => e.name === 'CONSOLE_SETUP_TOKEN')).toEqual({
      name: 'CONSOLE_SETUP_TOKEN',
      valueFrom: { secretKeyRef: { name: 'manifold-console-setup', key: 'CONSOLE_SETUP_TOKEN', optional: true } },
    });
    // The production overlay generates it from secrets/console-setup.env, as its other Secrets.
    const production = kustomization(join(root, 'k8s/overlays/production'));
    expect(production.secretGenerator).toContainEqual({
      name: 'manifold-console-setup',
      envs: ['secrets/console-setup.env'],
    });
  });

  it('probe every Deployment on the admin port, with timeouts above the 2 s a readiness check may take', () => {
    const patch = parse(readFileSync(join(base, 'pod-defaults.yaml'), 'utf8')) as Array<{
      path: string;
      value: { httpGet?: { path: string; port: string }; timeoutSeconds?: number };
    }>;
    const probe = (name: string) => patch.find((p) => p.path === `/spec/template/spec/containers/0/${name}`)?.value;
    expect(probe('readinessProbe')?.httpGet).toEqual({ path: '/readyz', port: 'admin' });
    expect(probe('livenessProbe')?.httpGet).toEqual({ path: '/healthz', port: 'admin' });
    for (const name of ['startupProbe', 'readinessProbe', 'livenessProbe']) {
      expect(probe(name)?.timeoutSeconds).toBeGreaterThan(2);
    }
  });

  it('run one translator Deployment per destination type in the catalog, from the one template', () => {
    const dir = join(base, 'translators');
    const types = readdirSync(dir).filter((f) => statSync(join(dir, f)).isDirectory());
    expect(types.sort()).toEqual(destinationIds().sort());
    expect(kustomization(dir).resources?.sort()).toEqual(types.sort());
    for (const type of types) {
      const k = kustomization(join(dir, type));
      expect(k.resources).toEqual(['../../translator']);
      expect(k.nameSuffix).toBe(`-${type}`);
      expect(k.patches?.[0]?.patch).toContain(`"value": "${type}"`);
    }
  });
});
