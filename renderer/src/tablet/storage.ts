/**
 * What the tablet keeps in its own browser storage, so a dropped Wi-Fi or a reload loses nothing:
 * its device token, the signature in progress (strokes, email, phone) per agreement, the signature
 * on its way to the register until the register confirms it, and the agreements already received
 * (never asked for again).
 */
import type { TabletClientMessage } from '../../../preload/api';

const TOKEN = 'tablet.token';
const NAME = 'tablet.name';
const OUTBOX = 'tablet.outbox';
const RECEIVED = 'tablet.received';
const draftKey = (requestId: string) => `tablet.draft.${requestId}`;

export type Submission = Extract<TabletClientMessage, { type: 'submit' }>;

export interface Draft {
  /** signature_pad's toData(): the strokes, redrawn after a reload. */
  strokes: unknown[];
  email: string;
  phone: string;
}

function read<T>(key: string): T | null {
  try {
    const text = localStorage.getItem(key);
    return text === null ? null : (JSON.parse(text) as T);
  } catch {
    return null;
  }
}

function write(key: string, value: unknown): void {
  try {
    localStorage.setItem(key, JSON.stringify(value));
  } catch {
    // Storage full or off: the page still works, it only forgets on a reload.
  }
}

export const tabletStorage = {
  token: () => read<string>(TOKEN),
  name: () => read<string>(NAME),
  setPaired(token: string, name: string) {
    write(TOKEN, token);
    write(NAME, name);
  },
  forgetPairing() {
    localStorage.removeItem(TOKEN);
  },
  draft: (requestId: string) => read<Draft>(draftKey(requestId)),
  saveDraft: (requestId: string, draft: Draft) => write(draftKey(requestId), draft),
  outbox: () => read<Submission>(OUTBOX),
  setOutbox: (submission: Submission) => write(OUTBOX, submission),
  received: () => read<string[]>(RECEIVED) ?? [],
  /** The register has it: drop the draft and the outbox, remember the id. */
  markReceived(requestId: string) {
    const outbox = read<Submission>(OUTBOX);
    if (outbox?.requestId === requestId) localStorage.removeItem(OUTBOX);
    localStorage.removeItem(draftKey(requestId));
    write(RECEIVED, [...tabletStorage.received().filter((id) => id !== requestId), requestId].slice(-50));
  },
  dropOutbox(requestId: string) {
    const outbox = read<Submission>(OUTBOX);
    if (outbox?.requestId === requestId) localStorage.removeItem(OUTBOX);
    localStorage.removeItem(draftKey(requestId));
  },
};
