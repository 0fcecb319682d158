/**
 * Settings › Track & Trace: a request from the screen (saved or only tested) → the stored
 * configuration, checked per provider. Secrets (BioTrack's password, Metrc's vendor and user
 * keys) are sealed here and never leave the core; an empty one keeps the saved one.
 */
import { CoreError } from '../core/errors.js';
import type { SecretBox } from '../core/secret-box.js';
import { DEFAULT_TRACE_ADVANCED, type StoredTraceConfig } from './config.js';

export interface SettingsRequest {
  provider: StoredTraceConfig['provider'];
  useDemoSandbox: boolean;
  endpoint: string;
  licenseNumber: string;
  username: string;
  password?: string;
  location: string;
  terminalId: string;
  training: boolean;
  nosession: boolean;
  vendorKey?: string;
  userKey?: string;
}

export const EMPTY_TRACE_CONFIG: StoredTraceConfig = {
  provider: 'none',
  useDemoSandbox: false,
  endpoint: '',
  licenseNumber: '',
  username: '',
  passwordSealed: null,
  location: '',
  terminalId: '',
  training: false,
  nosession: false,
  advanced: { ...DEFAULT_TRACE_ADVANCED },
  vendorKeySealed: null,
  userKeySealed: null,
  timeZone: 'America/Chicago',
};

/** The stored form of a request; `check` refuses what cannot work (saving), testing only builds it. */
export function storedFromRequest(
  request: SettingsRequest,
  previous: StoredTraceConfig | null,
  deps: { secretBox: SecretBox; storeTimeZone: string; demoAvailable: boolean },
  check: boolean,
): StoredTraceConfig {
  const metrc = request.provider === 'metrc_v2';
  const name = metrc ? 'Metrc' : 'BioTrack';
  if (check) {
    if (request.useDemoSandbox && !deps.demoAvailable) {
      throw new CoreError('conflict', `The demo sandbox runs only in the demo store: enter the ${name} address instead.`);
    }
    if (request.provider !== 'none' && !request.useDemoSandbox && !/^https?:\/\/\S+$/i.test(request.endpoint)) {
      throw new CoreError(
        'invalid_message',
        metrc
          ? "Enter the state's Metrc address, starting with https:// (for example https://api-ok.metrc.com)."
          : 'Enter the BioTrack address, starting with https:// (for example https://mcmonitoring.agr.illinois.gov/serverjson.asp).',
      );
    }
    if (request.provider === 'biotrack_v1' && request.location && !/^\d{6}$/.test(request.location)) {
      throw new CoreError('invalid_message', 'The location is the 6-digit BioTrack location licence.');
    }
    if (metrc && !request.licenseNumber.trim()) throw new CoreError('invalid_message', "Enter the facility's Metrc licence number.");
  }
  const keep = (value: string | undefined, sealed: string | null | undefined) => (value ? deps.secretBox.seal(value) : (sealed ?? null));
  const samePrevious = previous && previous.provider === request.provider ? previous : null;
  return {
    provider: request.provider,
    useDemoSandbox: request.useDemoSandbox,
    endpoint: request.endpoint,
    licenseNumber: request.licenseNumber,
    username: metrc ? '' : request.username,
    passwordSealed: metrc ? (previous?.passwordSealed ?? null) : keep(request.password, previous?.passwordSealed),
    // Metrc: one outbox per facility licence.
    location: metrc ? request.licenseNumber.trim() : request.location,
    terminalId: metrc ? request.terminalId || '1' : request.terminalId,
    training: metrc ? false : request.training,
    nosession: metrc ? false : request.nosession,
    advanced: previous?.advanced ?? { ...DEFAULT_TRACE_ADVANCED },
    vendorKeySealed: keep(request.vendorKey, samePrevious?.vendorKeySealed ?? previous?.vendorKeySealed),
    userKeySealed: keep(request.userKey, samePrevious?.userKeySealed ?? previous?.userKeySealed),
    timeZone: deps.storeTimeZone,
  };
}
