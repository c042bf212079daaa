import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';

/**
 * Address ranges a push endpoint may not point at: the server's own machine, the networks
 * behind it and every other special-purpose range (IANA registries), so a subscription cannot
 * make the server post to its loopback services, private hosts or a cloud metadata service.
 */
const REFUSED_RANGES: [string, number, 'ipv4' | 'ipv6', string][] = [
  ['0.0.0.0', 8, 'ipv4', 'unspecified'],
  ['10.0.0.0', 8, 'ipv4', 'private'],
  ['100.64.0.0', 10, 'ipv4', 'shared (CGNAT)'],
  ['127.0.0.0', 8, 'ipv4', 'loopback'],
  ['169.254.0.0', 16, 'ipv4', 'link-local'],
  ['172.16.0.0', 12, 'ipv4', 'private'],
  ['192.0.0.0', 24, 'ipv4', 'special-purpose'],
  ['192.0.2.0', 24, 'ipv4', 'documentation'],
  ['192.88.99.0', 24, 'ipv4', 'relay'],
  ['192.168.0.0', 16, 'ipv4', 'private'],
  ['198.18.0.0', 15, 'ipv4', 'benchmarking'],
  ['198.51.100.0', 24, 'ipv4', 'documentation'],
  ['203.0.113.0', 24, 'ipv4', 'documentation'],
  ['224.0.0.0', 4, 'ipv4', 'multicast'],
  ['240.0.0.0', 4, 'ipv4', 'reserved'],
  // ::, ::1 and the IPv4-compatible block; IPv4-mapped ones (::ffff:a.b.c.d) meet the IPv4 rules above.
  ['::', 96, 'ipv6', 'unspecified or loopback'],
  ['64:ff9b::', 96, 'ipv6', 'IPv4 translation'],
  ['64:ff9b:1::', 48, 'ipv6', 'IPv4 translation'],
  ['100::', 64, 'ipv6', 'discard'],
  ['2001::', 23, 'ipv6', 'special-purpose'],
  ['2001:db8::', 32, 'ipv6', 'documentation'],
  ['2002::', 16, 'ipv6', '6to4'],
  ['fc00::', 7, 'ipv6', 'unique-local'],
  ['fe80::', 10, 'ipv6', 'link-local'],
  ['fec0::', 10, 'ipv6', 'site-local'],
  ['ff00::', 8, 'ipv6', 'multicast'],
];

const refused = REFUSED_RANGES.map(([network, prefix, type, kind]) => {
  const list = new BlockList();
  list.addSubnet(network, prefix, type);
  return { list, kind };
});

/** Which refused range this IP address is in ("loopback"), or null when pushes may go to it. */
export function refusedAddressKind(address: string): string | null {
  const family = isIP(address);
  if (family === 0) return null;
  const type = family === 4 ? 'ipv4' : 'ipv6';
  return refused.find((r) => r.list.check(address, type))?.kind ?? null;
}

/** Raised by the guarded DNS lookup: the name resolves to an address pushes may not reach. */
export class RefusedPushAddress extends Error {
  readonly code = 'EPUSHREFUSED';
}

/**
 * Which push endpoints the server may post to: `https:` URLs whose host is not, and does not
 * resolve to, a refused address. Origins on the allowlist (a push service of one's own, or one
 * under test) are admitted as they are, `http:` and loopback included.
 */
export class PushEndpointPolicy {
  private readonly allowed: ReadonlySet<string>;

  constructor(allowlist: readonly string[] = []) {
    this.allowed = new Set(allowlist.map((origin) => new URL(origin).origin));
  }

  isAllowlisted(url: URL): boolean {
    return this.allowed.has(url.origin);
  }

  /**
   * What is wrong with the endpoint as written (scheme, an IP literal), or null. When saving, names
   * are not resolved (what they resolve to then says nothing of later), so loopback names are
   * refused by name; when sending, `lookupFor` checks every address the name resolves to.
   */
  problemWith(endpoint: string, when: 'saving' | 'sending' = 'saving'): string | null {
    let url: URL;
    try {
      url = new URL(endpoint);
    } catch {
      return 'endpoint must be an https URL';
    }
    if (this.isAllowlisted(url)) return null;
    if (url.protocol !== 'https:') return 'endpoint must be an https URL';
    if (url.username || url.password) return 'endpoint must not carry a user name or password';
    // The URL parser has already turned shorthand and numeric forms (0x7f.1, 2130706433) into dotted IPv4.
    const host = url.hostname.replace(/^\[|\]$/g, '').replace(/\.$/, '').toLowerCase();
    if (when === 'saving' && (host === 'localhost' || host.endsWith('.localhost'))) return 'endpoint must not point at loopback addresses';
    const kind = refusedAddressKind(host);
    return kind ? `endpoint must not point at ${kind} addresses` : null;
  }

  /**
   * The DNS lookup for a push connection: every address the name resolves to must be admitted,
   * and the connection is made to exactly those, so a name cannot resolve one way when checked
   * and another way when connected. None for allowlisted origins.
   */
  lookupFor(url: URL): LookupFunction | undefined {
    if (this.isAllowlisted(url)) return undefined;
    return (hostname, options, callback) => {
      dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
        if (error) return callback(error, '', 0);
        for (const { address } of addresses) {
          const kind = refusedAddressKind(address);
          if (kind) return callback(new RefusedPushAddress(`${hostname} resolves to ${address}, and pushes may not go to ${kind} addresses`), '', 0);
        }
        if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
        callback(null, addresses[0].address, addresses[0].family);
      });
    };
  }
}
