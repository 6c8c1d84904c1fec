import { createHash } from 'node:crypto';
import type { TaskPushNotificationConfig } from '@a2a-js/sdk';
import { type CryptoKey, decodeProtectedHeader, generateKeyPair, jwtVerify } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { type PushSigner, pushHeaders } from './push-headers.ts';

let signer: PushSigner;
let publicKey: CryptoKey;

const body = JSON.stringify({ statusUpdate: { taskId: 't-1' } });

const config = (fields: Partial<TaskPushNotificationConfig> = {}): TaskPushNotificationConfig => ({
  tenant: '',
  id: 'hook',
  taskId: 't-1',
  url: 'https://receiver.example/hook',
  token: '',
  authentication: undefined,
  ...fields,
});

const headersOf = (fields: Partial<TaskPushNotificationConfig>, withSigner = true) =>
  pushHeaders({
    config: config(fields),
    body,
    contentType: 'application/a2a+json',
    signer: withSigner ? signer : undefined,
  });

beforeAll(async () => {
  const pair = await generateKeyPair('ES256');
  publicKey = pair.publicKey;
  signer = { kid: 'card-1', alg: 'ES256', key: pair.privateKey, issuer: 'https://peer.example' };
});

describe('pushHeaders', () => {
  it('sends the config’s token under both spellings receivers read', async () => {
    const headers = await headersOf({ token: 'secret-token' }, false);
    expect(headers).toEqual({
      'content-type': 'application/a2a+json',
      'x-a2a-notification-token': 'secret-token',
      'a2a-notification-token': 'secret-token',
    });
  });

  it('sends no token header when the config has none, and no authorization without a key', async () => {
    expect(await headersOf({}, false)).toEqual({ 'content-type': 'application/a2a+json' });
  });

  it('authenticates with the config’s own credentials when it names a scheme, not the JWT', async () => {
    const headers = await headersOf({
      token: 't',
      authentication: { scheme: 'Basic', credentials: 'dXNlcjpwYXNz' },
    });
    expect(headers.authorization).toBe('Basic dXNlcjpwYXNz');
    expect(headers['x-a2a-notification-token']).toBe('t');
  });

  it('signs a short-lived JWT for the receiver naming the task and the body’s SHA-256', async () => {
    const headers = await headersOf({
      authentication: { scheme: '', credentials: 'ignored' },
    });
    const jwt = (headers.authorization ?? '').replace(/^Bearer /, '');
    expect(decodeProtectedHeader(jwt)).toEqual({ alg: 'ES256', kid: 'card-1', typ: 'JWT' });
    const { payload } = await jwtVerify(jwt, publicKey, {
      issuer: 'https://peer.example',
      audience: 'https://receiver.example/hook',
    });
    expect(payload.taskId).toBe('t-1');
    expect(payload.request_body_sha256).toBe(createHash('sha256').update(body).digest('base64url'));
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(300);
    expect(payload.jti).toMatch(/^[0-9a-f-]{36}$/);
    const again = await headersOf({});
    const { payload: second } = await jwtVerify(
      (again.authorization ?? '').replace(/^Bearer /, ''),
      publicKey,
    );
    expect(second.jti).not.toBe(payload.jti);
  });
});
