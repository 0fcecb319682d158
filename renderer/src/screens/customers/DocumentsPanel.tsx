/**
 * Documents on a profile: Capture Photo and Scan MD Rec from the configured document scanner,
 * "+ Upload" of a file with a chosen type (sent in parts), and the eye icon to look at one. A
 * document added at another station whose file has not reached this one yet says so instead. A scan
 * that arrives from a scanner saving into a watched folder is offered to the open profile, to file
 * under a chosen type (or leave).
 */
import { useCallback, useEffect, useId, useRef, useState } from 'react';
import { ulid } from 'ulid';
import { formatBytes, formatDateTime } from '../../format';
import { getClient } from '../../client';
import { call } from '../../register';
import { useStatus } from '../../stores/app';
import type { CustomerDocument, CustomersConfig, DocumentKind } from './types';
import type { EventPayload } from '../../../../preload/api';

type DocumentReceived = EventPayload<'document.received'>;
import { newCommandId } from './CustomersScreen';

const KIND_LABELS: Record<DocumentKind, string> = {
  full_licence: 'Full License',
  doctors_permit: 'Doctors Permit (MD rec)',
  medical_card: 'Medical Card',
  profile_photo: 'Profile Photo',
  other: 'Other',
  membership_agreement: 'Membership Agreement',
};

const PART_BYTES = 512 * 1024;
const MIME_BY_EXTENSION: Record<string, 'image/jpeg' | 'image/png' | 'image/tiff' | 'image/webp' | 'application/pdf'> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  tif: 'image/tiff',
  tiff: 'image/tiff',
  webp: 'image/webp',
  pdf: 'application/pdf',
};

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/**
 * Where documents go: a saved profile, or, before a signup's first save, its draft (kept in the
 * draft until the profile is created). ensureDraft keeps the draft now if it does not exist yet.
 */
export type DocumentsTarget = { customerId: string } | { draftId: string | null; ensureDraft: () => Promise<string | null> };

export function DocumentsPanel({ config, target, onChanged }: { config: CustomersConfig; target: DocumentsTarget; onChanged?: () => void }) {
  const customerId = 'customerId' in target ? target.customerId : null;
  const draftId = 'draftId' in target ? target.draftId : null;
  const timeZone = useStatus((state) => (state.status?.state === 'ready' ? state.status.timeZone : undefined));
  const [documents, setDocuments] = useState<CustomerDocument[]>([]);
  const [kind, setKind] = useState<DocumentKind>(config.uploadKinds[0] ?? 'other');
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [viewing, setViewing] = useState<{ title: string; url: string; mime: string } | null>(null);
  const [scanner, setScanner] = useState<{ id: string; name: string } | null>(null);
  /** The scan commands' ids: their images are filed by the button that ran them, not offered here. */
  const commandSources = useRef<Set<string>>(new Set());
  /** A scan from a watched folder, waiting to be filed on this profile (or left). */
  const [arrived, setArrived] = useState<DocumentReceived | null>(null);
  const [arrivedKind, setArrivedKind] = useState<DocumentKind>(config.mayKeepScannedLicenceData ? 'full_licence' : 'doctors_permit');
  const fileId = useId();

  const load = useCallback(async () => {
    if (customerId) {
      const result = await call('customers.get', { id: customerId });
      if (result.ok) setDocuments(result.value.documents);
    } else if (draftId) {
      const result = await call('customers.draftDocuments', { draftId });
      if (result.ok) setDocuments(result.value);
    }
  }, [customerId, draftId]);

  /** The profile or the draft to add to (keeping the draft first where needed). */
  const destination = async (): Promise<{ customerId: string } | { draftId: string } | null> => {
    if ('customerId' in target) return { customerId: target.customerId };
    const id = target.draftId ?? (await target.ensureDraft());
    if (!id) {
      setError('The signup could not be kept as a draft yet: type the name first, then add the document.');
      return null;
    }
    return { draftId: id };
  };

  useEffect(() => {
    void load();
    // A command document source (scanimage and the like) can be run from here; a watched folder cannot.
    // Asked of every role: the budtender at intake captures, though only a manager sets scanners up.
    void call('devices.documentSources', {}).then((result) => {
      if (!result.ok) return;
      commandSources.current = new Set(result.value.map((source) => source.id));
      setScanner(result.value[0] ?? null);
    });
  }, [load]);

  // A document added elsewhere (the agreement signed on the reception tablet) shows up at once.
  useEffect(() => {
    if (!customerId) return;
    return getClient().on('customers.changed', (event) => {
      if (event.customerId === customerId) void load();
    });
  }, [customerId, load]);

  useEffect(
    () =>
      getClient().on('document.received', (document) => {
        if (!commandSources.current.has(document.deviceId)) setArrived(document);
      }),
    [],
  );

  const fileArrived = async () => {
    if (!arrived) return;
    setError(null);
    const to = await destination();
    if (!to) return;
    setBusy('Filing the scan…');
    const result = await call('customers.addDocument', {
      commandId: newCommandId(),
      ...to,
      kind: arrivedKind,
      mime: arrived.mime,
      source: { from: 'device', file: arrived.file, sha256: arrived.sha256 },
      useAsPhoto: arrivedKind === 'full_licence' || arrivedKind === 'profile_photo',
    });
    setBusy(null);
    if (!result.ok) return setError(result.error.message);
    setArrived(null);
    await added();
  };

  const added = async () => {
    await load();
    onChanged?.();
  };

  const capture = async (captureKind: 'full_licence' | 'doctors_permit') => {
    if (!scanner) return;
    setError(null);
    setBusy(captureKind === 'full_licence' ? 'Capturing the photo…' : 'Scanning the MD rec…');
    const scanned = await call('devices.captureDocument', { id: scanner.id });
    if (!scanned.ok) {
      setBusy(null);
      setError(scanned.error.message);
      return;
    }
    const mime = scanned.value.mime;
    const to = await destination();
    if (!to) return setBusy(null);
    const result = await call('customers.addDocument', {
      commandId: newCommandId(),
      ...to,
      kind: captureKind,
      mime,
      source: { from: 'device', file: scanned.value.file, sha256: scanned.value.sha256 },
      useAsPhoto: captureKind === 'full_licence',
    });
    setBusy(null);
    if (!result.ok) setError(result.error.message);
    else await added();
  };

  const upload = async (file: File) => {
    setError(null);
    const extension = file.name.split('.').pop()?.toLowerCase() ?? '';
    const mime = MIME_BY_EXTENSION[extension];
    if (!mime) {
      setError('Choose a JPEG, PNG, TIFF, WebP or PDF file.');
      return;
    }
    if (file.size > config.maxUploadBytes) {
      setError(`The file is larger than ${formatBytes(config.maxUploadBytes)}: scan it at a lower resolution.`);
      return;
    }
    const bytes = new Uint8Array(await file.arrayBuffer());
    const uploadId = ulid();
    for (let index = 0, offset = 0; offset < bytes.length || index === 0; index++, offset += PART_BYTES) {
      setBusy(`Uploading ${file.name}: ${Math.min(100, Math.round((offset / Math.max(1, bytes.length)) * 100))}%`);
      const part = await call('customers.uploadPart', { uploadId, index, dataBase64: toBase64(bytes.subarray(offset, offset + PART_BYTES)) });
      if (!part.ok) {
        setBusy(null);
        setError(part.error.message);
        return;
      }
    }
    const to = await destination();
    if (!to) return setBusy(null);
    const result = await call('customers.addDocument', {
      commandId: newCommandId(),
      ...to,
      kind,
      mime,
      source: { from: 'upload', uploadId },
      useAsPhoto: kind === 'profile_photo',
    });
    setBusy(null);
    if (!result.ok) setError(result.error.message);
    else await added();
  };

  const view = async (document: CustomerDocument) => {
    const result = await call('customers.document', { id: document.id, ...(draftId ? { draftId } : {}) });
    if (!result.ok) {
      setError(result.error.message);
      return;
    }
    setViewing({ title: result.value.title, mime: result.value.mime, url: `data:${result.value.mime};base64,${result.value.dataBase64}` });
  };

  return (
    <section className="cu-section" aria-labelledby="documents-title">
      <h2 id="documents-title">Documents</h2>
      {!config.mayKeepScannedLicenceData ? (
        <p className="cu-notice">
          {config.jurisdictionName} does not allow keeping an image of the licence: Capture Photo is off and uploads cannot be of type Full License.
        </p>
      ) : null}
      <div className="cu-doc-actions">
        {config.mayKeepScannedLicenceData ? (
          <button type="button" disabled={!scanner || busy !== null} onClick={() => void capture('full_licence')}>
            Capture Photo
          </button>
        ) : null}
        <button type="button" disabled={!scanner || busy !== null} onClick={() => void capture('doctors_permit')}>
          Scan MD Rec
        </button>
        <div className="cu-field">
          <label htmlFor={`${fileId}-kind`}>Upload type</label>
          <select id={`${fileId}-kind`} value={kind} onChange={(event) => setKind(event.target.value as DocumentKind)}>
            {config.uploadKinds.map((k) => (
              <option key={k} value={k}>
                {KIND_LABELS[k]}
              </option>
            ))}
          </select>
        </div>
        <label className="cu-upload" htmlFor={fileId}>
          + Upload
        </label>
        <input
          id={fileId}
          className="cu-file"
          type="file"
          accept=".jpg,.jpeg,.png,.tif,.tiff,.webp,.pdf"
          aria-label="+ Upload"
          disabled={busy !== null}
          onChange={(event) => {
            const file = event.target.files?.[0];
            event.target.value = '';
            if (file) void upload(file);
          }}
        />
      </div>
      {!scanner ? <p className="muted">No scan command is set up (Settings › Devices): use + Upload, or a scanner that saves into a watched folder.</p> : null}
      {arrived ? (
        <div className="cu-arrived" role="group" aria-label="Scan arrived">
          <p>
            <strong>A scan arrived from {arrived.deviceName}</strong> ({formatBytes(arrived.sizeBytes)}, {formatDateTime(arrived.at, timeZone)}). File it on this profile as:
          </p>
          <div className="cu-doc-actions">
            <select aria-label="File the scan as" value={arrivedKind} onChange={(event) => setArrivedKind(event.target.value as DocumentKind)}>
              {config.uploadKinds.map((k) => (
                <option key={k} value={k}>
                  {KIND_LABELS[k]}
                </option>
              ))}
            </select>
            <button type="button" className="primary" disabled={busy !== null} onClick={() => void fileArrived()}>
              File it here
            </button>
            <button type="button" className="secondary" onClick={() => setArrived(null)}>
              Not for this customer
            </button>
          </div>
        </div>
      ) : null}
      {busy ? <p role="status">{busy}</p> : null}
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
      {documents.length === 0 ? (
        <p className="muted">No documents yet.</p>
      ) : (
        <ul className="cu-docs" aria-label="Documents">
          {documents.map((document) => (
            <li key={document.id} className={document.notCopied ? 'cu-doc-not-here' : undefined}>
              <span>
                <strong>{document.title}</strong>
                <span className="muted">
                  {' '}
                  · {formatBytes(document.sizeBytes)} · {document.addedByName ?? '—'} · {formatDateTime(document.addedAt, timeZone)}
                </span>
              </span>
              {document.notCopied ? (
                // Added at another station (or here, before a restore): its file comes through the store hub.
                <span className="cu-doc-waiting">
                  {document.notCopied === 'missing' ? (
                    document.notCopiedFrom ? (
                      <>
                        <strong>The file is missing at {document.notCopiedFrom}.</strong> Scan it again there.
                      </>
                    ) : (
                      <>
                        <strong>The file is missing.</strong> Scan it again at this register.
                      </>
                    )
                  ) : document.notCopiedFrom ? (
                    <>
                      <strong>Not yet copied from {document.notCopiedFrom}.</strong> It opens here once the store hub passes it on; until then, open it at{' '}
                      {document.notCopiedFrom}.
                    </>
                  ) : (
                    <>
                      <strong>Not yet copied to this register.</strong> It opens here once the store hub passes it on.
                    </>
                  )}
                </span>
              ) : (
                <button type="button" aria-label={`Show ${document.title}`} onClick={() => void view(document)}>
                  View
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {viewing ? (
        <div className="overlay" role="dialog" aria-modal="true" aria-label={viewing.title}>
          <div className="dialog cu-viewer">
            <h2>{viewing.title}</h2>
            {viewing.mime === 'application/pdf' ? (
              <iframe title={viewing.title} src={viewing.url} className="cu-viewer-frame" />
            ) : (
              <img src={viewing.url} alt={viewing.title} className="cu-viewer-image" />
            )}
            <button type="button" className="primary" autoFocus onClick={() => setViewing(null)}>
              Close
            </button>
          </div>
        </div>
      ) : null}
    </section>
  );
}
