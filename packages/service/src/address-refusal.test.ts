import { describe, expect, it } from 'vitest';
import { addressRefusal } from './address-refusal.ts';

describe('addressRefusal', () => {
  it('lets public addresses through', () => {
    expect(addressRefusal('93.184.216.34', false)).toBeUndefined();
    expect(addressRefusal('2606:2800:220:1::1', false)).toBeUndefined();
  });

  it('refuses loopback unless allowed', () => {
    expect(addressRefusal('127.0.0.1', false)).toContain('loopback');
    expect(addressRefusal('::1', false)).toContain('loopback');
    expect(addressRefusal('127.0.0.1', true)).toBeUndefined();
  });

  it('refuses private, link-local and reserved networks even when loopback is allowed', () => {
    for (const address of [
      '10.1.2.3',
      '172.20.0.1',
      '192.168.1.1',
      '169.254.169.254',
      'fd00::1',
      'fe80::1',
      '0.0.0.0',
    ]) {
      expect(addressRefusal(address, true)).toContain('private');
    }
  });

  it('sees through IPv4-mapped IPv6 addresses', () => {
    expect(addressRefusal('::ffff:10.0.0.1', true)).toContain('private');
    expect(addressRefusal('::ffff:127.0.0.1', false)).toContain('loopback');
  });

  it('refuses what is not an IP address', () => {
    expect(addressRefusal('example.com', true)).toContain('not an IP address');
  });
});
