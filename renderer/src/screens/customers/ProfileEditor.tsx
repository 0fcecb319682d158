/**
 * The profile editor: signup (from a scan or by hand) and edit/renew. Every change is kept as a
 * draft in the core (debounced), so navigation, a lock or a restart loses nothing; Save & Back
 * saves the profile, Discard changes throws the draft away on purpose. History is hidden here.
 */
import { useEffect, useRef, useState } from 'react';
import { call } from '../../register';
import { Check, Choice, DateField, Section, TextField, Toggle } from '../../components/customers/fields';
import { DocumentsPanel } from './DocumentsPanel';
import { DuplicateWarning, useDuplicates } from './DuplicateWarning';
import { CaregiversField } from './CaregiversField';
import { emptyForm } from '../../../../preload/api';
import { newCommandId } from './CustomersScreen';
import type { CustomerDetail, CustomerForm, CustomersConfig, CustomerSummary } from './types';

const DRAFT_DEBOUNCE_MS = 800;

/** A blank form for a new signup (the contract's emptyForm, so the core and the screen agree). */
export function blankForm(config: CustomersConfig): CustomerForm {
  return emptyForm(config);
}

/** The customer type, as one choice; stored as the form's three flags the core reads. */
type TypeChoice = 'adult_use' | 'medical' | 'recommendation' | 'caregiver';

function typeChoiceOf(form: CustomerForm, config: CustomersConfig): TypeChoice {
  if (form.caregiverLicence) return 'caregiver';
  if (form.adultUse) return 'adult_use';
  if (form.stateMedicalId || config.stateMedicalIdAlwaysRequired || !config.medicalRecommendationAvailable) return 'medical';
  return 'recommendation';
}

function flagsFor(choice: TypeChoice, form: CustomerForm): Partial<CustomerForm> {
  switch (choice) {
    case 'adult_use':
      return { adultUse: true, stateMedicalId: false, caregiverLicence: false };
    case 'medical':
      return { adultUse: false, stateMedicalId: true, caregiverLicence: false };
    case 'recommendation':
      return { adultUse: false, stateMedicalId: false, caregiverLicence: false };
    case 'caregiver':
      // A caregiver may also hold their own patient card (the box below): kept as it was.
      return { adultUse: false, caregiverLicence: true, stateMedicalId: form.caregiverLicence ? form.stateMedicalId : false };
  }
}

function typeOptions(config: CustomersConfig): Array<{ value: TypeChoice; label: string }> {
  const options: Array<{ value: TypeChoice; label: string }> = [];
  if (config.adultUseAvailable) options.push({ value: 'adult_use', label: 'Adult use' });
  options.push({ value: 'medical', label: 'Medical with state ID' });
  if (config.medicalRecommendationAvailable) options.push({ value: 'recommendation', label: 'Medical recommendation' });
  if (config.caregiverAvailable) options.push({ value: 'caregiver', label: 'Caregiver' });
  return options;
}

/** Blank text is null, as the core stores it. */
const orNull = (text: string): string | null => (text.trim() === '' ? null : text);

export function ProfileEditor(props: {
  config: CustomersConfig;
  customerId: string | null;
  draftId: string | null;
  initialForm: CustomerForm;
  scanNote: string | null;
  /** Called on each change the person makes (not saved to the profile yet). */
  onChanged?: () => void;
  onSaved: (detail: CustomerDetail) => void;
  onSavedAndBack: () => void;
  /** Open a profile this signup would duplicate (the signup's draft is dropped first). */
  onOpenExisting?: (id: string) => void;
  onDiscarded: () => void;
}) {
  const { config } = props;
  const [form, setForm] = useState<CustomerForm>(props.initialForm);
  const [draftId, setDraftId] = useState<string | null>(props.draftId);
  const [draftState, setDraftState] = useState<'none' | 'saving' | 'saved' | 'error'>(props.draftId ? 'saved' : 'none');
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [caregivers, setCaregivers] = useState<CustomerSummary[]>([]);
  const [newGroup, setNewGroup] = useState('');
  const dirty = useRef(false);
  const draftIdRef = useRef<string | null>(props.draftId);
  const closed = useRef(false);
  /** A profile save is under way: no draft write may start until it ends (it would outlive the save). */
  const savingRef = useRef(false);
  const draftTimer = useRef<ReturnType<typeof setTimeout> | null>(null);

  const update = (patch: Partial<CustomerForm>) => {
    dirty.current = true;
    props.onChanged?.();
    setForm((current) => ({ ...current, ...patch }));
  };

  /**
   * Keeps the form as the draft, one save at a time (a save waits for the one before it), so the
   * debounced saves and a document added before the first save never make two drafts.
   */
  const inflight = useRef<Promise<string | null> | null>(null);
  const formRef = useRef(form);
  formRef.current = form;
  const keepDraft = (): Promise<string | null> => {
    const previous = inflight.current;
    const run = async (): Promise<string | null> => {
      if (previous) await previous;
      if (closed.current || savingRef.current) return draftIdRef.current;
      setDraftState('saving');
      const current = formRef.current;
      const title = `${current.firstName} ${current.lastName}`.trim() || 'New customer';
      const result = await call('customers.saveDraft', {
        commandId: newCommandId(),
        draftId: draftIdRef.current,
        customerId: props.customerId,
        title: props.customerId ? `${title} (editing)` : title,
        form: current as unknown as Record<string, unknown>,
      });
      if (closed.current) return draftIdRef.current;
      if (!result.ok) {
        setDraftState('error');
        return draftIdRef.current;
      }
      draftIdRef.current = result.value.id;
      setDraftId(result.value.id);
      setDraftState('saved');
      return result.value.id;
    };
    const promise = run();
    inflight.current = promise;
    return promise;
  };

  // Keep the work as a draft in the core, a moment after each change.
  useEffect(() => {
    if (!dirty.current || savingRef.current) return;
    const timer = setTimeout(() => {
      draftTimer.current = null;
      if (!closed.current && !savingRef.current) void keepDraft();
    }, DRAFT_DEBOUNCE_MS);
    draftTimer.current = timer;
    return () => {
      clearTimeout(timer);
      if (draftTimer.current === timer) draftTimer.current = null;
    };
    // keepDraft reads the latest form through formRef.
  }, [form, props.customerId]);

  useEffect(() => {
    void call('customers.caregivers', { query: '' }).then((result) => {
      if (result.ok) setCaregivers(result.value.filter((c) => c.id !== props.customerId));
    });
  }, [props.customerId]);

  const medicalIdShown = form.caregiverLicence
    ? form.stateMedicalId
    : !form.adultUse && (form.stateMedicalId || config.stateMedicalIdAlwaysRequired);
  const recommendation = config.medicalRecommendationAvailable && !form.adultUse && !form.caregiverLicence && !form.stateMedicalId;
  const patientType = !form.adultUse && !form.caregiverLicence;

  const [duplicates, recheckDuplicates] = useDuplicates(props.customerId, form);
  const duplicateBox = useRef<HTMLDivElement>(null);
  const [showDuplicate, setShowDuplicate] = useState(0);
  useEffect(() => {
    if (showDuplicate === 0) return;
    duplicateBox.current?.scrollIntoView({ block: 'center' });
    duplicateBox.current?.focus();
  }, [showDuplicate, duplicates]);

  const save = async (andBack: boolean, duplicateReason: string | null = null) => {
    setError(null);
    setSaving(true);
    // Saving within a moment of typing: the pending draft write is dropped, and one already on its
    // way is waited for, so the save names that draft and the core deletes it with the save.
    savingRef.current = true;
    if (draftTimer.current !== null) {
      clearTimeout(draftTimer.current);
      draftTimer.current = null;
    }
    if (inflight.current) await inflight.current;
    const common = { commandId: newCommandId(), form: formRef.current, draftId: draftIdRef.current };
    const result = props.customerId
      ? await call('customers.update', { ...common, id: props.customerId })
      : await call('customers.create', { ...common, duplicateReason });
    setSaving(false);
    if (!result.ok) {
      savingRef.current = false;
      setError(result.error.message);
      // The same medical ID, or names and birth date, as another profile: show which, to open it.
      if (result.error.detail?.duplicate) {
        recheckDuplicates();
        setShowDuplicate((n) => n + 1);
      }
      // The changes are still only on screen: keep them as the draft again.
      if (dirty.current) void keepDraft();
      return;
    }
    closed.current = true;
    if (andBack) props.onSavedAndBack();
    else props.onSaved(result.value);
  };

  const discard = async (leave = true) => {
    closed.current = true;
    if (draftTimer.current !== null) {
      clearTimeout(draftTimer.current);
      draftTimer.current = null;
    }
    // A draft write already on its way lands first, so the draft it makes is the one discarded.
    if (inflight.current) await inflight.current;
    if (draftIdRef.current) {
      const result = await call('customers.discardDraft', { commandId: newCommandId(), id: draftIdRef.current });
      if (!result.ok) {
        closed.current = false;
        setError(result.error.message);
        return;
      }
    }
    if (leave) props.onDiscarded();
  };

  /** The person already has a profile: drop this signup (its draft too) and open theirs. */
  const openExisting = async (existing: CustomerSummary) => {
    if (!props.customerId) {
      await discard(false);
      if (!closed.current) return;
    }
    props.onOpenExisting?.(existing.id);
  };

  const chosenGroups = new Set(form.groups);
  const progress = [
    { label: 'Scanned', done: form.scanned },
    { label: 'Photo', done: false },
    { label: 'MD rec', done: false },
    { label: 'Signature', done: false },
    { label: 'Saved', done: false },
  ];

  return (
    <section className="page cu-page cu-editor" aria-labelledby="page-title">
      <div className="cu-head">
        <h1 id="page-title">{props.customerId ? 'Edit customer' : 'New customer'}</h1>
        <span className="muted cu-draft-state" role="status">
          {draftState === 'saving' ? 'Keeping draft…' : draftState === 'saved' ? 'Draft kept' : draftState === 'error' ? 'Draft not kept' : ''}
        </span>
      </div>

      {!props.customerId ? <ProgressChecks steps={progress} /> : null}
      {props.scanNote ? <p className="error" role="alert">Licence check: {props.scanNote}</p> : null}
      <p className="cu-notice">{config.licenceDataNotice}</p>

      <Section title="Customer type">
        <Choice legend="This customer is" value={typeChoiceOf(form, config)} options={typeOptions(config)} onChange={(choice) => update(flagsFor(choice, form))} />
        {form.caregiverLicence ? (
          <Toggle label="Also a medical patient (their own State Medical ID)" checked={form.stateMedicalId} onChange={(on) => update({ stateMedicalId: on })} />
        ) : null}
        {medicalIdShown ? (
          <>
            <TextField label="State Medical ID" value={form.medicalId} required onChange={(v) => update({ medicalId: orNull(v) })} />
            <DateField label="Medical ID expiration" value={form.medicalIdExpires} required onChange={(v) => update({ medicalIdExpires: v })} />
          </>
        ) : null}
        {recommendation ? (
          <DateField
            label="Recommendation expiration"
            value={form.recommendationExpires}
            required
            onChange={(v) => update({ recommendationExpires: v })}
          />
        ) : null}
        {form.caregiverLicence ? (
          <>
            <TextField label="Caregiver ID" value={form.caregiverId} required onChange={(v) => update({ caregiverId: orNull(v) })} />
            <DateField label="Caregiver ID expiration" value={form.caregiverIdExpires} required onChange={(v) => update({ caregiverIdExpires: v })} />
          </>
        ) : null}
      </Section>

      <Section title="Member">
        <TextField label="First name" value={form.firstName} required autoFocus={!form.scanned} onChange={(v) => update({ firstName: v })} />
        <TextField label="Middle name" value={form.middleName} required={config.requiredFields.includes('middleName')} onChange={(v) => update({ middleName: orNull(v) })} />
        <TextField label="Last name" value={form.lastName} required onChange={(v) => update({ lastName: v })} />
        <TextField label="Nickname" value={form.nickname} onChange={(v) => update({ nickname: orNull(v) })} />
        <DateField label="Birth date" value={form.dateOfBirth || null} required onChange={(v) => update({ dateOfBirth: v ?? '' })} />
        <div className="cu-field">
          <label htmlFor="cu-gender">Gender</label>
          <select id="cu-gender" value={form.gender} onChange={(event) => update({ gender: event.target.value as CustomerForm['gender'] })}>
            <option value="male">Male</option>
            <option value="female">Female</option>
            <option value="non_binary">Non-Binary</option>
            <option value="unspecified">Unspecified</option>
          </select>
        </div>
        <TextField
          label={config.mayKeepScannedLicenceData ? 'Licence number' : 'Licence number (kept only as a fingerprint)'}
          value={form.licenceNumber}
          onChange={(v) => update({ licenceNumber: orNull(v) })}
        />
        <TextField label="Licence state" value={form.licenceState} onChange={(v) => update({ licenceState: orNull(v) })} />
        <DateField
          label="Identification expiration"
          value={form.identificationExpires}
          required={config.requiredFields.includes('identificationExpires')}
          onChange={(v) => update({ identificationExpires: v })} />
      </Section>

      {duplicates ? (
        <DuplicateWarning
          ref={duplicateBox}
          found={duplicates}
          medicalId={form.medicalId}
          isNew={props.customerId === null}
          busy={saving}
          onOpen={(existing) => void openExisting(existing)}
          onCreateAnyway={(reason) => void save(false, reason)}
        />
      ) : null}

      <AddressSection title="Address of Record" value={form.address} required={config.requiredFields.includes('address')} onChange={(address) => update({ address })} />

      <Section title="Contact & delivery info">
        <TextField label="Phone" type="tel" value={form.phone} required={config.requiredFields.includes('phone')} onChange={(v) => update({ phone: orNull(v) })} />
        <TextField label="Other phone" type="tel" value={form.otherPhone} onChange={(v) => update({ otherPhone: orNull(v) })} />
        <TextField label="Email" type="email" value={form.email} required={config.requiredFields.includes('email')} onChange={(v) => update({ email: orNull(v) })} />
        <TextField label="Delivery street" value={form.delivery.street} onChange={(v) => update({ delivery: { ...form.delivery, street: orNull(v) } })} />
        <TextField label="Delivery city" value={form.delivery.city} onChange={(v) => update({ delivery: { ...form.delivery, city: orNull(v) } })} />
        <TextField label="Delivery state" value={form.delivery.state} onChange={(v) => update({ delivery: { ...form.delivery, state: orNull(v) } })} />
        <TextField label="Delivery ZIP" value={form.delivery.postalCode} onChange={(v) => update({ delivery: { ...form.delivery, postalCode: orNull(v) } })} />
      </Section>

      {recommendation && config.physicianCardForRecommendation ? (
        <Section title="Physician card">
          <TextField label="Physician name" value={form.physician.name} required onChange={(v) => update({ physician: { ...form.physician, name: orNull(v) } })} />
          <TextField label="Physician licence" value={form.physician.licence} required onChange={(v) => update({ physician: { ...form.physician, licence: orNull(v) } })} />
          <TextField label="Physician phone" type="tel" value={form.physician.phone} onChange={(v) => update({ physician: { ...form.physician, phone: orNull(v) } })} />
        </Section>
      ) : null}

      {patientType && config.caregiverAvailable ? (
        <Section title="Caregiver">
          <CaregiversField form={form} config={config} caregivers={caregivers} onChange={update} />
        </Section>
      ) : null}

      <Section title="Groups, warnings and notes">
        <fieldset className="cu-groups cu-field-wide">
          <legend>Groups</legend>
          <p className="muted">
            {config.seniorAge !== null
              ? `Customers join “senior” by themselves at ${config.seniorAge}.`
              : 'The automatic senior group is off for this store: tick “senior” by hand where it applies.'}
          </p>
          {[...new Set([...config.groups.filter((g) => config.seniorAge === null || g !== 'senior'), ...form.groups])].map((group) => (
            <Check
              key={group}
              label={group}
              checked={chosenGroups.has(group)}
              onChange={(on) => update({ groups: on ? [...form.groups, group] : form.groups.filter((g) => g !== group) })}
            />
          ))}
          <div className="cu-inline">
            <TextField label="New group" value={newGroup} onChange={setNewGroup} />
            <button
              type="button"
              disabled={newGroup.trim() === ''}
              onClick={() => {
                const name = newGroup.trim().toLowerCase();
                if (!chosenGroups.has(name)) update({ groups: [...form.groups, name] });
                setNewGroup('');
              }}
            >
              Add group
            </button>
          </div>
        </fieldset>
        <Check label={config.warningLabels[0]} checked={form.warning1} onChange={(on) => update({ warning1: on })} />
        <Check label={config.warningLabels[1]} checked={form.warning2} onChange={(on) => update({ warning2: on })} />
        <Check label="Banned" danger checked={form.banned} onChange={(on) => update({ banned: on })} />
        <div className="cu-field cu-field-wide">
          <label htmlFor="cu-notes">Notes (shown to staff at checkout)</label>
          <textarea id="cu-notes" rows={3} value={form.notes ?? ''} onChange={(event) => update({ notes: orNull(event.target.value) })} />
        </div>
      </Section>

      <DocumentsPanel config={config} target={props.customerId ? { customerId: props.customerId } : { draftId, ensureDraft: keepDraft }} />

      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
      <div className="cu-actions">
        <button type="button" className="primary" disabled={saving} onClick={() => void save(true)}>
          Save &amp; Back
        </button>
        <button type="button" disabled={saving} onClick={() => void save(false)}>
          Save
        </button>
        <button type="button" className="secondary" disabled={saving} onClick={() => void discard(true)}>
          Discard changes
        </button>
        {draftId ? <span className="muted">Draft kept: it survives a restart until you save or discard it.</span> : null}
      </div>
    </section>
  );
}

function AddressSection(props: { title: string; value: CustomerForm['address']; required: boolean; onChange: (address: CustomerForm['address']) => void }) {
  const set = (patch: Partial<CustomerForm['address']>) => props.onChange({ ...props.value, ...patch });
  return (
    <Section title={props.title}>
      <TextField label="Street" wide value={props.value.street} required={props.required} onChange={(v) => set({ street: orNull(v) })} />
      <TextField label="Street line 2" value={props.value.street2} onChange={(v) => set({ street2: orNull(v) })} />
      <TextField label="City" value={props.value.city} required={props.required} onChange={(v) => set({ city: orNull(v) })} />
      <TextField label="State" value={props.value.state} required={props.required} onChange={(v) => set({ state: orNull(v) })} />
      <TextField label="ZIP" value={props.value.postalCode} required={props.required} onChange={(v) => set({ postalCode: orNull(v) })} />
    </Section>
  );
}

export function ProgressChecks({ steps }: { steps: Array<{ label: string; done: boolean }> }) {
  return (
    <ol className="cu-progress" aria-label="Signup progress">
      {steps.map((step) => (
        <li key={step.label} className={step.done ? 'cu-step-done' : ''} aria-label={`${step.label}: ${step.done ? 'done' : 'not yet'}`}>
          <span className="cu-step-mark" aria-hidden="true">
            {step.done ? '✓' : '○'}
          </span>
          {step.label}
        </li>
      ))}
    </ol>
  );
}
