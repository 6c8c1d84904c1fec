import { z } from 'zod';

// One matching mechanism for every dotted name the mesh grants access to (topics, tool names,
// state scopes, task types, A2A peers, capabilities): NATS subject semantics, so the router can
// hand the same patterns to NATS-style subscriptions and a grant means the same thing everywhere.

const WHITESPACE = /\s/;

/**
 * Splits `text` into tokens, or returns undefined when it is not a valid name or pattern.
 * Stricter than NATS on purpose: `a*` is a literal token for NATS but almost always a glob
 * someone meant, so a wildcard character inside a token is refused instead of matching nothing.
 */
function tokensOf(text: string, allowWildcards: boolean): string[] | undefined {
  const tokens = text.split('.');
  for (const [index, token] of tokens.entries()) {
    if (token.length === 0 || WHITESPACE.test(token)) return undefined;
    if (token === '*' || token === '>') {
      if (!allowWildcards || (token === '>' && index !== tokens.length - 1)) return undefined;
    } else if (token.includes('*') || token.includes('>')) {
      return undefined;
    }
  }
  return tokens;
}

/**
 * True when `pattern` is a valid subject pattern: tokens separated by `.`, none empty or holding
 * whitespace; `*` (exactly one token) and `>` (one or more trailing tokens, only as the last
 * token) stand alone as whole tokens. `orders.*.eu`, `orders.>` and `>` are valid; `orders..eu`,
 * `orders.>.eu`, `orders*` and `''` are not.
 */
export function isValidSubjectPattern(pattern: string): boolean {
  return tokensOf(pattern, true) !== undefined;
}

/** True when `subject` is a valid concrete subject: a valid pattern without `*` or `>`. */
export function isValidSubject(subject: string): boolean {
  return tokensOf(subject, false) !== undefined;
}

/**
 * True when every subject that `requested` matches is also matched by `granted`. Decides whether
 * a subscription pattern stays inside what a grant allows: `a.>` covers `a.b.*` and `a.>`, `a.*`
 * covers `a.b` and `a.*` but not `a.>` (which also matches `a.b.c`). An invalid pattern on
 * either side covers nothing and is covered by nothing.
 */
export function patternCovers(granted: string, requested: string): boolean {
  const grantedTokens = tokensOf(granted, true);
  const requestedTokens = tokensOf(requested, true);
  if (grantedTokens === undefined || requestedTokens === undefined) return false;
  for (const [index, requestedToken] of requestedTokens.entries()) {
    const grantedToken = grantedTokens[index];
    // `>` is last and needs at least one token, which `requestedToken` is.
    if (grantedToken === '>') return true;
    if (grantedToken === undefined || requestedToken === '>') return false;
    if (grantedToken !== '*' && grantedToken !== requestedToken) return false;
  }
  return grantedTokens.length === requestedTokens.length;
}

/**
 * True when the concrete `subject` matches `pattern` (NATS semantics). A subject holding a
 * wildcard, or any invalid input, matches nothing: default deny.
 */
export function subjectMatches(pattern: string, subject: string): boolean {
  return isValidSubject(subject) && patternCovers(pattern, subject);
}

/** Longest pattern accepted in a grant: a bound on what travels in the `sb-principal` header. */
export const MAX_PATTERN_CHARS = 256;

/** A subject pattern in a grant (see {@link isValidSubjectPattern}). */
export const SubjectPatternSchema = z
  .string()
  .max(MAX_PATTERN_CHARS)
  .refine(
    isValidSubjectPattern,
    'use dot-separated non-empty tokens; `*` matches one token, `>` the rest and only comes last',
  );
