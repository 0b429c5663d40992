import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** Paths of a throwaway CA and the certificates it signed (see deploy/local/tls-certificates.sh). */
export interface TlsCertificates {
  dir: string;
  ca: string;
  /** For 127.0.0.1 and localhost. */
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  /** The client certificate and key in one PEM file. */
  clientCertKey: string;
}

/** Makes a CA, a server and a client certificate with openssl, in `dir` or a new temporary folder. */
export function makeTlsCertificates(dir = mkdtempSync(join(tmpdir(), 'manifold-tls-'))): TlsCertificates {
  execFileSync('bash', [resolve(__dirname, '../../../deploy/local/tls-certificates.sh'), dir], { stdio: 'pipe' });
  const at = (name: string): string => join(dir, name);
  return {
    dir,
    ca: at('ca.pem'),
    serverCert: at('server.pem'),
    serverKey: at('server.key'),
    clientCert: at('client.pem'),
    clientKey: at('client.key'),
    clientCertKey: at('client.pem+key.pem'),
  };
}
