import { BlockList, isIP } from 'node:net';

// Addresses an outbound call must not reach (SSRF): this host, private networks, link-local
// (cloud metadata lives there), carrier-grade NAT, multicast and reserved ranges.
const loopback = new BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');

const internal = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  internal.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  internal.addSubnet(network, prefix, 'ipv6');
}

/** IPv4-mapped IPv6 (`::ffff:10.0.0.1`) is checked as the IPv4 address it carries. */
function unmapped(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped?.[1] ?? address;
}

/**
 * Why an outbound call must not reach `address`, or undefined when it may: loopback only when
 * `allowLoopback` (tests), never a private, link-local or reserved network. Not an IP at all
 * is refused too.
 */
export function addressRefusal(address: string, allowLoopback: boolean): string | undefined {
  const ip = unmapped(address);
  const family = isIP(ip);
  if (family === 0) return `${address} is not an IP address`;
  const type = family === 4 ? 'ipv4' : 'ipv6';
  if (loopback.check(ip, type)) {
    return allowLoopback ? undefined : `${address} is this host (loopback)`;
  }
  if (internal.check(ip, type)) return `${address} is a private, link-local or reserved address`;
  return undefined;
}
