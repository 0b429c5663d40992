import { connectControlPlane, type ControlPlaneClients, type ControlPlaneTls } from '@manifold/proto';

export interface GlobalOptions {
  address: string;
  token?: string;
  actor: string;
  json?: boolean;
  /** From CONTROL_PLANE_TLS_CA_FILE, _CERT_FILE, _KEY_FILE; plaintext without. */
  tls?: ControlPlaneTls | undefined;
}

/** An error the CLI reports as its message alone (exit code 1), without a stack trace. */
export class CliError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliError';
  }
}

/** Clients for the control plane named by --address/--token (or their environment variables). */
export function clientsFrom(options: GlobalOptions): ControlPlaneClients {
  if (!options.token) {
    throw new CliError("no token: pass --token or set CONTROL_PLANE_TOKEN (the control plane's service token)");
  }
  return connectControlPlane({
    address: options.address,
    token: options.token,
    actor: options.actor,
    tls: options.tls,
  });
}
