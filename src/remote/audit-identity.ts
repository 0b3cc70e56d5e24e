import { hostname, userInfo } from 'node:os';

/** Who is acting, for audit lines and locks: operator@machine. */
export function auditIdentity(): string {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    user = process.env.USER ?? 'unknown';
  }
  return `${user}@${hostname()}`;
}
