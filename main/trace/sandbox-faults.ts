/**
 * The fault plan both track-and-trace sandboxes share: rules that fire on the Nth call of a target
 * (a BioTrack action, a Metrc route) or on the next N matching calls, and random faults from a seed
 * so a chaos run replays exactly. Each sandbox says how a rule's pattern matches a call.
 */

/** mulberry32: small, fast, and the same sequence for the same seed everywhere. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface FaultRuleInput<K extends string> {
  /** The pattern the sandbox matches against a call ("*" for any). */
  target: string;
  fault: K;
  /** Fire on the Nth call of the target (counted from the last reset), once. */
  nth?: number | undefined;
  /** Without nth: fire on the next `times` matching calls (0 = every call). */
  times: number;
  delayMs?: number | undefined;
}

export interface RandomFaultsInput<K extends string> {
  seed: number;
  /** Probability that a call gets a fault. */
  rate: number;
  kinds: K[];
  /** Patterns the random faults apply to (default: every call "*" matches). */
  targets?: string[] | undefined;
  delayMs?: number | undefined;
}

interface ActiveRule<K extends string> {
  target: string;
  fault: K;
  nth?: number | undefined;
  remaining: number; // Infinity for "every call"
  delayMs?: number | undefined;
}

export interface PickedFault<K extends string> {
  fault: K;
  delayMs?: number | undefined;
}

export class FaultPlan<K extends string> {
  private rules: Array<ActiveRule<K>> = [];
  private random: (RandomFaultsInput<K> & { next: () => number }) | null = null;
  private counts: Record<string, number> = {};

  /** `matches(pattern, call)`: does a rule's pattern cover this call? */
  constructor(private readonly matches: (pattern: string, call: string) => boolean) {}

  /** Counts one call of `call`; returns its number (1 for the first since the last reset). */
  count(call: string): number {
    this.counts[call] = (this.counts[call] ?? 0) + 1;
    return this.counts[call];
  }

  /** The fault this call gets, if any: the first live rule that matches, else a random draw. */
  pick(call: string): PickedFault<K> | null {
    const count = this.counts[call] ?? 0;
    for (const rule of this.rules) {
      if (!this.matches(rule.target, call)) continue;
      if (rule.nth !== undefined) {
        if (rule.nth !== count || rule.remaining <= 0) continue;
      } else if (rule.remaining <= 0) continue;
      rule.remaining -= 1;
      return { fault: rule.fault, delayMs: rule.delayMs };
    }
    const random = this.random;
    const covered = random?.targets ? random.targets.some((pattern) => this.matches(pattern, call)) : this.matches('*', call);
    if (random && covered && random.next() < random.rate) {
      return { fault: random.kinds[Math.floor(random.next() * random.kinds.length)]!, delayMs: random.delayMs };
    }
    return null;
  }

  add(rules: Array<FaultRuleInput<K>>): void {
    for (const rule of rules) {
      const remaining = rule.nth !== undefined ? 1 : rule.times === 0 ? Infinity : rule.times;
      this.rules.push({ target: rule.target, fault: rule.fault, nth: rule.nth, remaining, delayMs: rule.delayMs });
    }
  }

  setRandom(random: RandomFaultsInput<K> | null): void {
    this.random = random ? { ...random, next: seededRandom(random.seed) } : null;
  }

  /** Drops every rule and the random faults; call counts stay. */
  clear(): void {
    this.rules = [];
    this.random = null;
  }

  /** Back to no faults and no calls counted. */
  reset(): void {
    this.clear();
    this.counts = {};
  }

  calls(): Record<string, number> {
    return { ...this.counts };
  }

  /** For the harness's /__state: the live rules (each pattern under `key`) and the random settings. */
  describe(key: string): { rules: Array<Record<string, unknown>>; random: Omit<RandomFaultsInput<K>, never> | null } {
    const rules = this.rules.map(({ target, ...rest }) => ({ [key]: target, ...rest }));
    if (!this.random) return { rules, random: null };
    const { next: _next, ...random } = this.random;
    return { rules, random };
  }
}
