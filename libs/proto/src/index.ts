// The control plane's gRPC API, generated from proto/ by `pnpm gen` (see proto/gen.sh).
export * from './gen/manifold/controlplane/v1/common';
export * from './gen/manifold/controlplane/v1/workspaces';
export * from './gen/manifold/controlplane/v1/sources';
export * from './gen/manifold/controlplane/v1/destinations';
export * from './gen/manifold/controlplane/v1/catalog';
export * from './gen/manifold/controlplane/v1/config_stream';
export * from './gen/manifold/controlplane/v1/runs';
export * from './gen/manifold/controlplane/v1/dead_letters';
export * from './gen/manifold/controlplane/v1/replay';
export * from './gen/manifold/controlplane/v1/event_trace';
export * from './gen/manifold/controlplane/v1/reverse_etl';
export * from './gen/manifold/controlplane/v1/oauth';
export * from './gen/manifold/controlplane/v1/tracking_plans';
// Helpers every generated file declares; re-exported once to settle the name clash.
export { protobufPackage, type DeepPartial, type MessageFns } from './gen/manifold/controlplane/v1/common';
export { protobufFileName } from './gen/manifold/controlplane/v1/config_stream';
export { descriptorSetBase64 } from './gen/descriptor-set';
export {
  controlPlaneTlsConfigShape,
  checkControlPlaneTlsConfig,
  controlPlaneTls,
  controlPlaneCredentials,
  grpcServerTlsConfigShape,
  checkGrpcServerTlsConfig,
  grpcServerTls,
  grpcServerCredentials,
  type ControlPlaneTls,
  type ControlPlaneTlsConfig,
  type GrpcServerTls,
  type GrpcServerTlsConfig,
} from './tls';
export {
  connectControlPlane,
  type ControlPlaneClients,
  type ConnectControlPlaneOptions,
  type PromiseClient,
} from './client';
export {
  fieldViolations,
  fieldViolationsMetadata,
  FIELD_VIOLATIONS_TRAILER,
  type FieldViolation,
} from './field-violations';
