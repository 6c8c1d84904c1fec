import { createPublicKey, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { SbError } from '@switchboard/protocol';
import { createLocalJWKSet, errors, type JSONWebKeySet, type JWTPayload, jwtVerify } from 'jose';
import type { GatewayConfig } from '../config.ts';

type JwtSettings = NonNullable<GatewayConfig['gateway']['auth']['jwt']>;

/** Verifies a JWT and returns its claims; throws `E_UNAUTHORIZED` saying what was wrong. */
export type JwtVerifier = (token: string) => Promise<JWTPayload>;

function readText(value: string): string {
  return !value.includes('-----BEGIN') && !value.trimStart().startsWith('{') && existsSync(value)
    ? readFileSync(value, 'utf8')
    : value;
}

/** Why a token was refused, for the person holding it (never the token itself). */
function describeRejection(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'the JWT has expired';
  if (error instanceof errors.JWTClaimValidationFailed) {
    return `the JWT's ${error.claim} claim is not accepted (${error.reason})`;
  }
  if (error instanceof errors.JOSEAlgNotAllowed)
    return 'the JWT is signed with an algorithm not accepted here';
  if (error instanceof errors.JWSSignatureVerificationFailed)
    return 'the JWT signature does not verify';
  if (error instanceof errors.JWKSNoMatchingKey) return 'no configured key matches the JWT';
  return 'the JWT is malformed';
}

/**
 * Builds the verifier from the gateway's JWT settings: issuer, audience, expiry and algorithm
 * are always checked (jose); keys are the configured PEM public keys (each tried) or a JWKS
 * (chosen by `kid`).
 */
export function createJwtVerifier(settings: JwtSettings): JwtVerifier {
  const options = {
    issuer: settings.issuer,
    audience: settings.audience,
    algorithms: settings.algorithms,
    clockTolerance: Math.ceil(settings.clockToleranceMs / 1000),
    requiredClaims: ['exp', 'sub'],
  };
  // A JWKS picks its key by `kid`; PEM keys have none, so each is tried in turn.
  const keys: Array<KeyObject | ReturnType<typeof createLocalJWKSet>> = [
    ...(settings.jwks === undefined
      ? []
      : [createLocalJWKSet(JSON.parse(readText(settings.jwks)) as JSONWebKeySet)]),
    ...settings.publicKeys.map((key) => createPublicKey(readText(key))),
  ];
  return async (token) => {
    let lastError: unknown;
    for (const key of keys) {
      try {
        return (await jwtVerify(token, key as KeyObject, options)).payload;
      } catch (error) {
        lastError = error;
        const otherKeyMayVerify =
          error instanceof errors.JWSSignatureVerificationFailed ||
          error instanceof errors.JWKSNoMatchingKey;
        if (!otherKeyMayVerify) break;
      }
    }
    throw new SbError('E_UNAUTHORIZED', describeRejection(lastError), { cause: lastError });
  };
}
