// The configuration and secrets each overlay gives a service (its generated ConfigMaps and
// Secrets, the production overlay's from its committed examples) must pass that service's
// configuration check: an example that crash-loops at start teaches nothing.
import { loadConsoleConfig } from '@manifold/console';
import { controlPlaneConfig } from '@manifold/control-plane';
import { loadIngestionConfig } from '@manifold/ingestion';
import { loadTranslatorConfig } from '@manifold/translator';
import { loadLoaderConfig } from '@manifold/warehouse-loader';
import { baseManifests, containerOf, overlayData } from './kustomize-files';

const checks: Record<string, (env: Record<string, string>) => unknown> = {
  'control-plane': controlPlaneConfig,
  ingestion: loadIngestionConfig,
  translator: loadTranslatorConfig,
  'warehouse-loader': loadLoaderConfig,
  console: loadConsoleConfig,
};

describe.each(['dev', 'production'])('the %s overlay', (overlay) => {
  const data = overlayData(overlay);
  const deployments = baseManifests().filter((m) => m.kind === 'Deployment');

  it.each(Object.keys(checks))('passes the %s configuration check', (service) => {
    const d = deployments.find((m) => containerOf(m).image === `manifold/${service}`);
    if (!d) throw new Error(`no Deployment runs manifold/${service}`);
    const c = containerOf(d);
    const env: Record<string, string> = Object.assign(
      {},
      ...(c.envFrom ?? []).map((from) => {
        const name = from.configMapRef?.name ?? from.secretRef?.name ?? '';
        const values = data.get(name);
        if (!values) throw new Error(`${service} reads ${name}, which ${overlay} does not generate`);
        return values;
      }),
      ...(c.env ?? []).map((e) => {
        const ref = e.valueFrom?.secretKeyRef;
        if (!ref) return { [e.name]: e.value };
        const value = data.get(ref.name)?.[ref.key];
        if (value === undefined && !ref.optional)
          throw new Error(`${service} reads ${ref.name}, which ${overlay} lacks`);
        return value === undefined ? {} : { [e.name]: value };
      }),
    ) as Record<string, string>;
    if (service === 'translator') env.DESTINATION_TYPES = 'webhook';
    expect(() => checks[service]?.(env)).not.toThrow();
  });

  it('gives the control plane key to the control plane alone', () => {
    const readers = deployments.filter((m) =>
      containerOf(m).envFrom?.some((f) => f.secretRef?.name === 'manifold-control-plane-key'),
    );
    expect(readers.map((m) => m.metadata.name)).toEqual(['control-plane']);
    expect(data.get('manifold-control-plane-key')?.CONTROL_PLANE_SECRET_KEY).toBeDefined();
  });
});
