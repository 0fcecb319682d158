/** Email's part of the core: Settings › Email, the Sync screen's email list, and the sender. */
import type { CapabilityModule, CoreServices, HandlersFor } from '../core/handler.js';
import { applyCommand } from '../core/commands.js';
import { CoreError } from '../core/errors.js';
import { listOutbox, outboxCounts, outboxRow } from './outbox.js';
import { MailSender, type MailSenderOptions } from './sender.js';
import { mailConfigured, mailSettingsView, nextMailSettings, readMailSettings, writeMailSettings } from './settings.js';

type MailCallName = 'mail.settings.get' | 'mail.settings.save' | 'mail.outbox' | 'mail.retry';

export interface MailModule extends CapabilityModule {
  /** A row was queued (inside a committed transaction): send it now. */
  poke(): void;
  configured(): boolean;
}

export function createMailModule(services: CoreServices, options: MailSenderOptions = {}): MailModule {
  const changed = () => services.broadcast('mail.changed', outboxCounts(services.sqlite()));
  const sender = new MailSender(
    { sqlite: () => services.sqlite(), clock: () => services.clock(), logger: services.logger, secretBox: services.secretBox, dataDir: services.dataDir, changed },
    options,
  );

  const handlers: HandlersFor<MailCallName> = {
    'mail.settings.get': { access: 'manage_settings', run: () => mailSettingsView(readMailSettings(services.sqlite())) },
    'mail.settings.save': {
      access: 'manage_settings',
      run(ctx, request) {
        const sqlite = services.sqlite();
        const now = services.clock();
        const { result } = applyCommand(
          sqlite,
          { commandId: request.commandId, name: 'mail.settings.save', actorId: ctx.actor.id },
          () => {
            const next = nextMailSettings(readMailSettings(sqlite), request.settings, services.secretBox);
            writeMailSettings(sqlite, next, now);
            // Never the password in the audit log.
            return { result: mailSettingsView(next), audit: { details: { host: next.host, port: next.port, security: next.security, user: next.user, fromAddress: next.fromAddress } } };
          },
          now,
        );
        sender.poke();
        services.broadcast('tablet.changed', { customerId: null });
        return result;
      },
    },
    'mail.outbox': { access: 'logged_in', run: (_ctx, request) => listOutbox(services.sqlite(), request.limit) },
    'mail.retry': {
      access: 'logged_in',
      run(ctx, request) {
        const sqlite = services.sqlite();
        const now = services.clock();
        applyCommand(
          sqlite,
          { commandId: request.commandId, name: 'mail.retry', actorId: ctx.actor.id },
          () => {
            const row = outboxRow(sqlite, request.id);
            if (!row) throw new CoreError('not_found', 'This email is not in the outbox.');
            if (row.state !== 'failed') throw new CoreError('conflict', 'This email is not waiting for a person: it is sent by itself.');
            sqlite.prepare(`UPDATE mail_outbox SET state = 'pending', attempts = 0, next_attempt_at = ? WHERE id = ?`).run(now, request.id);
            return { result: null, audit: { details: { outboxId: request.id } } };
          },
          now,
        );
        sender.poke();
        changed();
        const row = outboxRow(sqlite, request.id);
        if (!row) throw new CoreError('not_found', 'This email is not in the outbox.');
        return row;
      },
    },
  };

  return {
    handlers,
    onOpen: () => sender.start(),
    onClose: () => sender.stop(),
    poke: () => sender.poke(),
    configured: () => mailConfigured(readMailSettings(services.sqlite())),
  };
}
