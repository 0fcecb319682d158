/**
 * A new register with no store: the setup screen's calls. Either the store is set up (its
 * name, licence, jurisdiction, time zone, the tax rates it enters, and its first admin), or the
 * demo store of a jurisdiction is created. Never a store with PINs anyone knows unless it is the
 * demo, which says so on every screen.
 */
import type Database from 'better-sqlite3';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Session } from '../../preload/api.js';
import type { setupCalls } from '../../preload/contract/setup.js';
import { loadJurisdictionRules } from '../compliance/rules.js';
import { demoJurisdictions, seedDemoStore } from '../demo/seed.js';
import type { Logger } from '../log/logger.js';
import { checkNewStore, computerTimeZone, dateIn, STORE_SETTING, storeTaxesOf, timeZoneChoices, writeJson } from '../setup/store-settings.js';
import { PIN_REFUSED, weakPinReason } from '../staff/pin-rules.js';
import { hashPin } from '../staff/pins.js';
import { toEmployee } from '../staff/service.js';
import { newId } from '../store/ids.js';
import { applyCommand } from './commands.js';
import { CoreError } from './errors.js';
import type { HandlersFor } from './handler.js';

type SetupCallName = Extract<keyof typeof setupCalls, `setup.${string}`>;

export interface FirstRunDeps {
  resourcesDir: string;
  logger: Logger;
  clock(): number;
  /** True while the register has no store yet. */
  needsSetup(): boolean;
  /** The open (empty) database. */
  sqlite(): Database.Database;
  /** The store now exists: finish opening it (identity, backups, capabilities) and tell the screens. */
  completeSetup(): Promise<void>;
}

function notOnSetup(): CoreError {
  return new CoreError('conflict', 'This register already has a store: log in with your PIN.');
}

/** The jurisdictions the register has rules for (resources/jurisdictions/XX.json). */
function jurisdictionCodes(resourcesDir: string): string[] {
  return readdirSync(join(resourcesDir, 'jurisdictions'))
    .filter((name) => /^[A-Z]{2}\.json$/.test(name))
    .map((name) => name.slice(0, 2))
    .sort();
}

export function createFirstRunHandlers(deps: FirstRunDeps): HandlersFor<SetupCallName> {
  return {
    'setup.options': {
      access: 'anyone',
      duringSetup: true,
      run() {
        if (!deps.needsSetup()) throw notOnSetup();
        const suggestedTimeZone = computerTimeZone();
        const jurisdictions = jurisdictionCodes(deps.resourcesDir).map((code) => {
          const rules = loadJurisdictionRules(deps.resourcesDir, code);
          return { code, name: rules.name, traceSystem: rules.traceSystem.name, traceProvider: rules.traceSystem.provider, taxes: storeTaxesOf(rules) };
        });
        return {
          jurisdictions,
          timeZones: timeZoneChoices(suggestedTimeZone),
          suggestedTimeZone,
          today: dateIn(deps.clock(), suggestedTimeZone),
          demos: demoJurisdictions(deps.resourcesDir),
        };
      },
    },

    'setup.createStore': {
      access: 'anyone',
      duringSetup: true,
      async run(ctx, request): Promise<Session> {
        if (!deps.needsSetup()) throw notOnSetup();
        checkNewStore(deps.resourcesDir, {
          jurisdiction: request.store.jurisdiction,
          timeZone: request.store.timeZone,
          taxRates: request.taxRates,
        }, deps.clock());
        if (weakPinReason(request.admin.pin) !== null) throw new CoreError('conflict', PIN_REFUSED);
        const pinHash = await hashPin(request.admin.pin);
        // Another screen may have set the store up while the PIN was being hashed.
        if (!deps.needsSetup()) throw notOnSetup();
        const sqlite = deps.sqlite();
        const now = deps.clock();
        const adminId = newId(now);
        const { store, admin } = request;
        applyCommand(
          sqlite,
          { commandId: request.commandId, name: 'setup.store_created', actorId: adminId },
          () => {
            if (sqlite.prepare('SELECT 1 FROM employees LIMIT 1').get() !== undefined) throw notOnSetup();
            writeJson(sqlite, STORE_SETTING.name, store.name, now);
            writeJson(sqlite, STORE_SETTING.licenceNumber, store.licenceNumber, now);
            writeJson(sqlite, STORE_SETTING.jurisdiction, store.jurisdiction, now);
            writeJson(sqlite, STORE_SETTING.timeZone, store.timeZone, now);
            for (const rate of request.taxRates) {
              writeJson(sqlite, rate.settingKey, [{ from: rate.from, to: null, ratePpm: rate.ratePpm, enteredAt: now, enteredBy: adminId }], now);
            }
            sqlite
              .prepare(
                `INSERT INTO employees (id, name, role, pin_hash, failed_pin_attempts, active, created_at, permissions, pin_must_change)
                 VALUES (?, ?, 'admin', ?, 0, 1, ?, NULL, 0)`,
              )
              .run(adminId, admin.name, pinHash, now);
            return {
              result: { adminId },
              audit: {
                details: {
                  store: store.name,
                  licenceNumber: store.licenceNumber,
                  jurisdiction: store.jurisdiction,
                  timeZone: store.timeZone,
                  taxRates: request.taxRates,
                  admin: { id: adminId, name: admin.name },
                },
              },
            };
          },
          now,
        );
        deps.logger.log('info', 'the store was set up', { jurisdiction: store.jurisdiction });
        await deps.completeSetup();
        // The screen that set the store up goes on as its admin (track-and-trace, employees).
        return ctx.session.activate(toEmployee({ id: adminId, name: admin.name, role: 'admin', active: 1, permissions: null }));
      },
    },

    'setup.openDemo': {
      access: 'anyone',
      duringSetup: true,
      async run(_ctx, request) {
        if (!deps.needsSetup()) throw notOnSetup();
        if (!demoJurisdictions(deps.resourcesDir).some((demo) => demo.code === request.jurisdiction)) {
          throw new CoreError('not_found', `There is no demo store for ${request.jurisdiction}: choose one from the list.`);
        }
        let created: { storeName: string };
        try {
          created = await seedDemoStore(deps.sqlite(), deps.resourcesDir, hashPin, deps.clock(), request.jurisdiction);
        } catch (error) {
          if (!deps.needsSetup() || deps.sqlite().prepare('SELECT 1 FROM employees LIMIT 1').get() !== undefined) throw notOnSetup();
          throw error;
        }
        deps.logger.log('info', 'created the demo store', { jurisdiction: request.jurisdiction });
        await deps.completeSetup();
        return { storeName: created.storeName };
      },
    },
  };
}
