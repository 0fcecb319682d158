/**
 * A signup that looks like a profile already in the register: the same medical ID (never saved
 * twice: open the existing profile) or the same first name, last name and birth date (open it,
 * or say why this is a different person and create anyway; the reason goes in the history).
 */
import { forwardRef, useEffect, useRef, useState } from 'react';
import { call } from '../../register';
import { showDate } from '../../components/customers/dateEntry';
import { TextField } from '../../components/customers/fields';
import type { CustomerForm, CustomerSummary, Duplicates } from './types';

const CHECK_DEBOUNCE_MS = 300;

/** Profiles the form would duplicate, asked of the core a moment after the names, birth date or medical ID change. */
export function useDuplicates(customerId: string | null, form: CustomerForm): [Duplicates | null, () => void] {
  const [found, setFound] = useState<Duplicates | null>(null);
  const seq = useRef(0);
  const [again, setAgain] = useState(0);
  const { firstName, lastName, dateOfBirth, medicalId } = form;
  useEffect(() => {
    const mine = ++seq.current;
    const timer = setTimeout(() => {
      void call('customers.duplicates', { customerId, firstName, lastName, dateOfBirth, medicalId }).then((result) => {
        if (mine === seq.current && result.ok) setFound(result.value);
      });
    }, CHECK_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [customerId, firstName, lastName, dateOfBirth, medicalId, again]);
  return [found, () => setAgain((n) => n + 1)];
}

export const DuplicateWarning = forwardRef<
  HTMLDivElement,
  {
    found: Duplicates;
    medicalId: string | null;
    /** A new signup (same names and birth date stop only a new profile; an edit is the person's own). */
    isNew: boolean;
    busy: boolean;
    onOpen: (customer: CustomerSummary) => void;
    onCreateAnyway: (reason: string) => void;
  }
>(function DuplicateWarning(props, ref) {
  const [reason, setReason] = useState('');
  const { found } = props;
  const sameNames = props.isNew ? found.sameNameAndBirth : [];
  if (found.sameMedicalId.length === 0 && sameNames.length === 0) return null;
  const openButtons = (customers: CustomerSummary[]) => (
    <ul>
      {customers.map((customer) => (
        <li key={customer.id}>
          <button type="button" className="primary" onClick={() => props.onOpen(customer)}>
            Open {customer.displayName}&apos;s profile
          </button>
          <span>
            born {showDate(customer.dateOfBirth)}
            {customer.medicalId ? ` · Medical ID ${customer.medicalId}` : ''}
            {customer.phone ? ` · ${customer.phone}` : ''}
          </span>
        </li>
      ))}
    </ul>
  );
  return (
    <div className="cu-duplicate" role="alert" aria-label="Possible duplicate" ref={ref} tabIndex={-1}>
      {found.sameMedicalId.length > 0 ? (
        <>
          <p>
            <strong>Medical ID {props.medicalId} is already on another profile.</strong> One medical ID is never on two profiles: open that
            one{props.isNew ? ' (this signup is dropped)' : ''}, or check the number on the card.
          </p>
          {openButtons(found.sameMedicalId)}
        </>
      ) : (
        <>
          <p>
            <strong>
              {sameNames[0]!.firstName} {sameNames[0]!.lastName}, born {showDate(sameNames[0]!.dateOfBirth)}, may already have a profile.
            </strong>{' '}
            Open it (this signup is dropped), or, if this is a different person, say why and create the profile anyway.
          </p>
          {openButtons(sameNames)}
          <div className="cu-duplicate-reason">
            <TextField label="Why this is a different person" value={reason} onChange={setReason} />
            <button type="button" disabled={props.busy || reason.trim().length < 3} onClick={() => props.onCreateAnyway(reason.trim())}>
              Create anyway
            </button>
          </div>
        </>
      )}
    </div>
  );
});
