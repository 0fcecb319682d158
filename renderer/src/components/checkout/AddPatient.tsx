/**
 * At the register, a caregiver's patient added on the spot (the blue +): name, medical licence,
 * its expiry and the birth date (a minor has the minor's rules), saved on the caregiver's profile
 * and chosen for this ticket at once, which looks the allotment up.
 *
 * Usage: <AddPatient ticket={ticket} onTicket={setTicket} />
 */
import { useState } from 'react';
import type { CallResponse } from '../../../../preload/api';
import { ulid } from 'ulid';
import { call } from '../../register';

type Ticket = CallResponse<'checkout.ticket.get'>;

const empty = { firstName: '', lastName: '', medicalLicence: '', licenceExpires: '', dateOfBirth: '' };

export function AddPatient({ ticket, onTicket }: { ticket: Ticket; onTicket(ticket: Ticket): void }) {
  const [open, setOpen] = useState(false);
  const [form, setForm] = useState(empty);
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const set = (key: keyof typeof empty) => (event: React.ChangeEvent<HTMLInputElement>) => setForm({ ...form, [key]: event.target.value });

  const save = async () => {
    setSaving(true);
    setError(null);
    const added = await call('customers.addPatient', {
      commandId: ulid(),
      caregiverId: ticket.customer.id,
      patient: {
        firstName: form.firstName.trim(),
        lastName: form.lastName.trim(),
        medicalLicence: form.medicalLicence.trim(),
        licenceExpires: form.licenceExpires.trim(),
        dateOfBirth: form.dateOfBirth.trim() || null,
      },
    });
    if (!added.ok) {
      setSaving(false);
      return setError(added.error.message);
    }
    const chosen = await call('checkout.ticket.setPatient', { ticketId: ticket.ticketId, patient: { kind: 'caregiver_patient', id: added.value.id } });
    setSaving(false);
    if (!chosen.ok) {
      // Saved on the caregiver's profile, but not one to sell to (an expired card...): listed with the reason, not chosen.
      setForm(empty);
      setOpen(false);
      setError(chosen.error.message);
      const current = await call('checkout.ticket.get', { ticketId: ticket.ticketId });
      if (current.ok) onTicket(current.value);
      return;
    }
    setForm(empty);
    setOpen(false);
    onTicket(chosen.value);
  };

  if (!open) {
    return (
      <>
        <button
          type="button"
          className="add-patient"
          aria-label="Add a patient for this caregiver"
          onClick={() => {
            setError(null);
            setOpen(true);
          }}
        >
          +
        </button>
        {error ? (
          <p className="error" role="alert">
            {error}
          </p>
        ) : null}
      </>
    );
  }
  return (
    <form
      className="add-patient-form"
      aria-label="New patient"
      onSubmit={(event) => {
        event.preventDefault();
        void save();
      }}
    >
      <label className="field">
        <span>First name</span>
        <input value={form.firstName} onChange={set('firstName')} autoFocus autoComplete="off" />
      </label>
      <label className="field">
        <span>Last name</span>
        <input value={form.lastName} onChange={set('lastName')} autoComplete="off" />
      </label>
      <label className="field">
        <span>Medical licence</span>
        <input value={form.medicalLicence} onChange={set('medicalLicence')} autoComplete="off" />
      </label>
      <label className="field">
        <span>Licence expires (yyyy-mm-dd)</span>
        <input value={form.licenceExpires} onChange={set('licenceExpires')} placeholder="2027-05-31" autoComplete="off" />
      </label>
      <label className="field">
        <span>Birth date (yyyy-mm-dd)</span>
        <input value={form.dateOfBirth} onChange={set('dateOfBirth')} placeholder="1990-04-01" autoComplete="off" />
      </label>
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
      <div className="row">
        <button type="submit" className="primary" disabled={saving}>
          {saving ? 'Saving…' : 'Save'}
        </button>
        <button type="button" className="secondary" onClick={() => setOpen(false)}>
          Cancel
        </button>
      </div>
    </form>
  );
}
