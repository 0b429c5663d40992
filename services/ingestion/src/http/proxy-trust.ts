import type { IncomingMessage } from 'node:http';
import proxyaddr from 'proxy-addr';

/** What a request says about its sender, believing forwarded headers only from trusted proxies. */
export interface ProxyTrust {
  /** The caller's address, for `context.ip`. */
  clientIp(req: IncomingMessage): string | undefined;
  /** The scheme the caller used: X-Forwarded-Proto from a trusted proxy, else the socket's. */
  protocol(req: IncomingMessage): 'http' | 'https';
  /** The host the caller asked for: X-Forwarded-Host from a trusted proxy, else Host. */
  host(req: IncomingMessage): string | undefined;
}

function firstValue(header: string | string[] | undefined): string | undefined {
  const value = (Array.isArray(header) ? header[0] : header)?.split(',')[0]?.trim();
  return value ? value : undefined;
}

/**
 * `X-Forwarded-For` is walked from the nearest hop through the trusted proxies (IPs, CIDR ranges,
 * or proxy-addr's names such as `loopback`). With none trusted the socket's own address is used,
 * so a client cannot forge its IP.
 */
export function createProxyTrust(trustedProxies: readonly string[]): ProxyTrust {
  const trust = trustedProxies.length > 0 ? proxyaddr.compile([...trustedProxies]) : undefined;
  const peerIsTrusted = (req: IncomingMessage): boolean => {
    const peer = req.socket.remoteAddress;
    return trust !== undefined && peer !== undefined && trust(peer, 0);
  };
  return {
    clientIp: (req) => stripMappedPrefix(trust ? proxyaddr(req, trust) : req.socket.remoteAddress),
    protocol: (req) => {
      if (peerIsTrusted(req)) {
        const forwarded = firstValue(req.headers['x-forwarded-proto'])?.toLowerCase();
        if (forwarded === 'https' || forwarded === 'http') return forwarded;
      }
      return (req.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http';
    },
    host: (req) => (peerIsTrusted(req) ? firstValue(req.headers['x-forwarded-host']) : undefined) ?? req.headers.host,
  };
}

/** `::ffff:1.2.3.4` is how Node shows IPv4 peers on a dual-stack socket. */
function stripMappedPrefix(address: string | undefined): string | undefined {
  if (!address) return undefined;
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}
