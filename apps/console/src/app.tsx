import { useEffect, useState } from 'react';
import { whenSessionEnds } from './api/client.ts';
import { closeLive, openLive, useLiveStatus } from './api/live.ts';
import { currentSession, hasScope, type Session, signOut } from './api/session.ts';
import { ErrorNote, Loading } from './components/states.tsx';
import { AgentsPage } from './pages/agents.tsx';
import { ConfigPage } from './pages/config.tsx';
import { DeadLettersPage } from './pages/dead-letters.tsx';
import { KeysPage } from './pages/keys.tsx';
import { MessagesPage } from './pages/messages.tsx';
import { OverviewPage } from './pages/overview.tsx';
import { PeersPage } from './pages/peers.tsx';
import { SecurityPage } from './pages/security.tsx';
import { SignInPage } from './pages/sign-in.tsx';
import { TasksPage } from './pages/tasks.tsx';
import { ToolsPage } from './pages/tools.tsx';

// Pages are addressed by the URL's hash (`/console/#/agents`), so the gateway serves one
// index.html and a reload keeps the page. A page opens for a key with any one of its scopes.
const pages = [
  { path: 'overview', title: 'Overview', scopes: ['events:read'] },
  { path: 'agents', title: 'Agents', scopes: ['agents:read'] },
  { path: 'messages', title: 'Messages', scopes: ['messages:read'] },
  { path: 'dead-letters', title: 'Dead letters', scopes: ['messages:read'] },
  { path: 'tasks', title: 'Tasks', scopes: ['tasks:read'] },
  { path: 'tools', title: 'Tools', scopes: ['tools:read'] },
  { path: 'peers', title: 'A2A peers', scopes: ['peers:read'] },
  { path: 'keys', title: 'API keys', scopes: ['keys:read'] },
  { path: 'security', title: 'Security', scopes: ['security:read', 'keys:read'] },
  { path: 'config', title: 'Config', scopes: ['config:read'] },
] as const;

type PagePath = (typeof pages)[number]['path'];

function pathOfHash(): PagePath {
  const path = window.location.hash.replace(/^#\/?/, '');
  return pages.find((page) => page.path === path)?.path ?? 'overview';
}

function usePath(): PagePath {
  const [path, setPath] = useState(pathOfHash);
  useEffect(() => {
    const update = () => setPath(pathOfHash());
    window.addEventListener('hashchange', update);
    return () => window.removeEventListener('hashchange', update);
  }, []);
  return path;
}

function Page({ path, session }: { path: PagePath; session: Session }) {
  switch (path) {
    case 'overview':
      return <OverviewPage canSeePeers={hasScope(session, 'peers:read')} />;
    case 'agents':
      return <AgentsPage canWrite={hasScope(session, 'agents:write')} />;
    case 'messages':
      return <MessagesPage canWrite={hasScope(session, 'messages:write')} />;
    case 'dead-letters':
      return <DeadLettersPage canWrite={hasScope(session, 'messages:write')} />;
    case 'tasks':
      return <TasksPage canWrite={hasScope(session, 'tasks:write')} />;
    case 'tools':
      return <ToolsPage canWrite={hasScope(session, 'tools:write')} />;
    case 'peers':
      return <PeersPage canWrite={hasScope(session, 'peers:write')} />;
    case 'keys':
      return <KeysPage canWrite={hasScope(session, 'keys:write')} />;
    case 'security':
      return (
        <SecurityPage
          canReadEvents={hasScope(session, 'security:read')}
          canReadKeys={hasScope(session, 'keys:read')}
        />
      );
    case 'config':
      return <ConfigPage canWrite={hasScope(session, 'config:write')} />;
  }
}

function Shell({ session, onSignedOut }: { session: Session; onSignedOut: () => void }) {
  const path = usePath();
  const live = useLiveStatus();
  const allowed = pages.filter((page) =>
    page.scopes.some((scope: string) => hasScope(session, scope)),
  );
  const current = allowed.find((page) => page.path === path);
  return (
    <div className="shell">
      <header>
        <strong className="brand">Switchboard</strong>
        <nav aria-label="Pages">
          {allowed.map((page) => (
            <a
              key={page.path}
              href={`#/${page.path}`}
              aria-current={page.path === path ? 'page' : undefined}
            >
              {page.title}
            </a>
          ))}
        </nav>
        <span className={`live ${live}`} title="The live channel">
          {live === 'open' ? 'live' : live}
        </span>
        <span className="muted">{session.principal}</span>
        <button
          type="button"
          onClick={() => {
            void signOut().finally(() => {
              closeLive();
              onSignedOut();
            });
          }}
        >
          Sign out
        </button>
      </header>
      <main>
        {current === undefined ? (
          <p className="note">Your key has no scope for this page.</p>
        ) : (
          <Page path={current.path} session={session} />
        )}
      </main>
    </div>
  );
}

/** The console: the sign-in page until there is a session, then the pages it may see. */
export function App() {
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);

  useEffect(() => {
    currentSession().then((found) => setSession(found ?? null), setError);
  }, []);
  const [ended, setEnded] = useState(false);
  useEffect(() => {
    if (!session) return;
    openLive();
    whenSessionEnds(() => {
      closeLive();
      setEnded(true);
      setSession(null);
    });
    return () => whenSessionEnds(undefined);
  }, [session]);

  if (error !== undefined) return <ErrorNote error={error} what="The gateway did not answer" />;
  if (session === undefined) return <Loading what="the console" />;
  if (session === null) {
    return (
      <SignInPage
        notice={
          ended
            ? 'Your session ended (it expired or its key was revoked): sign in again.'
            : undefined
        }
        onSignedIn={(next) => {
          setEnded(false);
          setSession(next);
        }}
      />
    );
  }
  return <Shell session={session} onSignedOut={() => setSession(null)} />;
}
