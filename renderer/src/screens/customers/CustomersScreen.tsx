/**
 * Customers: where every visit starts. A licence scan (scanner event, or the scan field) finds the
 * profile or opens a signup filled from the barcode; search by any field; drafts in orange;
 * profiles with documents, caregiver-patients and history; the editor with Save & Back.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { ulid } from 'ulid';
import type { CallRequest, CallResponse } from '../../../../preload/api';
import type {
  CustomerDetail,
  CustomerDraftSummary,
  CustomerForm,
  CustomersConfig,
  CustomerSummary,
  FieldChange,
  LookupResult,
  SearchField,
} from './types';
import { getClient } from '../../client';
import { formatDateTime } from '../../format';
import { call } from '../../register';
import { useNav, useStatus } from '../../stores/app';
import { showDate } from '../../components/customers/dateEntry';
import { ProfileEditor, blankForm } from './ProfileEditor';
import { ProfileView } from './ProfileView';
import { CustomerImportScreen } from './CustomerImportScreen';
import { useCardSwipe } from '../../components/rewards/cardSwipe';
import { TagFilter } from '../../components/rewards/TagFilter';
import { QueuePanel } from '../../components/queue/QueuePanel';
import '../../styles/customers.css';

export type CustomersView =
  | { kind: 'home' }
  | { kind: 'profile'; id: string; scan?: ScanOutcome }
  | { kind: 'import' }
  | { kind: 'edit'; customerId: string | null; draftId: string | null; form: CustomerForm; scanNote: string | null };

/** A returning customer's licence just scanned: what it changed on the profile, and what staff must know. */
export interface ScanOutcome {
  changes: FieldChange[];
  checks: Array<{ code: string; message: string }>;
  error: string | null;
}

const SEARCH_FIELDS: Array<{ value: SearchField; label: string }> = [
  { value: 'name', label: 'Name' },
  { value: 'phone', label: 'Phone' },
  { value: 'email', label: 'Email' },
  { value: 'licence', label: 'Licence number' },
  { value: 'medical_id', label: 'Medical ID' },
  { value: 'rewards_card', label: 'Rewards card number' },
  { value: 'birth_date', label: 'Birth date' },
];

const SEARCH_DEBOUNCE_MS = 200;
/** How many recently checked-in customers the Directory shows. */
const DIRECTORY_SIZE = 12;

type RecentCheckIn = CallResponse<'customers.recentCheckIns'>[number];

export const typeLabels: Record<CustomerSummary['customerType'], string> = {
  adult_use: 'Adult Use',
  medical: 'Medical',
  medical_recommendation: 'Medical Recommendation',
  caregiver: 'Caregiver',
};

export function newCommandId(): string {
  return ulid();
}

export function CustomersScreen() {
  const [config, setConfig] = useState<CustomersConfig | null>(null);
  const [configError, setConfigError] = useState<string | null>(null);
  const [view, setView] = useState<CustomersView>({ kind: 'home' });
  const [lookup, setLookup] = useState<LookupResult | null>(null);
  const [lookupError, setLookupError] = useState<string | null>(null);
  /** The editor on screen has changes not saved to the profile (they are kept as a draft). */
  const editorChanged = useRef(false);
  const [askLeave, setAskLeave] = useState(false);

  // Customers pressed in the navigation while here: back to the Customers start, asking first
  // when the editor holds changes not saved to the profile.
  const reselected = useNav((state) => state.reselected);
  const firstReselect = useRef(reselected);
  const viewRef = useRef(view);
  viewRef.current = view;
  useEffect(() => {
    if (reselected === firstReselect.current) return;
    firstReselect.current = reselected;
    const current = viewRef.current;
    if (current.kind === 'edit' && editorChanged.current) setAskLeave(true);
    else if (current.kind !== 'home') setView({ kind: 'home' });
  }, [reselected]);
  useEffect(() => {
    editorChanged.current = false;
    setAskLeave(false);
  }, [view]);

  useEffect(() => {
    void call('customers.config', {}).then((result) => {
      if (result.ok) setConfig(result.value);
      else setConfigError(result.error.message);
    });
  }, []);

  /** The last licence scanned, for bringing the profile chosen from its matches up to date. */
  const lastScan = useRef<{ raw: string; checks: ScanOutcome['checks'] } | null>(null);

  /** Opens a returning customer's profile from their scan, the profile first brought up to date from the card. */
  const openScanned = useCallback(async (id: string) => {
    const scan = lastScan.current;
    if (!scan) {
      setView({ kind: 'profile', id });
      return;
    }
    const updated = await call('customers.updateFromScan', { commandId: newCommandId(), customerId: id, raw: scan.raw });
    setView({
      kind: 'profile',
      id,
      scan: updated.ok ? { changes: updated.value.changes, checks: scan.checks, error: null } : { changes: [], checks: scan.checks, error: updated.error.message },
    });
  }, []);

  const handleLicence = useCallback(async (raw: string) => {
    setLookupError(null);
    const result = await call('customers.lookupByLicence', { raw });
    if (!result.ok) {
      setLookupError(result.error.message);
      return;
    }
    setLookup(result.value);
    lastScan.current = result.value.kind === 'licence' ? { raw, checks: result.value.checks } : null;
    // One match: straight to the profile, brought up to date from the card. None: the signup, filled from the barcode.
    if (result.value.kind === 'licence') {
      if (result.value.matches.length === 1 && result.value.matches[0]) {
        await openScanned(result.value.matches[0].id);
      } else if (result.value.matches.length === 0) {
        setView({ kind: 'edit', customerId: null, draftId: null, form: result.value.prefill, scanNote: checksNote(result.value) });
      } else {
        setView({ kind: 'home' });
      }
    }
  }, [openScanned]);

  // A rewards card swiped at intake opens its customer's profile (rewards, issue 9).
  const openSwiped = useCallback((id: string) => setView({ kind: 'profile', id }), []);
  useCardSwipe(openSwiped);

  // A licence scanned on any configured scanner arrives as scan.received, whatever has focus.
  useEffect(() => {
    return getClient().on('scan.received', (scan) => {
      if (scan.kind === 'licence') void handleLicence(scan.raw);
    });
  }, [handleLicence]);

  if (configError) return <p className="error">{configError}</p>;
  if (!config) return <p className="page">Loading customers…</p>;

  const home = () => {
    setView({ kind: 'home' });
  };

  if (view.kind === 'edit') {
    return (
      <>
        <ProfileEditor
          key={view.draftId ?? view.customerId ?? 'new'}
          config={config}
          customerId={view.customerId}
          draftId={view.draftId}
          initialForm={view.form}
          scanNote={view.scanNote}
          onChanged={() => (editorChanged.current = true)}
          onSaved={(detail) => setView({ kind: 'profile', id: detail.id })}
          onOpenExisting={(id) => setView({ kind: 'profile', id })}
          onSavedAndBack={home}
          onDiscarded={home}
        />
        {askLeave ? (
          <div className="overlay" role="dialog" aria-modal="true" aria-labelledby="leave-title">
            <div className="dialog">
              <h2 id="leave-title">Leave this profile?</h2>
              <p className="dialog-lead">
                The changes are not saved to the profile yet. They are kept as a draft: open it again from “Drafts not saved yet” on the Customers screen.
              </p>
              <div className="dialog-actions">
                <button type="button" className="primary big" onClick={() => setAskLeave(false)}>
                  Keep editing
                </button>
                <button type="button" className="secondary big" onClick={home}>
                  Leave (keep the draft)
                </button>
              </div>
            </div>
          </div>
        ) : null}
      </>
    );
  }
  if (view.kind === 'import') return <CustomerImportScreen onBack={home} />;
  if (view.kind === 'profile') {
    return (
      <ProfileView
        key={view.id}
        config={config}
        id={view.id}
        scan={view.scan ?? null}
        onBack={home}
        onEdit={(detail: CustomerDetail) => setView({ kind: 'edit', customerId: detail.id, draftId: null, form: detail.form, scanNote: null })}
        onOpen={(id) => setView({ kind: 'profile', id })}
      />
    );
  }
  return (
    <CustomersHome
      config={config}
      lookup={lookup}
      lookupError={lookupError}
      onLicence={handleLicence}
      onOpen={(id) => setView({ kind: 'profile', id })}
      onOpenScanned={(id) => void openScanned(id)}
      onSignup={(form, note) => setView({ kind: 'edit', customerId: null, draftId: null, form, scanNote: note })}
      onImport={() => setView({ kind: 'import' })}
      onOpenDraft={async (draft) => {
        const result = await call('customers.getDraft', { id: draft.id });
        if (!result.ok) {
          setLookupError(result.error.message);
          return;
        }
        const form = { ...blankForm(config), ...(result.value.form as Partial<CustomerForm>) };
        setView({ kind: 'edit', customerId: result.value.customerId, draftId: draft.id, form, scanNote: null });
      }}
      onDismissLookup={() => setLookup(null)}
    />
  );
}

function checksNote(result: Extract<LookupResult, { kind: 'licence' }>): string | null {
  return result.checks.length > 0 ? result.checks.map((c) => c.message).join('; ') : null;
}

function CustomersHome(props: {
  config: CustomersConfig;
  lookup: LookupResult | null;
  lookupError: string | null;
  onLicence: (raw: string) => Promise<void>;
  onOpen: (id: string) => void;
  onOpenScanned: (id: string) => void;
  onSignup: (form: CustomerForm, note: string | null) => void;
  onImport: () => void;
  onOpenDraft: (draft: CustomerDraftSummary) => Promise<void>;
  onDismissLookup: () => void;
}) {
  const { config, lookup } = props;
  const timeZone = useStatus((state) => (state.status?.state === 'ready' ? state.status.timeZone : undefined));
  const [scanText, setScanText] = useState('');
  const [field, setField] = useState<SearchField>('name');
  const [query, setQuery] = useState('');
  const [tagId, setTagId] = useState<string | null>(null);
  const [results, setResults] = useState<CustomerSummary[]>([]);
  const [note, setNote] = useState<string | null>(null);
  const [searching, setSearching] = useState(false);
  const [checkIns, setCheckIns] = useState<RecentCheckIn[]>([]);
  const [directoryError, setDirectoryError] = useState<string | null>(null);
  const searchSeq = useRef(0);
  const scanRef = useRef<HTMLTextAreaElement>(null);

  // The Directory follows the queue (a check-in) and the profiles (a name or a ban changed).
  const refreshDirectory = useCallback(() => {
    void call('customers.recentCheckIns', { limit: DIRECTORY_SIZE }).then((result) => {
      if (result.ok) {
        setCheckIns(result.value);
        setDirectoryError(null);
      } else setDirectoryError(result.error.message);
    });
  }, []);

  useEffect(() => {
    refreshDirectory();
    const client = getClient();
    const stops = [client.on('customers.changed', () => refreshDirectory()), client.on('queue.changed', () => refreshDirectory())];
    return () => {
      for (const stop of stops) stop();
    };
  }, [refreshDirectory]);

  // The search runs in the core; typing is debounced so the screen never waits on it, and an
  // older answer arriving late is dropped.
  useEffect(() => {
    const text = query.trim();
    if (text === '' && tagId === null) {
      setResults([]);
      setNote(null);
      return;
    }
    const seq = ++searchSeq.current;
    const timer = setTimeout(() => {
      setSearching(true);
      const request: CallRequest<'customers.search'> = { field, query: text, limit: 25, tagId };
      void call('customers.search', request).then((result) => {
        if (seq !== searchSeq.current) return;
        setSearching(false);
        if (result.ok) {
          setResults(result.value.results);
          setNote(result.value.note);
        } else {
          setResults([]);
          setNote(result.error.message);
        }
      });
    }, SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [field, query, tagId]);

  const submitScan = () => {
    const raw = scanText;
    if (raw.trim() === '') return;
    setScanText('');
    void props.onLicence(raw);
  };

  return (
    <section className="page cu-page cu-home" aria-labelledby="page-title">
      <div className="cu-head">
        <h1 id="page-title">Customers</h1>
        <div className="row">
          <button type="button" className="secondary" onClick={props.onImport}>
            Import or export
          </button>
          <button type="button" className="primary" onClick={() => props.onSignup(blankForm(config), null)}>
            Signup without scanning
          </button>
        </div>
      </div>

      <div className="cu-home-grid">
        <div className="cu-home-main">
          <div className="cu-columns">
            <section className="panel cu-scan" aria-labelledby="scan-title">
              <h2 id="scan-title">Scan a licence</h2>
              <p className="muted">Scan the licence with any scanner. A keyboard scanner types here; press Enter twice or Look up after pasting.</p>
              <label htmlFor="cu-scan-field" className="cu-label">
                Scan field
              </label>
              <textarea
                id="cu-scan-field"
                ref={scanRef}
                className="cu-scan-field"
                rows={2}
                value={scanText}
                spellCheck={false}
                onChange={(event) => setScanText(event.target.value)}
                onKeyDown={(event) => {
                  // A licence has line breaks inside it: a blank line (Enter twice) or Ctrl+Enter ends it.
                  if (event.key === 'Enter' && (event.ctrlKey || scanText.endsWith('\n'))) {
                    event.preventDefault();
                    submitScan();
                  }
                }}
              />
              <button type="button" className="primary wide" onClick={submitScan}>
                Look up
              </button>
              {props.lookupError ? <p className="error" role="alert">{props.lookupError}</p> : null}
              {lookup ? <LookupPanel lookup={lookup} onOpen={props.onOpenScanned} onSignup={props.onSignup} onDismiss={props.onDismissLookup} /> : null}
            </section>

            <section className="panel cu-search" aria-labelledby="search-title">
              <h2 id="search-title">Find a customer</h2>
              <div className="cu-search-row">
                <div className="cu-field">
                  <label htmlFor="cu-search-field">Search by</label>
                  <select id="cu-search-field" value={field} onChange={(event) => setField(event.target.value as SearchField)}>
                    {SEARCH_FIELDS.map((option) => (
                      <option key={option.value} value={option.value}>
                        {option.label}
                      </option>
                    ))}
                  </select>
                </div>
                <div className="cu-field cu-field-grow">
                  <label htmlFor="cu-search-query">Search</label>
                  <input
                    id="cu-search-query"
                    type="search"
                    value={query}
                    autoComplete="off"
                    placeholder={field === 'birth_date' ? '11/30/2017 or 11302017' : 'Start typing'}
                    onChange={(event) => setQuery(event.target.value)}
                    onKeyDown={(event) => {
                      if (event.key === 'Enter' && results[0]) props.onOpen(results[0].id);
                    }}
                  />
                </div>
                <TagFilter value={tagId} onChange={setTagId} />
              </div>
              <div role="status" className="cu-search-status">
                {searching ? 'Searching…' : note ? note : query.trim() && results.length === 0 ? 'No customer found.' : ''}
              </div>
              <ul className="cu-results" aria-label="Search results">
                {results.map((customer) => (
                  <li key={customer.id}>
                    <CustomerButton customer={customer} onOpen={props.onOpen} />
                  </li>
                ))}
              </ul>
            </section>
          </div>

          <section className="panel" aria-labelledby="directory-title">
            <h2 id="directory-title">Directory</h2>
            <p className="muted">Recent check-ins, newest first. Choose one to open the profile.</p>
            {directoryError ? <p className="error" role="alert">{directoryError}</p> : null}
            {checkIns.length === 0 && !directoryError ? <p className="muted">Nobody has been checked in yet: open a profile and choose Check In.</p> : null}
            <ul className="cu-results cu-directory" aria-label="Recent check-ins">
              {checkIns.map((customer) => (
                <li key={customer.id}>
                  <CustomerButton
                    customer={customer}
                    onOpen={props.onOpen}
                    extra={`checked in ${formatDateTime(customer.checkedInAt, timeZone)}${customer.inQueue ? ' · in the queue' : ''}`}
                  />
                </li>
              ))}
            </ul>
          </section>
        </div>
        <aside className="panel cu-home-queue" aria-label="Queue and drafts">
          <QueuePanel compact onOpenDraft={(draft) => void props.onOpenDraft(draft)} />
        </aside>
      </div>
    </section>
  );
}

export function CustomerButton({ customer, onOpen, extra }: { customer: CustomerSummary; onOpen: (id: string) => void; extra?: string }) {
  return (
    <button type="button" className={`cu-customer${customer.banned ? ' cu-customer-banned' : ''}`} onClick={() => onOpen(customer.id)}>
      <span className="cu-customer-name">{customer.displayName}</span>
      <span className="cu-customer-meta">
        {typeLabels[customer.customerType]} · born {showDate(customer.dateOfBirth)}
        {customer.phone ? ` · ${customer.phone}` : ''}
        {customer.medicalId ? ` · ${customer.medicalId}` : ''}
        {extra ? ` · ${extra}` : ''}
      </span>
      {customer.banned ? <span className="cu-flag cu-flag-danger">Banned</span> : null}
      {customer.warnings.length > 0 ? <span className="cu-flag">Warning</span> : null}
    </button>
  );
}

function LookupPanel(props: {
  lookup: LookupResult;
  onOpen: (id: string) => void;
  onSignup: (form: CustomerForm, note: string | null) => void;
  onDismiss: () => void;
}) {
  const { lookup } = props;
  if (lookup.kind === 'not_a_licence') {
    return (
      <div className="error" role="alert">
        {lookup.message}
      </div>
    );
  }
  const name = [lookup.licence.firstName, lookup.licence.lastName].filter(Boolean).join(' ');
  return (
    <div className="cu-lookup" role="region" aria-label="Scan result">
      <p>
        <strong>{name || 'Licence'}</strong> · born {showDate(lookup.licence.dateOfBirth)} · expires {showDate(lookup.licence.expirationDate)}
      </p>
      {lookup.checks.length > 0 ? (
        <ul className="cu-checks">
          {lookup.checks.map((check) => (
            <li key={check.code} className="error-text">
              {check.message}
            </li>
          ))}
        </ul>
      ) : (
        <p className="ok">Licence checks passed.</p>
      )}
      {lookup.matches.length > 0 ? (
        <>
          <p>
            {lookup.matches.length} profiles match {lookup.matchedBy === 'licence_number' ? 'this licence number' : 'this name and birth date'}: choose one.
          </p>
          <ul className="cu-results">
            {lookup.matches.map((customer) => (
              <li key={customer.id}>
                <CustomerButton customer={customer} onOpen={props.onOpen} />
              </li>
            ))}
          </ul>
        </>
      ) : (
        <p>No profile matches.</p>
      )}
      <div className="row">
        <button type="button" onClick={() => props.onSignup(lookup.prefill, lookup.checks.map((c) => c.message).join('; ') || null)}>
          Sign up from this scan
        </button>
        <button type="button" className="secondary" onClick={props.onDismiss}>
          Clear
        </button>
      </div>
    </div>
  );
}
