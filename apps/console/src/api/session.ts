import { api, setCsrfToken } from './client.ts';

/** The operator's console session (`/v1/session`). */
export interface Session {
  keyId: string;
  principal: string;
  scopes: string[];
  csrfToken: string;
  expiresAt: string;
}

function remember(session: Session): Session {
  setCsrfToken(session.csrfToken);
  return session;
}

/** Exchanges an operator API key for the session cookie; the key is not kept anywhere. */
export async function signIn(apiKey: string): Promise<Session> {
  return remember(await api<Session>('POST', '/v1/session', { apiKey }));
}

/** The session of the cookie the browser holds, or undefined when there is none. */
export async function currentSession(): Promise<Session | undefined> {
  try {
    return remember(await api<Session>('GET', '/v1/session'));
  } catch (error) {
    if ((error as { status?: number }).status === 401) return undefined;
    throw error;
  }
}

export async function signOut(): Promise<void> {
  await api<void>('DELETE', '/v1/session');
  setCsrfToken(undefined);
}

/** Whether the session's key grants `scope` (`*` grants every scope). */
export function hasScope(session: Session, scope: string): boolean {
  return session.scopes.includes('*') || session.scopes.includes(scope);
}
