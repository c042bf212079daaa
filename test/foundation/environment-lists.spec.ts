import type { IncomingMessage } from 'node:http';
import { validateEnvironment } from '../../src/config/environment';
import { clientAddressOf, trustedHops } from '../../src/config/trust-proxy';

/** A request as it reaches the server: the peer that connected, and the header it sent. */
const from = (peer: string, forwardedFor?: string) =>
  ({ socket: { remoteAddress: peer }, connection: { remoteAddress: peer }, headers: forwardedFor ? { 'x-forwarded-for': forwardedFor } : {} }) as unknown as IncomingMessage;

describe('TRUST_PROXY', () => {
  it.each([
    ['off', '203.0.113.9'],
    ['0', '203.0.113.9'],
    ['1', '198.51.100.2'],
    ['2', '198.51.100.1'],
    ['203.0.113.9', '198.51.100.2'],
    ['203.0.113.0/24, 198.51.100.2', '198.51.100.1'],
    ['10.0.0.0/8', '203.0.113.9'],
  ])('with %s, a request from 203.0.113.9 forwarded for "198.51.100.1, 198.51.100.2" counts as %s', (setting, address) => {
    expect(clientAddressOf(from('203.0.113.9', '198.51.100.1, 198.51.100.2'), trustedHops(setting))).toBe(address);
  });

  it.each(['yes', 'true', '1.2.3.4/99', 'proxy.example'])('refuses to start with TRUST_PROXY=%s, naming it', (setting) => {
    expect(() => validateEnvironment({ TRUST_PROXY: setting })).toThrow(/TRUST_PROXY must be off, a hop count or a list of addresses and CIDRs/);
  });
});

describe('PUSH_ENDPOINT_ALLOWLIST', () => {
  it('takes origins', () => {
    expect(validateEnvironment({ PUSH_ENDPOINT_ALLOWLIST: 'http://127.0.0.1:8090, https://push.internal.example' }).PUSH_ENDPOINT_ALLOWLIST).toBeDefined();
  });

  it.each(['http://127.0.0.1:8090/push', 'push.example', 'ftp://push.example'])('refuses to start with %s, naming the variable', (entry) => {
    expect(() => validateEnvironment({ PUSH_ENDPOINT_ALLOWLIST: entry })).toThrow(`PUSH_ENDPOINT_ALLOWLIST takes origins (scheme, host, port): ${entry}`);
  });
});
