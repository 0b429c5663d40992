import { credentials, ServerCredentials, type ChannelCredentials } from '@grpc/grpc-js';
import { env, requiredTogether, type ConfigOf, type ConfigProblem } from '@manifold/config';

/**
 * TLS to the control plane, whose config stream carries decrypted credentials. `ca` (PEM) is
 * what the client trusts; `cert` and `key` are its own certificate, for a server that requires
 * one (mutual TLS).
 */
export interface ControlPlaneTls {
  ca: string;
  cert?: string;
  key?: string;
}

/** The variables of every control-plane client (data plane, console), next to CONTROL_PLANE_ADDRESS. */
export const controlPlaneTlsConfigShape = {
  /** TLS is used when this is set; plaintext (local runs) otherwise. */
  CONTROL_PLANE_TLS_CA_FILE: env.file().optional(),
  CONTROL_PLANE_TLS_CERT_FILE: env.file().optional(),
  CONTROL_PLANE_TLS_KEY_FILE: env.file().optional(),
};

export type ControlPlaneTlsConfig = ConfigOf<typeof controlPlaneTlsConfigShape>;

/** A client certificate needs its key and the CA, and the other way round. */
export function checkControlPlaneTlsConfig(config: ControlPlaneTlsConfig): ConfigProblem[] {
  const certificate = config.CONTROL_PLANE_TLS_CERT_FILE ?? config.CONTROL_PLANE_TLS_KEY_FILE;
  return [
    ...requiredTogether(config, 'CONTROL_PLANE_TLS_CERT_FILE', 'CONTROL_PLANE_TLS_KEY_FILE'),
    ...(certificate && !config.CONTROL_PLANE_TLS_CA_FILE
      ? [
          {
            variable: 'CONTROL_PLANE_TLS_CA_FILE',
            message: 'is required for a client certificate (TLS is on when it is set)',
          },
        ]
      : []),
  ];
}

/** The client's TLS from checked configuration; undefined for plaintext. */
export function controlPlaneTls(config: ControlPlaneTlsConfig): ControlPlaneTls | undefined {
  const { CONTROL_PLANE_TLS_CA_FILE: ca, CONTROL_PLANE_TLS_CERT_FILE: cert, CONTROL_PLANE_TLS_KEY_FILE: key } = config;
  if (!ca) return undefined;
  return { ca: ca.text, ...(cert && key && { cert: cert.text, key: key.text }) };
}

/** gRPC channel credentials for a control-plane client: TLS when `tls` is given, else plaintext. */
export function controlPlaneCredentials(tls: ControlPlaneTls | undefined): ChannelCredentials {
  if (!tls) return credentials.createInsecure();
  const key = tls.key === undefined ? null : Buffer.from(tls.key);
  const cert = tls.cert === undefined ? null : Buffer.from(tls.cert);
  return credentials.createSsl(Buffer.from(tls.ca), key, cert);
}

/**
 * The control plane's own certificate, and, with `clientCa`, the CA whose certificates clients
 * must present (mutual TLS: a client without one is refused during the handshake).
 */
export interface GrpcServerTls {
  cert: string;
  key: string;
  clientCa?: string;
}

/** The control plane's server variables. */
export const grpcServerTlsConfigShape = {
  GRPC_TLS_CERT_FILE: env.file().optional(),
  GRPC_TLS_KEY_FILE: env.file().optional(),
  /** When set, clients must present a certificate this CA signed. */
  GRPC_TLS_CLIENT_CA_FILE: env.file().optional(),
};

export type GrpcServerTlsConfig = ConfigOf<typeof grpcServerTlsConfigShape>;

export function checkGrpcServerTlsConfig(config: GrpcServerTlsConfig): ConfigProblem[] {
  const { GRPC_TLS_CERT_FILE: cert, GRPC_TLS_KEY_FILE: key, GRPC_TLS_CLIENT_CA_FILE: clientCa } = config;
  return [
    ...requiredTogether(config, 'GRPC_TLS_CERT_FILE', 'GRPC_TLS_KEY_FILE'),
    ...(clientCa && !(cert && key)
      ? [
          {
            variable: 'GRPC_TLS_CLIENT_CA_FILE',
            message: 'needs GRPC_TLS_CERT_FILE and GRPC_TLS_KEY_FILE (mutual TLS is TLS first)',
          },
        ]
      : []),
  ];
}

export function grpcServerTls(config: GrpcServerTlsConfig): GrpcServerTls | undefined {
  const { GRPC_TLS_CERT_FILE: cert, GRPC_TLS_KEY_FILE: key, GRPC_TLS_CLIENT_CA_FILE: clientCa } = config;
  if (!cert || !key) return undefined;
  return { cert: cert.text, key: key.text, ...(clientCa && { clientCa: clientCa.text }) };
}

/** gRPC server credentials: TLS (mutual with `clientCa`) when `tls` is given, else plaintext. */
export function grpcServerCredentials(tls: GrpcServerTls | undefined): ServerCredentials {
  if (!tls) return ServerCredentials.createInsecure();
  return ServerCredentials.createSsl(
    tls.clientCa === undefined ? null : Buffer.from(tls.clientCa),
    [{ cert_chain: Buffer.from(tls.cert), private_key: Buffer.from(tls.key) }],
    tls.clientCa !== undefined,
  );
}
