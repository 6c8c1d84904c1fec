import { type FormEvent, useState } from 'react';
import { type Session, signIn } from '../api/session.ts';
import { ErrorNote } from '../components/states.tsx';

/** Sign-in: an operator API key, exchanged for the session cookie and then forgotten. */
export function SignInPage(props: {
  onSignedIn: (session: Session) => void;
  /** Why the operator is here again, when the session ended by itself. */
  notice?: string | undefined;
}) {
  const [key, setKey] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    signIn(key.trim()).then(
      (session) => {
        setKey('');
        props.onSignedIn(session);
      },
      (failure: unknown) => {
        setBusy(false);
        setError(failure);
      },
    );
  };

  return (
    <main className="sign-in">
      <form className="card" onSubmit={submit} aria-labelledby="sign-in-title">
        <h1 id="sign-in-title">Switchboard console</h1>
        {props.notice !== undefined && (
          <p className="note" role="status">
            {props.notice}
          </p>
        )}
        <label>
          Operator API key
          <input
            type="password"
            autoComplete="off"
            required
            value={key}
            onChange={(event) => setKey(event.target.value)}
            placeholder="sbk_…"
          />
        </label>
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        <p className="muted">
          The key is exchanged for a session cookie and never stored in this browser. Create one
          with <code>switchboard keys create --role observer</code>.
        </p>
        {error !== undefined && <ErrorNote error={error} what="Not signed in" />}
      </form>
    </main>
  );
}
