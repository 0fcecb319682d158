/** Public API of the licence barcode reader. */
export { parseLicense } from './parse.js';
export { ageOn, checkLicense, storeLocalDate } from './checks.js';
export type { CheckOptions, LicenseProblem } from './checks.js';
export type {
  Country,
  DocumentType,
  LicenseError,
  LicenseErrorCode,
  LicenseParseResult,
  ParsedLicense,
  Sex,
} from './types.js';
