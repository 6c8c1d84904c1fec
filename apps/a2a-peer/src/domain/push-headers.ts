import { createHash, randomUUID } from 'node:crypto';
import type { TaskPushNotificationConfig } from '@a2a-js/sdk';
import { type CryptoKey, SignJWT } from 'jose';

/** Signs push notification JWTs with the card key (verifiable with `/.well-known/jwks.json`). */
export interface PushSigner {
  kid: string;
  alg: string;
  key: CryptoKey;
  issuer: string;
}

/** How long a push notification's JWT is valid: a receiver refuses a replay after it. */
const JWT_LIFETIME = '5m';

/**
 * The headers of a push notification: the config's token (under both spellings the SDKs read),
 * and either the config's own credentials or a short-lived JWT signed with the card key that
 * names the task, the receiver and the body's SHA-256.
 */
export async function pushHeaders(input: {
  config: TaskPushNotificationConfig;
  body: string;
  contentType: string;
  signer: PushSigner | undefined;
}): Promise<Record<string, string>> {
  const headers: Record<string, string> = { 'content-type': input.contentType };
  if (input.config.token !== '') {
    headers['x-a2a-notification-token'] = input.config.token;
    headers['a2a-notification-token'] = input.config.token;
  }
  const auth = input.config.authentication;
  if (auth !== undefined && auth.scheme !== '') {
    headers.authorization = `${auth.scheme} ${auth.credentials}`;
  } else if (input.signer !== undefined) {
    const digest = createHash('sha256').update(input.body).digest('base64url');
    headers.authorization = `Bearer ${await new SignJWT({
      taskId: input.config.taskId,
      request_body_sha256: digest,
    })
      .setProtectedHeader({ alg: input.signer.alg, kid: input.signer.kid, typ: 'JWT' })
      .setIssuer(input.signer.issuer)
      .setAudience(input.config.url)
      .setIssuedAt()
      .setExpirationTime(JWT_LIFETIME)
      .setJti(randomUUID())
      .sign(input.signer.key)}`;
  }
  return headers;
}
