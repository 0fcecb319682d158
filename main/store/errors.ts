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
