import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

// Marzban v0.8.4 app/utils/jwt.py, create_subscription_token / get_subscription_payload:
//   data      = "<username>,<ceil(unix time)>"
//   data_b64  = urlsafe_b64encode(utf8(data)) with the '=' padding stripped
//   signature = urlsafe_b64encode(sha256(utf8(data_b64 + jwt.secret_key)))[:10]
//   token     = data_b64 + signature
// Any instance sharing the database (workers, podpiska) checks it with the same secret, so a token weclick
// makes is accepted everywhere; Marzban answers 404 unless users.created_at <= time and sub_revoked_at <= time.

const b64url = (bytes: Buffer) => bytes.toString('base64').replaceAll('+', '-').replaceAll('/', '_');

export function subscriptionToken(username: string, secretKey: string, unixSeconds: number): string {
  const data = b64url(Buffer.from(`${username},${Math.ceil(unixSeconds)}`, 'utf8')).replace(/=+$/, '');
  const signature = b64url(createHash('sha256').update(data + secretKey, 'utf8').digest()).slice(0, 10);
  return data + signature;
}

/** The username and time inside a token, when its signature matches (what Marzban checks before the DB). */
export function readSubscriptionToken(token: string, secretKey: string): { username: string; issuedAt: number } | undefined {
  if (token.length < 15) return undefined;
  const data = token.slice(0, -10);
  const expected = Buffer.from(b64url(createHash('sha256').update(data + secretKey, 'utf8').digest()).slice(0, 10));
  const given = Buffer.from(token.slice(-10));
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  const text = Buffer.from(data.replaceAll('-', '+').replaceAll('_', '/'), 'base64').toString('utf8');
  const [username, time] = text.split(',');
  if (!username || !/^\d+$/.test(time ?? '')) return undefined;
  return { username, issuedAt: Number(time) };
}

/** https://<subscription host>/sub/<token>, Marzban's XRAY_SUBSCRIPTION_URL_PREFIX + "/" + path + "/" + token. */
export function subscriptionUrl(prefix: string, token: string, path = 'sub'): string {
  return `${prefix.replace(/\/+$/, '')}/${path}/${token}`;
}

/**
 * An admin bearer token as Marzban's create_admin_token makes it (PyJWT HS256, {sub, access, iat, exp}) for an
 * admin row in the shared database. Short-lived on purpose: weclick mints one per run from jwt.secret_key.
 */
export function adminToken(admin: string, secretKey: string, nowSeconds: number, ttlSeconds = 300): string {
  const part = (value: object) => b64url(Buffer.from(JSON.stringify(value), 'utf8')).replace(/=+$/, '');
  const head = `${part({ alg: 'HS256', typ: 'JWT' })}.${part({ sub: admin, access: 'sudo', iat: Math.floor(nowSeconds), exp: Math.floor(nowSeconds) + ttlSeconds })}`;
  return `${head}.${b64url(createHmac('sha256', secretKey).update(head).digest()).replace(/=+$/, '')}`;
}
