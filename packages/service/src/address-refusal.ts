import { BlockList, isIP } from 'node:net';

// Addresses an outbound call must not reach (SSRF): this host, private networks, link-local
// (cloud metadata lives there), carrier-grade NAT, multicast and reserved ranges.
const loopback = new BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');

// Private networks: reachable when a deployment allows them (a closed network, tests).
const privateNetworks = new BlockList();
for (const [network, prefix] of [
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
] as const) {
  privateNetworks.addSubnet(network, prefix, 'ipv4');
}
privateNetworks.addSubnet('fc00::', 7, 'ipv6');

// Never reachable: link-local (cloud metadata lives there), multicast and reserved ranges.
const refused = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['169.254.0.0', 16],
  ['192.0.0.0', 24],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  refused.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  refused.addSubnet(network, prefix, 'ipv6');
}

/** What an outbound call may reach besides public addresses. */
export interface OutboundAllowance {
  /** This host (tests, a sidecar). */
  loopback?: boolean | undefined;
  /** Private networks (10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7): a closed network. */
  privateNetworks?: boolean | undefined;
}

/** IPv4-mapped IPv6 (`::ffff:10.0.0.1`) is checked as the IPv4 address it carries. */
function unmapped(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped?.[1] ?? address;
}

/**
 * Why an outbound call must not reach `address`, or undefined when it may: loopback and private
 * networks only when `allow` says so, never link-local, multicast or reserved ranges. Not an IP
 * at all is refused too.
 */
export function addressRefusal(address: string, allow: OutboundAllowance): string | undefined {
  const ip = unmapped(address);
  const family = isIP(ip);
  if (family === 0) return `${address} is not an IP address`;
  const type = family === 4 ? 'ipv4' : 'ipv6';
  if (loopback.check(ip, type)) {
    return allow.loopback === true ? undefined : `${address} is this host (loopback)`;
  }
  if (privateNetworks.check(ip, type)) {
    return allow.privateNetworks === true ? undefined : `${address} is a private address`;
  }
  if (refused.check(ip, type)) return `${address} is a link-local or reserved address`;
  return undefined;
}
