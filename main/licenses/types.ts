/** What the parser returns for one decoded licence barcode. */

export type Sex = 'M' | 'F' | 'X';
export type Country = 'USA' | 'CAN';
export type DocumentType = 'DL' | 'ID';

/**
 * Profile fields read from the DL/ID subfile. A field the card does not carry (absent, empty,
 * `NONE`, `unavl`) or that could not be read is `null`; `warnings` says which fields needed repair.
 */
export interface ParsedLicense {
  licenseNumber: string | null;
  firstName: string | null;
  middleName: string | null;
  lastName: string | null;
  nameSuffix: string | null;
  /** ISO yyyy-mm-dd. */
  dateOfBirth: string | null;
  /** ISO yyyy-mm-dd. */
  expirationDate: string | null;
  /** ISO yyyy-mm-dd. */
  issueDate: string | null;
  sex: Sex | null;
  street: string | null;
  street2: string | null;
  city: string | null;
  state: string | null;
  /** US `NNNNN` or `NNNNN-NNNN`; Canada `A1A 1A1`. */
  postalCode: string | null;
  country: Country | null;
  documentType: DocumentType;
  aamvaVersion: number;
  /** Issuer Identification Number, 6 digits as encoded in the header. */
  iin: string;
  warnings: string[];
}

export type LicenseErrorCode =
  /** No AAMVA header: some other barcode, or typed text. */
  | 'not_a_licence'
  /** The header is there but the data stops before the fields the register needs. */
  | 'cut_short'
  /** A real licence format we do not read (British Columbia magstripe layout, pre-2000 cards). */
  | 'unsupported_layout'
  /** The barcode is complete but does not carry a readable birth date. */
  | 'missing_birth_date'
  /**
   * The scan reads as a licence, but a field shows the scanner misread it (another element glued
   * into a name, digits in a name, a character no card prints): scan again rather than fill a profile.
   */
  | 'misread';

export interface LicenseError {
  code: LicenseErrorCode;
  /** Short sentence for the budtender's screen. */
  message: string;
  /** For `misread`: the field that gave it away (e.g. "first name"). */
  field?: string;
}

export type LicenseParseResult =
  | { ok: true; license: ParsedLicense; warnings: string[] }
  | { ok: false; error: LicenseError };
