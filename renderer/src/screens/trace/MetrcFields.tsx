/**
 * Settings › Track & Trace, when the provider is Metrc: the state's Metrc address (or the demo
 * store's sandbox), the facility licence, and the vendor and user API keys. The keys are
 * write-only, as BioTrack's password is: the core keeps them sealed and never sends them back.
 */
import type { TraceSettingsView } from './format';

export type Draft = Omit<
  TraceSettingsView,
  'hasPassword' | 'demoSandboxUrl' | 'secretStorage' | 'advanced' | 'canEditAdvanced' | 'choices' | 'hasVendorKey' | 'hasUserKey' | 'demoMetrcSandboxUrl'
> & { password: string; vendorKey: string; userKey: string };

export function MetrcFields({ view, draft, set }: { view: TraceSettingsView; draft: Draft; set<K extends keyof Draft>(key: K, value: Draft[K]): void }) {
  const usesSandbox = draft.useDemoSandbox;
  return (
    <>
      {view.demoMetrcSandboxUrl ? (
        <label className="field check">
          <input type="checkbox" checked={draft.useDemoSandbox} data-testid="metrc-use-sandbox" onChange={(event) => set('useDemoSandbox', event.target.checked)} />
          <span>Use the demo store&apos;s Metrc sandbox ({view.demoMetrcSandboxUrl})</span>
        </label>
      ) : null}
      <label className="field wide-field">
        <span>Metrc address</span>
        <input value={draft.endpoint} disabled={usesSandbox} placeholder="https://api-ok.metrc.com" onChange={(event) => set('endpoint', event.target.value)} />
      </label>
      <label className="field">
        <span>Facility licence number</span>
        <input value={draft.licenseNumber} data-testid="metrc-licence" onChange={(event) => set('licenseNumber', event.target.value)} />
      </label>
      <label className="field">
        <span>Vendor API key</span>
        <input
          type="password"
          value={draft.vendorKey}
          data-testid="metrc-vendor-key"
          autoComplete="new-password"
          placeholder={view.hasVendorKey ? 'saved (type to replace)' : 'not set'}
          onChange={(event) => set('vendorKey', event.target.value)}
        />
      </label>
      <label className="field">
        <span>User API key</span>
        <input
          type="password"
          value={draft.userKey}
          data-testid="metrc-user-key"
          autoComplete="new-password"
          placeholder={view.hasUserKey ? 'saved (type to replace)' : 'not set'}
          onChange={(event) => set('userKey', event.target.value)}
        />
      </label>
      <p className="muted wide-field">Each sale is posted to Metrc as soon as it is made, as Oklahoma and Illinois require.</p>
    </>
  );
}
