import { connect as netConnect, isIP, Socket, type LookupFunction } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { ISocketFactory } from 'kafkajs';

/**
 * Where a client may connect: checked on a broker given as an IP address, and on every address
 * DNS gives for a broker name when a connection opens (a destination's brokers are written by
 * workspace members, so they go through the deployment's blocked networks).
 */
export interface BrokerAddressPolicy {
  /** net.connect's `lookup`: DNS, refusing a name with a blocked address. */
  lookup: LookupFunction;
  /** Throws when `host` is an IP address the policy blocks. */
  checkHost(host: string): void;
}

/** As kafkajs's own socket factory (keep-alive, TLS server name for host names), through `policy`. */
export function policySocketFactory(policy: BrokerAddressPolicy): ISocketFactory {
  return ({ host, port, ssl, onConnect }) => {
    try {
      policy.checkHost(host);
    } catch (error) {
      // Reported as any connection error is (kafkajs keeps its code), without connecting.
      const refused = new Socket();
      setImmediate(() => refused.destroy(error as Error));
      return refused;
    }
    const socket = ssl
      ? tlsConnect(
          { host, port, ...(isIP(host) ? {} : { servername: host }), ...ssl, lookup: policy.lookup },
          onConnect,
        )
      : netConnect({ host, port, lookup: policy.lookup }, onConnect);
    socket.setKeepAlive(true, 60_000);
    return socket;
  };
}
