import { lookup as dnsLookup } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { BLOCKED_ADDRESS_CODE } from '@manifold/destination-kit';

/**
 * Networks destination requests never reach unless the operator says otherwise: link-local
 * (169.254.0.0/16, fe80::/10), where clouds serve instance metadata and credentials
 * (169.254.169.254, AWS's fd00:ec2::254), and the unspecified addresses (0.0.0.0/8, ::), which
 * reach the host itself. Loopback and private networks stay reachable by default: a self-hosted
 * platform's destinations are often internal services (a deployment that sends only to the
 * internet adds them, see DESTINATION_BLOCKED_NETWORKS).
 */
export const DEFAULT_BLOCKED_NETWORKS: readonly string[] = [
  '169.254.0.0/16',
  'fe80::/10',
  'fd00:ec2::254/128',
  '0.0.0.0/8',
  '::/128',
];

/** A destination request to an address in a blocked network: refused before any byte is sent. */
export class BlockedAddressError extends Error {
  readonly code = BLOCKED_ADDRESS_CODE;

  constructor(host: string, address: string) {
    super(
      `${host === address ? address : `${host} (${address})`} is in a network destinations may not reach ` +
        '(DESTINATION_BLOCKED_NETWORKS)',
    );
    this.name = 'BlockedAddressError';
  }
}

/**
 * Which addresses destination requests may reach, checked where the address is known: the URL's
 * host when it is an IP literal, else each address DNS gives for it when a connection opens (so a
 * name that resolves to a blocked address, at first or later, is refused too; and so is a
 * redirect to one, since every hop goes through the same check). IPv4-mapped IPv6 addresses
 * count as their IPv4 address.
 */
export class AddressPolicy {
  private constructor(private readonly blocked: BlockList) {}

  /** A policy blocking `networks` (CIDRs such as `10.0.0.0/8`, or single addresses); throws naming a bad one. */
  static blocking(networks: readonly string[]): AddressPolicy {
    const list = new BlockList();
    for (const network of networks) {
      const [address = '', prefix, ...rest] = network.trim().split('/');
      const family = isIP(address);
      const bits = family === 4 ? 32 : 128;
      const length = prefix === undefined ? bits : Number(prefix);
      if (
        family === 0 ||
        rest.length > 0 ||
        !Number.isInteger(length) ||
        length < 0 ||
        length > bits ||
        prefix === ''
      ) {
        throw new Error(`"${network}" is not an IP address or a network in CIDR notation (e.g. 10.0.0.0/8, fd00::/8)`);
      }
      list.addSubnet(address, length, family === 4 ? 'ipv4' : 'ipv6');
    }
    return new AddressPolicy(list);
  }

  /** Whether requests may go to this IP address. */
  allows(address: string): boolean {
    const family = isIP(address);
    if (family === 0) return true;
    return !this.blocked.check(address, family === 4 ? 'ipv4' : 'ipv6');
  }

  /** Throws BlockedAddressError when `hostname` (as a URL gives it) is an IP literal in a blocked network. */
  checkHost(hostname: string): void {
    const address = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
    if (isIP(address) !== 0 && !this.allows(address)) throw new BlockedAddressError(address, address);
  }

  /** A `lookup` for connections (net.connect's option): DNS as usual, refusing a name with any blocked address. */
  readonly lookup: LookupFunction = (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, '');
      const refused = addresses.find((a) => !this.allows(a.address));
      if (refused) return callback(new BlockedAddressError(hostname, refused.address), '');
      if (options.all) return callback(null, addresses);
      const first = addresses[0];
      if (!first) return callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }), '');
      return callback(null, first.address, first.family);
    });
  };
}
