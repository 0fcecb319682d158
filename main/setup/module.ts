/** Settings › Store: the store's name, licence number, time zone and its own tax rates. */
import type { StoreSettingsView } from '../../preload/contract/setup.js';
import type { setupCalls } from '../../preload/contract/setup.js';
import { loadJurisdictionRules } from '../compliance/rules.js';
import { applyCommand } from '../core/commands.js';
import { CoreError } from '../core/errors.js';
import type { CapabilityModule, CoreServices, HandlersFor } from '../core/handler.js';
import { readSetting } from '../core/settings.js';
import {
  dateIn,
  isTimeZone,
  readStoreRates,
  STORE_SETTING,
  storeTaxesOf,
  timeZoneChoices,
  withNewRate,
  writeJson,
} from './store-settings.js';

type StoreCallName = Extract<keyof typeof setupCalls, `store.${string}`>;

export function createStoreSettingsModule(services: CoreServices): CapabilityModule<StoreCallName> {
  const sqlite = () => services.sqlite();

  function view(): StoreSettingsView {
    const db = sqlite();
    const jurisdiction = readSetting(db, STORE_SETTING.jurisdiction) ?? 'IL';
    const timeZone = readSetting(db, STORE_SETTING.timeZone) ?? 'America/Chicago';
    const rules = loadJurisdictionRules(services.resourcesDir, jurisdiction);
    const today = dateIn(services.clock(), timeZone);
    return {
      name: readSetting(db, STORE_SETTING.name) ?? '',
      licenceNumber: readSetting(db, STORE_SETTING.licenceNumber) ?? '',
      jurisdiction,
      jurisdictionName: rules.name,
      timeZone,
      today,
      timeZones: timeZoneChoices(timeZone),
      taxes: storeTaxesOf(rules).map(({ suggestedRatePpm: _suggested, ...tax }) => {
        const rates = readStoreRates(db, tax.settingKey);
        const current = rates.find((rate) => rate.from <= today && (rate.to === null || today <= rate.to)) ?? null;
        return { ...tax, rates, current: current?.ratePpm ?? null };
      }),
    };
  }

  const handlers: HandlersFor<StoreCallName> = {
    'store.settings.get': { access: 'logged_in', run: () => view() },
    'store.settings.save': {
      access: 'manage_settings',
      run(ctx, request) {
        if (!isTimeZone(request.timeZone)) throw new CoreError('invalid_message', `"${request.timeZone}" is not a time zone: choose one from the list.`);
        const db = sqlite();
        const before = view();
        applyCommand(
          db,
          { commandId: request.commandId, name: 'store.settings_saved', actorId: ctx.actor.id },
          () => {
            const now = services.clock();
            writeJson(db, STORE_SETTING.name, request.name, now);
            writeJson(db, STORE_SETTING.licenceNumber, request.licenceNumber, now);
            writeJson(db, STORE_SETTING.timeZone, request.timeZone, now);
            return {
              result: null,
              audit: {
                details: {
                  before: { name: before.name, licenceNumber: before.licenceNumber, timeZone: before.timeZone },
                  after: { name: request.name, licenceNumber: request.licenceNumber, timeZone: request.timeZone },
                },
              },
            };
          },
          services.clock(),
        );
        services.statusChanged();
        return view();
      },
    },
    'store.settings.addTaxRate': {
      access: 'manage_settings',
      run(ctx, request) {
        const db = sqlite();
        const current = view();
        const tax = current.taxes.find((item) => item.settingKey === request.settingKey);
        if (!tax) throw new CoreError('not_found', `${current.jurisdictionName} has no tax the store enters as ${request.settingKey}.`);
        applyCommand(
          db,
          { commandId: request.commandId, name: 'store.tax_rate_added', actorId: ctx.actor.id },
          () => {
            const now = services.clock();
            // Read again inside the transaction: another screen may have added one meanwhile.
            const rates = readStoreRates(db, tax.settingKey);
            const next = withNewRate(rates, tax, request, dateIn(now, current.timeZone), { at: now, by: ctx.actor.id });
            writeJson(db, tax.settingKey, next, now);
            return {
              result: null,
              audit: { details: { settingKey: tax.settingKey, tax: tax.label, from: request.from, ratePpm: request.ratePpm, before: rates, after: next } },
            };
          },
          services.clock(),
        );
        return view();
      },
    },
  };
  return { handlers };
}
