import { z } from 'zod';

/** A principal signing key id: named in every signature, so short and plain (no `:`). */
export const PrincipalKeyIdSchema = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/,
    'must be 1-64 of A-Z a-z 0-9 . _ - (letter or digit first)',
  );

/** A key as one line of base64 DER (what `switchboard keys principal-key` prints). */
export const PrincipalKeySchema = z
  .string()
  .regex(
    /^[A-Za-z0-9+/]+={0,2}$/,
    'must be base64 (DER, as `switchboard keys principal-key` prints)',
  );

/** Key id → base64 SPKI public key: the `publicKeys` setting and the content of its file. */
export const PrincipalPublicKeysSchema = z
  .record(z.string(), PrincipalKeySchema)
  .superRefine((keys, ctx) => {
    // Checked here rather than as the record's key schema, whose issue names no rule.
    for (const keyId of Object.keys(keys)) {
      const issue = PrincipalKeyIdSchema.safeParse(keyId).error?.issues[0];
      if (issue !== undefined) {
        ctx.addIssue({ code: 'custom', path: [keyId], message: issue.message });
      }
    }
  });

/**
 * Signed principals (DESIGN.md, Security): the gateway, tool-registry and a2a-peer sign the
 * `sb-principal` header they attach (Ed25519); every service verifies it when `mode` is
 * `enforce`. Other services never load the private key.
 */
export const PrincipalsSchema = z
  .strictObject({
    mode: z
      .enum(['off', 'enforce'])
      .default('off')
      .describe(
        '`enforce`: refuse requests whose `sb-principal` is unsigned, signed by an unknown key or expired; `off`: accept them (signers still sign when they hold a key)',
      ),
    ttlMs: z
      .int()
      .min(10_000)
      .max(86_400_000)
      .default(3_600_000)
      .describe(
        'How long a principal signature is valid, in ms; a signer makes a new one a quarter of this before expiry',
      ),
    signingKeyId: PrincipalKeyIdSchema.optional().describe(
      'Id of the key the gateway, tool-registry and a2a-peer sign with; needs `signingKey` or `signingKeyFile`',
    ),
    signingKey: PrincipalKeySchema.optional().describe(
      'Ed25519 private key (base64 PKCS#8 DER) for the gateway, tool-registry and a2a-peer only; never shown',
    ),
    signingKeyFile: z
      .string()
      .min(1)
      .optional()
      .describe('File holding the private key as base64 (a mounted secret), read at start'),
    publicKeys: PrincipalPublicKeysSchema.default({}).describe(
      'Public keys that verify principals, as JSON {keyId: base64 SPKI DER}; several during a rotation',
    ),
    publicKeyFile: z
      .string()
      .min(1)
      .optional()
      .describe('JSON file of more public keys {keyId: base64 key}, read at start'),
  })
  .superRefine((principals, ctx) => {
    const hasKey = principals.signingKey !== undefined || principals.signingKeyFile !== undefined;
    if (principals.signingKey !== undefined && principals.signingKeyFile !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['signingKeyFile'],
        message: 'give the signing key once: `signingKey` or `signingKeyFile`, not both',
      });
    }
    if (hasKey && principals.signingKeyId === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['signingKeyId'],
        message: 'name the signing key: its id goes into every signature',
      });
    }
  });

/** The `principals` settings, parsed. */
export type PrincipalSettings = z.infer<typeof PrincipalsSchema>;
