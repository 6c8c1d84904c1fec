import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { SbError } from '@switchboard/protocol';
import { addressRefusal } from '../domain/ssrf.ts';

/**
 * Checks an upstream MCP server's URL against SSRF before the registry reaches it: http(s)
 * only, no credentials in the URL, and every address its host resolves to must be public
 * (loopback only when `allowLoopback`).
 * @throws SbError `E_VALIDATION` (not an http URL), `E_FORBIDDEN` (a refused address),
 * `E_UNAVAILABLE` (the host does not resolve).
 */
export async function checkUpstreamUrl(url: string | URL, allowLoopback: boolean): Promise<URL> {
  const parsed = new URL(url);
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new SbError('E_VALIDATION', `${parsed.protocol} is not allowed: use an http(s) URL`, {
      details: { path: 'url' },
    });
  }
  if (parsed.username !== '' || parsed.password !== '') {
    throw new SbError('E_VALIDATION', 'an upstream URL must not carry credentials', {
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
      throw new SbError('E_UNAVAILABLE', `the upstream host ${host} does not resolve`, {
        cause: error,
      });
    }
  }
  for (const address of addresses) {
    const refusal = addressRefusal(address, allowLoopback);
    if (refusal !== undefined) {
      throw new SbError('E_FORBIDDEN', `the upstream URL ${parsed.origin} is refused: ${refusal}`, {
        details: { path: 'url' },
      });
    }
  }
  return parsed;
}

/**
 * A fetch that checks every request's URL again (the host may resolve elsewhere by now, or a
 * redirect may point inward), for the upstream client's transport.
 */
export function guardedFetch(allowLoopback: () => boolean) {
  return async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = input instanceof Request ? input.url : input;
    await checkUpstreamUrl(url, allowLoopback());
    return fetch(input, { ...init, redirect: 'error' });
  };
}
