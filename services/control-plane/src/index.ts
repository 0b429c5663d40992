export { startControlPlane, type ControlPlane, type StartControlPlaneOptions } from './start-control-plane';
export type { CatalogEntryDefinition } from './domain/catalog';
export { SECRET_MASK } from '@manifold/secrets';
export { runCli } from './cli/program';
export { controlPlaneConfig } from './config';
