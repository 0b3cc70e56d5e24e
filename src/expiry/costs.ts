import type { Inventory } from '../inventory/schema.js';
import { daysBetween } from './calendar-day.js';

export interface ProviderCost {
  provider: string;
  currency: string;
  servers: number;
  monthly: number;
}

export interface DueRenewal {
  name: string;
  provider: string;
  expires: string;
  daysLeft: number;
  amount: number;
  currency: string;
}

export interface CostReport {
  today: string;
  byProvider: ProviderCost[];
  totals: Array<{ currency: string; monthly: number }>;
  due: DueRenewal[];
  dueTotals: Array<{ currency: string; amount: number }>;
  /** Servers in service with no price recorded: the totals leave them out. */
  unpriced: string[];
}

const round = (n: number) => Math.round(n * 100) / 100;

/** Monthly spend per provider and currency, and the renewals due within `window` days. */
export function computeCosts(inventory: Inventory, options: { today: string; window: number }): CostReport {
  const inService = inventory.servers.filter((s) => s.state !== 'retired');
  const byKey = new Map<string, ProviderCost>();
  for (const s of inService) {
    if (!s.price) continue;
    const key = `${s.provider}\u0000${s.price.currency}`;
    const row = byKey.get(key) ?? { provider: s.provider, currency: s.price.currency, servers: 0, monthly: 0 };
    row.servers += 1;
    row.monthly = round(row.monthly + s.price.monthly);
    byKey.set(key, row);
  }
  const byProvider = [...byKey.values()].sort((a, b) => a.provider.localeCompare(b.provider) || a.currency.localeCompare(b.currency));
  const due = inService
    .filter((s) => s.price && daysBetween(options.today, s.expires) <= options.window)
    .map((s) => ({
      name: s.name,
      provider: s.provider,
      expires: s.expires,
      daysLeft: daysBetween(options.today, s.expires),
      amount: s.price!.monthly,
      currency: s.price!.currency,
    }))
    .sort((a, b) => a.daysLeft - b.daysLeft || a.name.localeCompare(b.name));
  return {
    today: options.today,
    byProvider,
    totals: sumBy(byProvider, (r) => [r.currency, r.monthly]).map(([currency, monthly]) => ({ currency, monthly })),
    due,
    dueTotals: sumBy(due, (r) => [r.currency, r.amount]).map(([currency, amount]) => ({ currency, amount })),
    unpriced: inService.filter((s) => !s.price).map((s) => s.name),
  };
}

function sumBy<T>(rows: T[], pick: (row: T) => [string, number]): Array<[string, number]> {
  const sums = new Map<string, number>();
  for (const row of rows) {
    const [currency, amount] = pick(row);
    sums.set(currency, round((sums.get(currency) ?? 0) + amount));
  }
  return [...sums.entries()].sort(([a], [b]) => a.localeCompare(b));
}
