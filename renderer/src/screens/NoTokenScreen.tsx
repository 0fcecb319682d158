export function NoTokenScreen() {
  return (
    <main className="gate" aria-labelledby="notoken-title">
      <div className="gate-card message-card">
        <h1 id="notoken-title">Cannot connect to the register</h1>
        <p className="error" role="alert">
          This address needs the link the register printed, with its token.
        </p>
        <p>
          Open the full address shown where the register was started. It looks like
          <code> http://127.0.0.1:PORT/?token=…</code>
        </p>
      </div>
    </main>
  );
}
