import { AgentCard, verifyAgentCardSignature } from '@a2a-js/sdk';
import { isLegacyAgentCard, parseLegacyAgentCard } from '@a2a-js/sdk/compat/v0_3/client';
import { SbError } from '@switchboard/protocol';
import { guardedFetch } from '@switchboard/service';
import type { JWK } from 'jose';
import { cardProblem } from './peer-view.ts';

/** A peer's card, fetched and checked. */
export interface FetchedCard {
  card: AgentCard;
  signature: 'verified' | 'unsigned';
  latencyMs: number;
}

const WELL_KNOWN = '/.well-known/agent-card.json';

/** The card URL a registration names: the URL itself, or its well-known card path. */
export function cardUrlOf(url: string): string {
  const parsed = new URL(url);
  if (parsed.pathname.endsWith('.json')) return parsed.toString();
  parsed.pathname = `${parsed.pathname.replace(/\/$/, '')}${WELL_KNOWN}`;
  return parsed.toString();
}

/**
 * Fetches, validates and verifies peer cards. Every URL (card, JWKS) is checked against SSRF
 * and redirects are refused; a signed card must verify against the key its signature names
 * (from the `jku` of its protected header, else the card host's `/.well-known/jwks.json`).
 */
export function createCardFetcher(deps: { allowPrivate: () => boolean; timeoutMs: () => number }) {
  const fetchChecked = guardedFetch(
    () => ({ loopback: deps.allowPrivate(), privateNetworks: deps.allowPrivate() }),
    'the peer URL',
  );

  async function getJson(url: string, what: string): Promise<unknown> {
    let response: Response;
    try {
      response = await fetchChecked(url, {
        headers: { accept: 'application/json', 'A2A-Version': '1.0' },
        signal: AbortSignal.timeout(deps.timeoutMs()),
      });
    } catch (error) {
      if (error instanceof SbError) throw error;
      throw new SbError(
        'E_UNAVAILABLE',
        `${what} at ${url} could not be fetched: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new SbError('E_UNAVAILABLE', `${what} at ${url} answered HTTP ${response.status}`);
    }
    try {
      return await response.json();
    } catch (error) {
      throw new SbError('E_VALIDATION', `${what} at ${url} is not JSON`, { cause: error });
    }
  }

  async function verify(card: AgentCard, json: unknown, cardUrl: string): Promise<void> {
    const keysByUrl = new Map<string, Promise<JWK[]>>();
    const keys = (url: string) => {
      let loaded = keysByUrl.get(url);
      if (loaded === undefined) {
        loaded = getJson(url, 'the JWKS').then((jwks) => {
          const list = (jwks as { keys?: unknown }).keys;
          return Array.isArray(list) ? (list as JWK[]) : [];
        });
        keysByUrl.set(url, loaded);
      }
      return loaded;
    };
    const verifier = verifyAgentCardSignature(async (kid, jku) => {
      const url = jku ?? new URL('/.well-known/jwks.json', cardUrl).toString();
      const key = (await keys(url)).find((candidate) => candidate.kid === kid);
      if (key === undefined) throw new Error(`no key ${kid} at ${url}`);
      return key;
    });
    // The SDK's verifier canonicalizes the card from its JSON form (as it was signed).
    const signed = isLegacyAgentCard(json) ? AgentCard.toJSON(card) : json;
    try {
      await verifier(signed as AgentCard);
    } catch (error) {
      throw new SbError(
        'E_VALIDATION',
        `the card at ${cardUrl} is signed, but no signature verifies: it was altered, or signed with a key its JWKS does not publish`,
        { cause: error },
      );
    }
  }

  return {
    /**
     * Fetches a card and checks it.
     * @throws SbError `E_VALIDATION` (not a usable card, a signature that does not verify),
     * `E_FORBIDDEN` (a refused address), `E_UNAVAILABLE` (unreachable, HTTP error).
     */
    async fetch(cardUrl: string): Promise<FetchedCard> {
      const started = performance.now();
      const json = await getJson(cardUrl, 'the Agent Card');
      const latencyMs = performance.now() - started;
      let card: AgentCard;
      try {
        card = isLegacyAgentCard(json) ? parseLegacyAgentCard(json) : AgentCard.fromJSON(json);
      } catch (error) {
        throw new SbError('E_VALIDATION', `the card at ${cardUrl} is not an A2A Agent Card`, {
          cause: error,
        });
      }
      const problem = cardProblem(card);
      if (problem !== undefined) {
        throw new SbError('E_VALIDATION', `the card at ${cardUrl} cannot be used: ${problem}`);
      }
      if (card.signatures.length > 0) {
        await verify(card, json, cardUrl);
        return { card, signature: 'verified', latencyMs };
      }
      return { card, signature: 'unsigned', latencyMs };
    },
  };
}

/** The card fetcher (see {@link createCardFetcher}). */
export type CardFetcher = ReturnType<typeof createCardFetcher>;
