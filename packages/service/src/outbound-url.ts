import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { SbError } from '@switchboard/protocol';
import { addressRefusal, type OutboundAllowance } from './address-refusal.ts';

/**
 * Checks a URL a service is about to call on someone's behalf (an upstream MCP server, an A2A
 * peer, a push notification target) against SSRF: http(s) only, no credentials in the URL, and
 * every address its host resolves to must be public (loopback and private networks only as
 * `allow` says). `what` names the URL in errors ("the upstream URL").
 * @throws SbError `E_VALIDATION` (not an http URL), `E_FORBIDDEN` (a refused address),
 * `E_UNAVAILABLE` (the host does not resolve).
 */
export async function checkOutboundUrl(
  url: string | URL,
  allow: OutboundAllowance,
  what = 'the URL',
): Promise<URL> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new SbError('E_VALIDATION', `${what} is not a URL: ${String(url)}`, {
      details: { path: 'url' },
    });
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new SbError('E_VALIDATION', `${parsed.protocol} is not allowed: use an http(s) URL`, {
      details: { path: 'url' },
    });
  }
  if (parsed.username !== '' || parsed.password !== '') {
    throw new SbError('E_VALIDATION', `${what} must not carry credentials`, {
      details: { path: 'url' },
    });
  }
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  let addresses: string[];
  if (isIP(host) !== 0) addresses = [host];
  else {
    try {
      addresses = (await lookup(host, { all: true })).map((entry) => entry.address);
    } catch (error) {
      throw new SbError('E_UNAVAILABLE', `the host ${host} of ${what} does not resolve`, {
        cause: error,
      });
    }
  }
  for (const address of addresses) {
    const refusal = addressRefusal(address, allow);
    if (refusal !== undefined) {
      throw new SbError('E_FORBIDDEN', `${what} ${parsed.origin} is refused: ${refusal}`, {
        details: { path: 'url' },
      });
    }
  }
  return parsed;
}

/**
 * A fetch that checks every request's URL again (the host may resolve elsewhere by now, or a
 * redirect may point inward) and refuses redirects.
 */
export function guardedFetch(allow: () => OutboundAllowance, what = 'the URL') {
  return async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = input instanceof Request ? input.url : input;
    await checkOutboundUrl(url, allow(), what);
    return fetch(input, { ...init, redirect: 'error' });
  };
}
