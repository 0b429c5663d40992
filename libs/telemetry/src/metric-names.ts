/**
 * The prefix of every metric a service exports: `manifold_<service>_`, the service's name in
 * snake case (`warehouse-loader` → `manifold_warehouse_loader_`). Metrics a library records
 * for every service (runtime, HTTP, consumer lag) take their service's prefix from here, so one
 * name pattern holds across the whole system.
 */
export function metricPrefix(serviceName: string): string {
  const service = serviceName
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  return `manifold_${service}_`;
}
