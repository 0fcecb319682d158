/**
 * The reception tablet's part of the core: Settings › Tablet (turn on, pair, unpair, the
 * agreement text), Collect Signature on a profile, and the tablet server's life (started when a
 * manager turns the tablet on, and at every start while it is on).
 */
import { join, dirname } from 'node:path';
import type { TabletStatus } from '../../preload/contract/tablet.js';
import type { CapabilityModule, CoreServices, HandlersFor } from '../core/handler.js';
import { CoreError } from '../core/errors.js';
import { ensureCertificate, type TabletCertificate } from './certificate.js';
import { startTabletServer, type TabletServer } from './server.js';
import { TabletService } from './service.js';
import { loadLater } from '../core/load-later.js';

type TabletCallName =
  | 'tablet.status'
  | 'tablet.setEnabled'
  | 'tablet.startPairing'
  | 'tablet.revoke'
  | 'tablet.devices'
  | 'tablet.agreement.get'
  | 'tablet.agreement.save'
  | 'tablet.collectSignature'
  | 'tablet.cancelSignature'
  | 'tablet.signatureOf';

/** Where the tablet server listens. A store: every interface, port 47843. Tests: 127.0.0.1, port 0. */
export interface TabletListen {
  host: string;
  port: number;
}
export const DEFAULT_TABLET_LISTEN: TabletListen = { host: '0.0.0.0', port: 47843 };

export interface TabletModuleDeps {
  listen?: TabletListen | undefined;
  /** The built pages (dist/renderer); default beside resources/. */
  pageDir?: string | undefined;
  mail: () => { poke(): void; configured(): boolean } | null;
}

export function createTabletModule(services: CoreServices, deps: TabletModuleDeps): CapabilityModule {
  const listen = deps.listen ?? DEFAULT_TABLET_LISTEN;
  const pageDir = deps.pageDir ?? join(dirname(services.resourcesDir), 'dist', 'renderer');
  let server: TabletServer | null = null;
  let certificate: TabletCertificate | null = null;
  let problem: string | null = null;
  let starting: Promise<void> | null = null;

  const service = new TabletService({
    sqlite: () => services.sqlite(),
    clock: () => services.clock(),
    dataDir: services.dataDir,
    mailConfigured: () => deps.mail()?.configured() ?? false,
    isConnected: (deviceId) => server?.connected(deviceId) ?? false,
  });
  const changed = (customerId: string | null) => services.broadcast('tablet.changed', { customerId });

  async function startServer(): Promise<void> {
    if (server) return;
    try {
      certificate ??= await ensureCertificate(services.dataDir, services.clock());
      server = await startTabletServer({
        service,
        certificate,
        host: listen.host,
        port: listen.port,
        pageDir,
        logger: services.logger,
        onSigned(outcome) {
          if (outcome.mailQueued) deps.mail()?.poke();
          changed(outcome.customerId);
          services.broadcast('customers.changed', { customerId: outcome.customerId, draftsChanged: false });
        },
        onConnectionsChanged: () => changed(null),
      });
      problem = null;
      services.logger.log('info', 'the tablet server is listening', { address: server.address });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      problem =
        code === 'EADDRINUSE'
          ? `Port ${listen.port} is taken by another program on this computer: close it, then turn the tablet off and on again.`
          : 'The tablet server could not start: turn the tablet off and on again, and call support if it repeats.';
      services.logger.log('error', 'the tablet server could not start', { error: error instanceof Error ? error.message : String(error) });
    }
  }

  async function stopServer(): Promise<void> {
    await starting;
    const running = server;
    server = null;
    await running?.close();
  }

  function status(): TabletStatus {
    const enabled = service.enabled();
    return {
      enabled,
      address: enabled && server ? server.address : null,
      fingerprint: enabled && certificate ? certificate.fingerprint : null,
      problem: enabled ? problem : null,
      devices: service.devices(),
    };
  }

  const handlers: HandlersFor<TabletCallName> = {
    'tablet.status': { access: 'manage_settings', run: () => status() },
    'tablet.setEnabled': {
      access: 'manage_settings',
      async run(ctx, request) {
        service.setEnabled(ctx.actor, request.commandId, request.enabled);
        if (request.enabled) {
          starting = startServer();
          await starting;
        } else await stopServer();
        changed(null);
        return status();
      },
    },
    'tablet.startPairing': {
      access: 'manage_settings',
      async run(ctx) {
        if (!service.enabled() || !server || !certificate) throw new CoreError('conflict', 'Turn the tablet on first: the pairing code works only while it is on.');
        const { code, expiresAt } = service.startPairing(ctx.actor);
        const url = `${server.address}#pair=${code}`;
        const QRCode = loadLater<typeof import('qrcode')>('qrcode');
        const qrDataUrl = await QRCode.toDataURL(url, { errorCorrectionLevel: 'M', margin: 2, width: 240 });
        return { code, url, qrDataUrl, expiresAt, fingerprint: certificate.fingerprint };
      },
    },
    'tablet.revoke': {
      access: 'manage_settings',
      run(ctx, request) {
        const affected = service.revoke(ctx.actor, request.commandId, request.deviceId);
        server?.disconnect(request.deviceId);
        for (const customerId of affected) changed(customerId);
        changed(null);
        return status();
      },
    },
    'tablet.devices': { access: 'logged_in', run: () => (service.enabled() ? service.devices() : []) },
    'tablet.agreement.get': { access: 'logged_in', run: () => service.agreement() },
    'tablet.agreement.save': {
      access: 'manage_settings',
      run(ctx, request) {
        if (ctx.actor.role !== 'admin') throw new CoreError('forbidden', 'Only an admin may change the membership agreement.');
        service.saveAgreement(ctx.actor, request.commandId, request.text);
        return service.agreement();
      },
    },
    'tablet.collectSignature': {
      access: 'manage_customers',
      run(ctx, request) {
        if (!service.enabled() || !server) throw new CoreError('conflict', 'The tablet is off: a manager turns it on in Settings › Tablet.');
        const { request: sent, affected } = service.collect(ctx.actor, request.commandId, request.customerId, request.deviceId);
        server.notify(request.deviceId);
        for (const customerId of affected) changed(customerId);
        changed(request.customerId);
        return sent;
      },
    },
    'tablet.cancelSignature': {
      access: 'manage_customers',
      run(ctx, request) {
        const view = service.cancel(ctx.actor, request.commandId, request.requestId);
        const deviceId = (services.sqlite().prepare('SELECT device_id FROM signature_requests WHERE id = ?').get(request.requestId) as { device_id: string } | undefined)?.device_id;
        if (deviceId) server?.notify(deviceId);
        changed(view.customerId);
        return view;
      },
    },
    'tablet.signatureOf': { access: 'logged_in', run: (_ctx, request) => service.latestFor(request.customerId) },
  };

  return {
    handlers,
    async onOpen() {
      if (service.enabled()) {
        starting = startServer();
        await starting;
      }
    },
    onClose: () => stopServer(),
  };
}
