/** Rewards' part of the core: handlers for preload/contract/rewards.ts. */
import type { CallName } from '../../preload/api.js';
import type { rewardsCalls } from '../../preload/contract/rewards.js';
import type { CapabilityModule, CoreServices, HandlersFor } from '../core/handler.js';
import { ADJUST_ACTION, RewardsService } from './service.js';

type RewardsCallName = keyof typeof rewardsCalls;

export function createRewardsModule(services: CoreServices): CapabilityModule & { service: RewardsService } {
  const service = new RewardsService({ sqlite: () => services.sqlite(), clock: () => services.clock() });
  const changed = (customerId: string | null) => services.broadcast('rewards.changed', { customerId });

  const handlers: HandlersFor<RewardsCallName> = {
    'rewards.config': { access: 'logged_in', run: () => service.config() },
    'rewards.saveRules': {
      access: 'manage_settings',
      run(ctx, request) {
        const rules = service.saveRules(ctx.actor, request.commandId, request.rules);
        changed(null);
        return rules;
      },
    },
    'rewards.account': { access: 'logged_in', run: (_ctx, request) => service.account(request.customerId, request.ledgerLimit) },
    'rewards.findByCard': { access: 'logged_in', run: (_ctx, request) => service.findByCard(request.cardNumber) },
    'rewards.connectCard': {
      access: 'manage_customers',
      run(ctx, request) {
        const card = service.connectCard(ctx.actor, request.commandId, request.customerId, request.cardNumber);
        changed(request.customerId);
        return card;
      },
    },
    'rewards.replaceCard': {
      access: 'manage_customers',
      run(ctx, request) {
        const card = service.replaceCard(ctx.actor, request.commandId, request.customerId, request.cardNumber);
        changed(request.customerId);
        return card;
      },
    },
    'rewards.adjust': {
      // Whoever is logged in (a manager too) needs a manager's PIN for this one adjustment.
      access: 'logged_in',
      run(ctx, request) {
        const replay = service.appliedAdjustment(request.commandId);
        if (replay) return replay;
        const grant = services.staff().consumeGrant(request.grantId, 'manager_override', ADJUST_ACTION);
        const result = service.adjust(ctx.actor, grant, request);
        changed(request.customerId);
        return result;
      },
    },
    'rewards.quote': { access: 'logged_in', run: (_ctx, request) => service.quote(request.customerId, request.eligibleCents, request.points) },
    'rewards.saveTag': {
      access: 'manage_settings',
      run(ctx, request) {
        const tag = service.saveTag(ctx.actor, request.commandId, request.kind, request.name);
        changed(null);
        return tag;
      },
    },
    'rewards.archiveTag': {
      access: 'manage_settings',
      run(ctx, request) {
        const tag = service.archiveTag(ctx.actor, request.commandId, request.tagId);
        changed(null);
        return tag;
      },
    },
    'rewards.setCustomerTags': {
      access: 'manage_customers',
      run(ctx, request) {
        const tags = service.setCustomerTags(ctx.actor, request.commandId, request.customerId, request.tagIds);
        changed(request.customerId);
        return tags;
      },
    },
  };
  // The core merges every module's handlers; this module owns only the rewards.* calls.
  return { handlers: handlers as unknown as HandlersFor<CallName>, service };
}
