/**
 * Rewards in the core: the profile's Rewards card (balance, card, ledger, tags), connecting and
 * replacing rewards cards, finding a customer by a swipe, manager-approved adjustments, the
 * store's rules and the tag lists. Every write goes through applyCommand (applied once per
 * commandId, audited with the employee).
 */
import type Database from 'better-sqlite3';
import type { CustomerTag, LedgerEntry, RewardsAccount, RewardsCard, RewardsRules, TagKind } from '../../preload/contract/rewards.js';
import { applyCommand, appliedCommandResult } from '../core/commands.js';
import { captureRewardsCard } from '../hub-sync/capture.js';
import { CoreError } from '../core/errors.js';
import { newId } from '../store/ids.js';
import { displayName } from '../customers/service.js';
import { insertLedgerRow, rewardsBalance, rewardsQuote } from './ledger.js';
import { pointsValueCents, readRewardsRules, RULES_SETTING } from './rules.js';

export interface RewardsServiceDeps {
  sqlite(): Database.Database;
  clock(): number;
}

interface Actor {
  id: string;
}

interface CardRow {
  id: string;
  card_number: string;
  customer_id: string;
  connected_at: number;
  replaced_at: number | null;
}

interface TagRow {
  id: string;
  kind: TagKind;
  name: string;
  archived_at: number | null;
}

export const ADJUST_ACTION = 'rewards.adjust';

const toCard = (row: CardRow): RewardsCard => ({ id: row.id, cardNumber: row.card_number, connectedAt: row.connected_at, replacedAt: row.replaced_at });
const toTag = (row: TagRow): CustomerTag => ({ id: row.id, kind: row.kind, name: row.name, archived: row.archived_at !== null });
const ending = (cardNumber: string) => cardNumber.slice(-4);

export class RewardsService {
  constructor(private readonly deps: RewardsServiceDeps) {}

  private get db(): Database.Database {
    return this.deps.sqlite();
  }

  // -------------------------------------------------------------------------------------------
  // Rules and tag lists
  // -------------------------------------------------------------------------------------------

  config(): { rules: RewardsRules; tags: CustomerTag[] } {
    return { rules: readRewardsRules(this.db), tags: this.tags(false) };
  }

  saveRules(actor: Actor, commandId: string, rules: RewardsRules): RewardsRules {
    const now = this.deps.clock();
    return applyCommand(
      this.db,
      { commandId, name: 'rewards.saveRules', actorId: actor.id },
      () => {
        const before = readRewardsRules(this.db);
        this.db
          .prepare('INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at')
          .run(RULES_SETTING, JSON.stringify(rules), now);
        return { result: rules, audit: { details: { before, after: rules } } };
      },
      now,
    ).result;
  }

  tags(includeArchived: boolean): CustomerTag[] {
    const rows = this.db
      .prepare(`SELECT id, kind, name, archived_at FROM customer_tags ${includeArchived ? '' : 'WHERE archived_at IS NULL'} ORDER BY kind, name COLLATE NOCASE`)
      .all() as TagRow[];
    return rows.map(toTag);
  }

  saveTag(actor: Actor, commandId: string, kind: TagKind, name: string): CustomerTag {
    const now = this.deps.clock();
    return applyCommand(
      this.db,
      { commandId, name: 'rewards.saveTag', actorId: actor.id },
      () => {
        const existing = this.db.prepare('SELECT id, kind, name, archived_at FROM customer_tags WHERE kind = ? AND name = ? COLLATE NOCASE').get(kind, name) as TagRow | undefined;
        if (existing && existing.archived_at === null) throw new CoreError('conflict', `"${existing.name}" is already on the ${kind} tags list.`);
        if (existing) {
          // An archived tag of that name comes back (its old links are still there to see).
          this.db.prepare('UPDATE customer_tags SET archived_at = NULL WHERE id = ?').run(existing.id);
          return { result: toTag({ ...existing, archived_at: null }), audit: { details: { tagId: existing.id, kind, name: existing.name, restored: true } } };
        }
        const id = newId(now);
        this.db.prepare('INSERT INTO customer_tags (id, kind, name, created_at) VALUES (?, ?, ?, ?)').run(id, kind, name, now);
        return { result: { id, kind, name, archived: false }, audit: { details: { tagId: id, kind, name } } };
      },
      now,
    ).result;
  }

  archiveTag(actor: Actor, commandId: string, tagId: string): CustomerTag {
    const now = this.deps.clock();
    return applyCommand(
      this.db,
      { commandId, name: 'rewards.archiveTag', actorId: actor.id },
      () => {
        const tag = this.db.prepare('SELECT id, kind, name, archived_at FROM customer_tags WHERE id = ?').get(tagId) as TagRow | undefined;
        if (!tag) throw new CoreError('not_found', 'That tag is no longer on the list: reload Settings.');
        this.db.prepare('UPDATE customer_tags SET archived_at = ? WHERE id = ?').run(now, tagId);
        return { result: toTag({ ...tag, archived_at: now }), audit: { details: { tagId, kind: tag.kind, name: tag.name } } };
      },
      now,
    ).result;
  }

  customerTags(customerId: string): CustomerTag[] {
    const rows = this.db
      .prepare(
        `SELECT t.id, t.kind, t.name, t.archived_at FROM customer_tag_links l JOIN customer_tags t ON t.id = l.tag_id
          WHERE l.customer_id = ? ORDER BY t.kind, t.name COLLATE NOCASE`,
      )
      .all(customerId) as TagRow[];
    return rows.map(toTag);
  }

  setCustomerTags(actor: Actor, commandId: string, customerId: string, tagIds: string[]): CustomerTag[] {
    const now = this.deps.clock();
    return applyCommand(
      this.db,
      { commandId, name: 'rewards.setCustomerTags', actorId: actor.id },
      () => {
        this.requireCustomer(customerId);
        const wanted = [...new Set(tagIds)];
        const before = this.customerTags(customerId);
        const current = new Set(before.map((tag) => tag.id));
        for (const id of wanted) {
          if (current.has(id)) continue;
          const tag = this.db.prepare('SELECT id, kind, name, archived_at FROM customer_tags WHERE id = ?').get(id) as TagRow | undefined;
          if (!tag || tag.archived_at !== null) throw new CoreError('not_found', 'A chosen tag is no longer on the list: reload the profile and choose again.');
          this.db.prepare('INSERT INTO customer_tag_links (customer_id, tag_id, added_at, added_by) VALUES (?, ?, ?, ?)').run(customerId, id, now, actor.id);
        }
        for (const tag of before) {
          if (!wanted.includes(tag.id)) this.db.prepare('DELETE FROM customer_tag_links WHERE customer_id = ? AND tag_id = ?').run(customerId, tag.id);
        }
        const after = this.customerTags(customerId);
        return {
          result: after,
          audit: { customerId, details: { before: before.map((t) => t.name), after: after.map((t) => t.name) } },
        };
      },
      now,
    ).result;
  }

  // -------------------------------------------------------------------------------------------
  // The profile's Rewards card
  // -------------------------------------------------------------------------------------------

  account(customerId: string, ledgerLimit: number): RewardsAccount {
    this.requireCustomer(customerId);
    const rules = readRewardsRules(this.db);
    const balance = rewardsBalance(this.db, customerId);
    const cards = (this.db
      .prepare('SELECT id, card_number, customer_id, connected_at, replaced_at FROM rewards_cards WHERE customer_id = ? ORDER BY connected_at DESC, id DESC')
      .all(customerId) as CardRow[]).map(toCard);
    const rows = this.db
      .prepare(
        `SELECT l.id, l.kind, l.points, l.sale_id, l.cents, l.reason, l.at, e.name AS employee_name, a.name AS approved_by_name
           FROM rewards_ledger l LEFT JOIN employees e ON e.id = l.employee_id LEFT JOIN employees a ON a.id = l.approved_by
          WHERE l.customer_id = ? ORDER BY l.at DESC, l.id DESC LIMIT ?`,
      )
      .all(customerId, ledgerLimit) as Array<{
      id: string;
      kind: LedgerEntry['kind'];
      points: number;
      sale_id: string | null;
      cents: number | null;
      reason: string | null;
      at: number;
      employee_name: string | null;
      approved_by_name: string | null;
    }>;
    let running = balance;
    const ledger: LedgerEntry[] = rows.map((row) => {
      const entry: LedgerEntry = {
        id: row.id,
        kind: row.kind,
        points: row.points,
        balanceAfter: running,
        saleId: row.sale_id,
        cents: row.cents,
        reason: row.reason,
        employeeName: row.employee_name,
        approvedByName: row.approved_by_name,
        at: row.at,
      };
      running -= row.points;
      return entry;
    });
    return {
      customerId,
      balance,
      balanceValueCents: pointsValueCents(rules, balance),
      card: cards.find((card) => card.replacedAt === null) ?? null,
      replacedCards: cards.filter((card) => card.replacedAt !== null),
      ledger,
      tags: this.customerTags(customerId),
      rules,
    };
  }

  quote(customerId: string, eligibleCents: number, points: number | null) {
    this.requireCustomer(customerId);
    return rewardsQuote(this.db, customerId, eligibleCents, points);
  }

  // -------------------------------------------------------------------------------------------
  // Cards
  // -------------------------------------------------------------------------------------------

  findByCard(cardNumber: string): { customerId: string; displayName: string } {
    const card = this.cardByNumber(cardNumber);
    if (!card) throw new CoreError('not_found', `No customer has the card ending ${ending(cardNumber)}: open their profile and choose Connect Card.`);
    if (card.replaced_at !== null) {
      throw new CoreError('conflict', `The card ending ${ending(cardNumber)} was replaced and no longer works: ask for the customer's new card, or search by name.`);
    }
    return { customerId: card.customer_id, displayName: this.requireCustomer(card.customer_id) };
  }

  connectCard(actor: Actor, commandId: string, customerId: string, cardNumber: string): RewardsCard {
    const now = this.deps.clock();
    return applyCommand(
      this.db,
      { commandId, name: 'rewards.connectCard', actorId: actor.id },
      () => {
        this.requireCustomer(customerId);
        const current = this.workingCard(customerId);
        if (current) {
          throw new CoreError('conflict', `This customer already has the card ending ${ending(current.card_number)}: use Replace Card to give them a new one.`);
        }
        this.requireFreeNumber(cardNumber, customerId);
        const card = this.insertCard(actor, customerId, cardNumber, now);
        return { result: card, audit: { customerId, details: { cardEnding: ending(cardNumber), cardId: card.id } } };
      },
      now,
    ).result;
  }

  replaceCard(actor: Actor, commandId: string, customerId: string, cardNumber: string): RewardsCard {
    const now = this.deps.clock();
    return applyCommand(
      this.db,
      { commandId, name: 'rewards.replaceCard', actorId: actor.id },
      () => {
        this.requireCustomer(customerId);
        const old = this.workingCard(customerId);
        if (!old) throw new CoreError('conflict', 'This customer has no card to replace: use Connect Card.');
        if (old.card_number === cardNumber) throw new CoreError('conflict', `That is the card already connected (ending ${ending(cardNumber)}): swipe the NEW card.`);
        this.requireFreeNumber(cardNumber, customerId);
        // The old card stops working first (one working card per customer), then the new one is connected.
        const card = { id: newId(now) };
        this.db.prepare('UPDATE rewards_cards SET replaced_at = ?, replaced_by_card_id = ? WHERE id = ?').run(now, card.id, old.id);
        captureRewardsCard(this.db, old.id, now);
        const inserted = this.insertCard(actor, customerId, cardNumber, now, card.id);
        return {
          result: inserted,
          audit: { customerId, details: { oldCardEnding: ending(old.card_number), newCardEnding: ending(cardNumber), oldCardId: old.id, cardId: inserted.id } },
        };
      },
      now,
    ).result;
  }

  private insertCard(actor: Actor, customerId: string, cardNumber: string, now: number, id: string = newId(now)): RewardsCard {
    this.db
      .prepare('INSERT INTO rewards_cards (id, card_number, customer_id, connected_at, connected_by) VALUES (?, ?, ?, ?, ?)')
      .run(id, cardNumber, customerId, now, actor.id);
    captureRewardsCard(this.db, id, now);
    return { id, cardNumber, connectedAt: now, replacedAt: null };
  }

  private cardByNumber(cardNumber: string): CardRow | undefined {
    return this.db.prepare('SELECT id, card_number, customer_id, connected_at, replaced_at FROM rewards_cards WHERE card_number = ?').get(cardNumber) as
      | CardRow
      | undefined;
  }

  private workingCard(customerId: string): CardRow | undefined {
    return this.db
      .prepare('SELECT id, card_number, customer_id, connected_at, replaced_at FROM rewards_cards WHERE customer_id = ? AND replaced_at IS NULL')
      .get(customerId) as CardRow | undefined;
  }

  /** A card belongs to one customer at most, and a replaced card is never reused. */
  private requireFreeNumber(cardNumber: string, customerId: string): void {
    const taken = this.cardByNumber(cardNumber);
    if (!taken) return;
    if (taken.customer_id !== customerId) {
      const owner = this.requireCustomer(taken.customer_id);
      throw new CoreError('conflict', `The card ending ${ending(cardNumber)} already belongs to ${owner}: a card belongs to one customer. Use another card.`);
    }
    if (taken.replaced_at !== null) throw new CoreError('conflict', `The card ending ${ending(cardNumber)} was replaced and cannot be used again: use a new card.`);
    throw new CoreError('conflict', `The card ending ${ending(cardNumber)} is already this customer's card.`);
  }

  // -------------------------------------------------------------------------------------------
  // Adjusting points by hand
  // -------------------------------------------------------------------------------------------

  /** Called only after the handler consumed a manager_override grant for ADJUST_ACTION. */
  adjust(
    actor: Actor,
    approver: { approverId: string; approverName: string },
    input: { commandId: string; customerId: string; points: number; reason: string },
  ): { oldBalance: number; newBalance: number } {
    const now = this.deps.clock();
    return applyCommand(
      this.db,
      { commandId: input.commandId, name: ADJUST_ACTION, actorId: actor.id },
      () => {
        this.requireCustomer(input.customerId);
        const oldBalance = rewardsBalance(this.db, input.customerId);
        const newBalance = oldBalance + input.points;
        if (newBalance < 0) throw new CoreError('conflict', `The customer has ${oldBalance} points: take away at most ${oldBalance}.`);
        insertLedgerRow(this.db, {
          customerId: input.customerId,
          kind: 'adjust',
          points: input.points,
          saleId: null,
          cents: null,
          reason: input.reason,
          employeeId: actor.id,
          approvedBy: approver.approverId,
          at: now,
        });
        return {
          result: { oldBalance, newBalance },
          audit: {
            customerId: input.customerId,
            details: { oldBalance, newBalance, points: input.points, reason: input.reason, approverId: approver.approverId, approverName: approver.approverName },
          },
        };
      },
      now,
    ).result;
  }

  /** A retried adjustment: its first answer, without asking for the (already used) grant again. */
  appliedAdjustment(commandId: string): { oldBalance: number; newBalance: number } | null {
    return appliedCommandResult<{ oldBalance: number; newBalance: number }>(this.db, commandId)?.result ?? null;
  }

  /** The customer's display name; not_found when there is no such profile. */
  private requireCustomer(customerId: string): string {
    const row = this.db.prepare('SELECT first_name, last_name, nickname FROM customers WHERE id = ?').get(customerId) as
      | { first_name: string; last_name: string; nickname: string | null }
      | undefined;
    if (!row) throw new CoreError('not_found', 'That customer profile no longer exists: search again.');
    return displayName(row.first_name, row.last_name, row.nickname);
  }
}
