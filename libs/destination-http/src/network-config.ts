import { env } from '@manifold/config';
import { z } from 'zod';
import { AddressPolicy, DEFAULT_BLOCKED_NETWORKS } from './address-policy';

/**
 * The variable every service that sends destination requests reads (the translator, the control
 * plane's mapping tester): comma-separated networks (CIDR) or addresses those requests may not
 * reach, link-local and unspecified by default (DEFAULT_BLOCKED_NETWORKS); `none` blocks nothing
 * (an empty variable counts as unset, as every variable does).
 * A deployment whose destinations are all on the internet adds its private ranges, e.g.
 * `169.254.0.0/16,fe80::/10,0.0.0.0/8,::/128,127.0.0.0/8,::1/128,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,fc00::/7`.
 */
export const destinationNetworkConfigShape = {
  DESTINATION_BLOCKED_NETWORKS: env
    .string()
    .default(DEFAULT_BLOCKED_NETWORKS.join(','))
    .transform((value, ctx) => {
      const networks = (value.trim() === 'none' ? '' : value)
        .split(',')
        .map((n) => n.trim())
        .filter(Boolean);
      try {
        return AddressPolicy.blocking(networks);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
        return z.NEVER;
      }
    }),
};
