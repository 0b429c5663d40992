// Which addresses destination requests may reach: networks parsed from the operator's variable,
// IPv4, IPv6 and IPv4-mapped addresses checked, and DNS answers checked before a connection.
import { AddressPolicy, BlockedAddressError, DEFAULT_BLOCKED_NETWORKS } from './address-policy';

describe('AddressPolicy', () => {
  it('blocks link-local (cloud metadata) and unspecified addresses by default, not loopback or private ones', () => {
    const policy = AddressPolicy.blocking(DEFAULT_BLOCKED_NETWORKS);
    for (const address of ['169.254.169.254', 'fd00:ec2::254', 'fe80::1', '0.0.0.0', '::', '::ffff:169.254.169.254']) {
      expect([address, policy.allows(address)]).toEqual([address, false]);
    }
    for (const address of ['127.0.0.1', '::1', '10.1.2.3', '192.168.0.10', '8.8.8.8', '2001:db8::1']) {
      expect([address, policy.allows(address)]).toEqual([address, true]);
    }
  });

  it('takes networks and single addresses, and names an entry it cannot read', () => {
    const policy = AddressPolicy.blocking(['10.0.0.0/8', '192.168.1.7', 'fc00::/7']);
    expect(policy.allows('10.255.0.1')).toBe(false);
    expect(policy.allows('11.0.0.1')).toBe(true);
    expect(policy.allows('192.168.1.7')).toBe(false);
    expect(policy.allows('192.168.1.8')).toBe(true);
    expect(policy.allows('fd12::1')).toBe(false);
    for (const bad of ['10.0.0.0/33', 'example.com', '10.0.0.0/', '::1/129', '1.2.3.4/8/2']) {
      expect(() => AddressPolicy.blocking([bad])).toThrow(
        `"${bad}" is not an IP address or a network in CIDR notation`,
      );
    }
    expect(AddressPolicy.blocking([]).allows('169.254.169.254')).toBe(true);
  });

  it('refuses an IP literal host, brackets and all', () => {
    const policy = AddressPolicy.blocking(['127.0.0.0/8', '::1/128']);
    expect(() => policy.checkHost('127.0.0.1')).toThrow(BlockedAddressError);
    expect(() => policy.checkHost('[::1]')).toThrow('::1 is in a network destinations may not reach');
    expect(() => policy.checkHost('localhost')).not.toThrow();
    expect(() => policy.checkHost('10.0.0.1')).not.toThrow();
  });

  it("refuses a name when DNS gives a blocked address, and passes other names' answers on as asked", async () => {
    const lookup = (policy: AddressPolicy, host: string, all: boolean) =>
      new Promise<{ error: NodeJS.ErrnoException | null; address: unknown }>((resolve) =>
        policy.lookup(host, { all }, (error, address) => resolve({ error, address })),
      );
    const blocked = await lookup(AddressPolicy.blocking(['127.0.0.0/8', '::1/128']), 'localhost', false);
    expect(blocked.error).toBeInstanceOf(BlockedAddressError);
    expect(blocked.error?.code).toBe('ERR_DESTINATION_ADDRESS_BLOCKED');
    expect(blocked.error?.message).toMatch(
      /^localhost \((127\.0\.0\.1|::1)\) is in a network destinations may not reach/,
    );
    const one = await lookup(AddressPolicy.blocking(['10.0.0.0/8']), 'localhost', false);
    expect(one.error).toBeNull();
    expect(['127.0.0.1', '::1']).toContain(one.address);
    const all = await lookup(AddressPolicy.blocking(['10.0.0.0/8']), 'localhost', true);
    expect(all.address).toEqual(expect.arrayContaining([expect.objectContaining({ address: expect.any(String) })]));
  });
});
