import { WeclickError } from '../ui/errors.js';
import { EXIT } from '../ui/exit-codes.js';
import type { PendingAction } from './pending.js';
import type { WorkerReport } from './propagate.js';
import { nowSeconds, statusAfter, type UserRecord } from './repository.js';
import { MAX_EXPIRE } from './units.js';
import { propagateUsers, type UsersContext } from './users-context.js';

export interface ChangeResult {
  user: UserRecord;
  propagation: WorkerReport[];
}

type Updates = (user: UserRecord) => Record<string, unknown>;

/** One user change: the row, its queue rows, one transaction; then every worker is asked to apply it. */
export async function changeUser(ctx: UsersContext, username: string, updates: Updates, action: PendingAction = 'refresh'): Promise<ChangeResult> {
  const user = await ctx.repo.change(username, ctx.workers, (u) => updates(u), action);
  return { user, propagation: await propagateUsers(ctx, [username]) };
}

export const disableUpdates: Updates = () => ({ status: 'disabled' });

/** Back to what the numbers say: on hold if it never started, else expired, limited or active. */
export const enableUpdates: Updates = (user) => {
  if (user.status !== 'disabled') return {};
  if (user.onHoldSeconds && !user.expire) return { status: 'on_hold' };
  return { status: statusAfter({ status: 'active', usedTraffic: user.usedTraffic }, user.dataLimit, user.expire, nowSeconds()) };
};

export function extendUpdates(days: number): Updates {
  return (user) => {
    const seconds = days * 86400;
    if (user.status === 'on_hold' || (user.onHoldSeconds && !user.expire)) return { on_hold_expire_duration: (user.onHoldSeconds ?? 0) + seconds };
    if (!user.expire) throw new WeclickError(`${user.username} never expires: give it an expiry with \`weclick users set ${user.username} --expire 30d\``, { exitCode: EXIT.badInput });
    const now = nowSeconds();
    const expire = Math.max(user.expire, now) + seconds;
    if (expire > MAX_EXPIRE) throw new WeclickError('the new expiry is after 2038-01-19T03:14:07Z, the last moment Marzban can store', { exitCode: EXIT.badInput });
    return { expire, status: statusAfter(user, user.dataLimit, expire, now) };
  };
}

export interface SetFields {
  dataLimit?: number | null;
  expire?: number | null;
  reset?: string;
  note?: string | null;
}

export function setUpdates(fields: SetFields): Updates {
  return (user) => {
    const out: Record<string, unknown> = {};
    const dataLimit = fields.dataLimit !== undefined ? fields.dataLimit : user.dataLimit;
    const expire = fields.expire !== undefined ? fields.expire : user.expire;
    if (fields.dataLimit !== undefined) out.data_limit = fields.dataLimit;
    if (fields.expire !== undefined) {
      out.expire = fields.expire;
      // An explicit expiry ends the hold (Marzban refuses both at once).
      if (user.status === 'on_hold' && fields.expire) Object.assign(out, { on_hold_expire_duration: null, on_hold_timeout: null, status: 'active' });
    }
    if (fields.reset !== undefined) out.data_limit_reset_strategy = fields.reset;
    if (fields.note !== undefined) out.note = fields.note;
    const status = statusAfter({ status: (out.status as UserRecord['status']) ?? user.status, usedTraffic: user.usedTraffic }, dataLimit, expire, nowSeconds());
    if (status !== user.status) out.status = status;
    return out;
  };
}
