import type { IncomingMessage } from 'node:http';
import proxyAddr from '@fastify/proxy-addr';

/** Whether the hop `address`, `hops` steps from this server, is a proxy whose forwarded-for header is believed. */
export type TrustedHop = (address: string, hops: number) => boolean;

/**
 * `TRUST_PROXY`: `off` (nobody: the address is the peer that connected), a hop count (that many
 * proxies in front of the server), or a comma-separated list of proxy addresses and CIDRs.
 * Throws on anything else, naming the bad entry.
 */
export function trustedHops(value: string): TrustedHop | null {
  const text = value.trim();
  if (text === '' || text === 'off') return null;
  if (/^\d+$/.test(text)) {
    const count = Number(text);
    return count === 0 ? null : (_, hops) => hops < count;
  }
  try {
    return proxyAddr.compile(text.split(',').map((entry) => entry.trim()));
  } catch (error) {
    throw new Error(`TRUST_PROXY must be off, a hop count or a list of addresses and CIDRs: ${(error as Error).message}`);
  }
}

/** The client's address for a raw request: the peer, or the forwarded-for entry the trusted proxies vouch for. */
export const clientAddressOf = (request: IncomingMessage, trust: TrustedHop | null): string =>
  trust ? proxyAddr(request, trust) : (request.socket.remoteAddress ?? '');
