import type { ReactNode } from 'react';
import { ApiError } from '../api/client.ts';

/** An error from the API as a person reads it: what failed, its stable code, what to do. */
export function ErrorNote({ error, what }: { error: unknown; what?: string }) {
  const apiError = error instanceof ApiError ? error : new ApiError('E_INTERNAL', String(error), 0);
  return (
    <div className="note error" role="alert">
      <strong>{what ?? 'The request failed'}</strong> <code>{apiError.code}</code>
      <p>{apiError.message}</p>
      {apiError.fields.length > 0 && (
        <ul>
          {apiError.fields.map((field) => (
            <li key={field.field}>
              <code>{field.field}</code>: {field.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p className="muted" aria-live="polite">
      Loading {what}…
    </p>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <div className="note empty">{children}</div>;
}
