import { exportJWK, exportSPKI, generateKeyPair, SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { createJwtVerifier, type JwtVerifier } from './jwt-verifier.ts';

type KeyPair = Awaited<ReturnType<typeof generateKeyPair>>;
let signer: KeyPair;
let stranger: KeyPair;
let rotated: KeyPair;
let verify: JwtVerifier;
let verifyWithJwks: JwtVerifier;

const base = {
  issuer: 'https://idp.example',
  audience: 'switchboard',
  algorithms: ['ES256' as const, 'EdDSA' as const],
  clockToleranceMs: 0,
  agentIdsClaim: 'agent_ids',
  rolesClaim: 'roles',
};

function sign(
  key: KeyPair,
  claims: { iss?: string; aud?: string; exp?: string | number; kid?: string } = {},
) {
  const jwt = new SignJWT({ roles: ['agent'] })
    .setProtectedHeader({ alg: 'ES256', ...(claims.kid === undefined ? {} : { kid: claims.kid }) })
    .setSubject('planner-1')
    .setIssuer(claims.iss ?? base.issuer)
    .setAudience(claims.aud ?? base.audience)
    .setIssuedAt()
    .setExpirationTime(claims.exp ?? '5m');
  return jwt.sign(key.privateKey);
}

beforeAll(async () => {
  [signer, stranger, rotated] = await Promise.all([
    generateKeyPair('ES256'),
    generateKeyPair('ES256'),
    generateKeyPair('ES256'),
  ]);
  verify = createJwtVerifier({
    ...base,
    publicKeys: [await exportSPKI(rotated.publicKey), await exportSPKI(signer.publicKey)],
  });
  const jwk = { ...(await exportJWK(signer.publicKey)), kid: 'k1', alg: 'ES256' };
  verifyWithJwks = createJwtVerifier({
    ...base,
    publicKeys: [],
    jwks: JSON.stringify({ keys: [jwk] }),
  });
});

describe('createJwtVerifier', () => {
  it('accepts a token signed by any configured key, with the right issuer and audience', async () => {
    const claims = await verify(await sign(signer));
    expect(claims).toMatchObject({ sub: 'planner-1', roles: ['agent'] });
    await expect(verify(await sign(rotated))).resolves.toMatchObject({ sub: 'planner-1' });
  });

  it('accepts a token whose kid is in the JWKS', async () => {
    await expect(verifyWithJwks(await sign(signer, { kid: 'k1' }))).resolves.toMatchObject({
      sub: 'planner-1',
    });
    await expect(verifyWithJwks(await sign(signer, { kid: 'other' }))).rejects.toMatchObject({
      code: 'E_UNAUTHORIZED',
      message: 'no configured key matches the JWT',
    });
  });

  it('refuses an expired token, a wrong audience or issuer, a foreign key, and garbage', async () => {
    const past = Math.floor(Date.now() / 1000) - 60;
    const cases: Array<[Promise<string> | string, string]> = [
      [sign(signer, { exp: past }), 'the JWT has expired'],
      [sign(signer, { aud: 'someone-else' }), "the JWT's aud claim is not accepted (check_failed)"],
      [
        sign(signer, { iss: 'https://evil.example' }),
        "the JWT's iss claim is not accepted (check_failed)",
      ],
      [sign(stranger), 'the JWT signature does not verify'],
      ['not.a.jwt', 'the JWT is malformed'],
    ];
    for (const [token, message] of cases) {
      await expect(verify(await token)).rejects.toMatchObject({ code: 'E_UNAUTHORIZED', message });
    }
  });

  it('refuses an algorithm that is not accepted', async () => {
    const rsa = await generateKeyPair('RS256');
    const onlyRsa = createJwtVerifier({
      ...base,
      algorithms: ['RS256'],
      publicKeys: [await exportSPKI(rsa.publicKey)],
    });
    await expect(onlyRsa(await sign(signer))).rejects.toMatchObject({
      message: 'the JWT is signed with an algorithm not accepted here',
    });
  });
});
