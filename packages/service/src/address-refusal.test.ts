import { describe, expect, it } from 'vitest';
import { addressRefusal } from './address-refusal.ts';

const loopback = { loopback: true };
const closedNetwork = { loopback: true, privateNetworks: true };

describe('addressRefusal', () => {
  it('lets public addresses through', () => {
    expect(addressRefusal('93.184.216.34', {})).toBeUndefined();
    expect(addressRefusal('2606:2800:220:1::1', {})).toBeUndefined();
  });

  it('refuses loopback unless allowed', () => {
    expect(addressRefusal('127.0.0.1', {})).toContain('loopback');
    expect(addressRefusal('::1', {})).toContain('loopback');
    expect(addressRefusal('127.0.0.1', loopback)).toBeUndefined();
  });

  it('refuses private networks unless allowed, even when loopback is', () => {
    for (const address of ['10.1.2.3', '172.20.0.1', '192.168.1.1', '100.64.0.9', 'fd00::1']) {
      expect(addressRefusal(address, loopback)).toContain('private');
      expect(addressRefusal(address, closedNetwork)).toBeUndefined();
    }
  });

  it('always refuses link-local (cloud metadata), multicast and reserved ranges', () => {
    for (const address of ['169.254.169.254', 'fe80::1', '0.0.0.0', '224.0.0.1', '::']) {
      expect(addressRefusal(address, closedNetwork)).toContain('link-local or reserved');
    }
  });

  it('sees through IPv4-mapped IPv6 addresses', () => {
    expect(addressRefusal('::ffff:10.0.0.1', loopback)).toContain('private');
    expect(addressRefusal('::ffff:127.0.0.1', {})).toContain('loopback');
  });

  it('refuses what is not an IP address', () => {
    expect(addressRefusal('example.com', closedNetwork)).toContain('not an IP address');
  });
});
