/** What a file or package operation is doing, what went wrong, and what it did: one line each. */
export function Outcome({ busy = null, error, done }: { busy?: string | null; error: string | null; done: string | null }) {
  return (
    <>
      {busy ? <p role="status">{busy}</p> : null}
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
      {done ? (
        <p className="ct-done" role="status">
          {done}
        </p>
      ) : null}
    </>
  );
}
