/** Errors the store raises that a person must act on; each message says what to do. */
export class StoreDamagedError extends Error {
  constructor(
    readonly databaseFile: string,
    readonly detail: string,
  ) {
    super(
      `The register's database (${databaseFile}) is damaged: ${detail}. ` +
        'Nothing was deleted. Restore the newest good backup, or call support before selling.',
    );
    this.name = 'StoreDamagedError';
  }
}

export class DataFolderError extends Error {
  constructor(
    readonly dataDir: string,
    readonly detail: string,
  ) {
    super(
      `The data folder ${dataDir} cannot be used: ${detail}. ` +
        'Choose a folder this user can write to with --data-dir or REGISTER_DATA_DIR.',
    );
    this.name = 'DataFolderError';
  }
}

/**
 * What a failed write means for the person at the register, when the disk is at fault: full,
 * turned read-only, or failing. Null for any other error. SQLite's codes (SQLITE_FULL,
 * SQLITE_READONLY*, SQLITE_IOERR*) and Node's (ENOSPC, EROFS, EIO) are both understood.
 */
export function storageFailure(error: unknown): { reason: 'full' | 'read_only' | 'io'; message: string } | null {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return null;
  if (code === 'SQLITE_FULL' || code === 'ENOSPC') {
    return {
      reason: 'full',
      message: "the disk is full. Free space on this computer's disk (or call support to do it), then try again",
    };
  }
  if (code.startsWith('SQLITE_READONLY') || code === 'EROFS') {
    return {
      reason: 'read_only',
      message: 'the disk has become read-only, which often means it is failing. Restart the computer and try again; if it happens again, call support before selling',
    };
  }
  if (code.startsWith('SQLITE_IOERR') || code === 'EIO') {
    return {
      reason: 'io',
      message: 'the disk could not be written (it may be failing or unplugged). Check it, restart the computer and try again; call support if it happens again',
    };
  }
  return null;
}

/** The message for a write that the disk refused: nothing of it was saved, and what to do. */
export function cannotSaveMessage(what: string, error: unknown): string | null {
  const failure = storageFailure(error);
  if (!failure) return null;
  return `The register could not save ${what}: ${failure.message}. Nothing of it was saved.`;
}
