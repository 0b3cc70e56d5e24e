import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { adminToken, readSubscriptionToken, subscriptionToken, subscriptionUrl } from '../../../src/users/token.js';

// Vectors worked out from Marzban v0.8.4 app/utils/jwt.py create_subscription_token, step by step (computed with
// Python's base64/hashlib, independently of the code under test):
//
// 1) username "alice", time 1700000000, secret "0" * 64
//    data      = "alice,1700000000"
//    data_b64  = urlsafe_b64("alice,1700000000") without "=" = "YWxpY2UsMTcwMDAwMDAwMA"
//    sha256("YWxpY2UsMTcwMDAwMDAwMA" + "000…0") = 3a88b83ac15ba5e5c3b2ae9c9cf3019181045b6b091fbd1fa58f280a335eece4
//    urlsafe_b64(digest) = "Ooi4OsFbpeXDsq6cnPMBkYEEW2sJH70fpY8oCjNe7OQ=" → first 10: "Ooi4OsFbpe"
//    token     = "YWxpY2UsMTcwMDAwMDAwMA" + "Ooi4OsFbpe"
//
// 2) username "user_123", time 1735689600.2 (ceil → 1735689601), secret a3f1…6778
//    data_b64  = "dXNlcl8xMjMsMTczNTY4OTYwMQ"
//    sha256 = 88ff3409ac45b1d7dcde3bb67475140d4a873c0c242c66d98b5a06f939c2bad7 → "iP80CaxFsd"
//
// 3) username "ab_", time 1690000000, secret "secret": the signature starts with "_" and holds a "-"
//    (URL-safe alphabet, not "/" and "+"): data_b64 "YWJfLDE2OTAwMDAwMDA", sha256 fecf8a79… → "_s-KedHgOj"
const VECTORS = [
  { username: 'alice', time: 1700000000, secret: '0'.repeat(64), token: 'YWxpY2UsMTcwMDAwMDAwMAOoi4OsFbpe' },
  { username: 'user_123', time: 1735689600.2, secret: 'a3f1c2d4e5b6a7980112233445566778899aabbccddeeff00112233445566778', token: 'dXNlcl8xMjMsMTczNTY4OTYwMQiP80CaxFsd' },
  { username: 'ab_', time: 1690000000, secret: 'secret', token: 'YWJfLDE2OTAwMDAwMDA_s-KedHgOj' },
];

describe('subscription token (Marzban create_subscription_token)', () => {
  it.each(VECTORS)('$username at $time', ({ username, time, secret, token }) => {
    expect(subscriptionToken(username, secret, time)).toBe(token);
  });

  it('reads back the name and the rounded-up time, as get_subscription_payload does', () => {
    expect(readSubscriptionToken(VECTORS[1]!.token, VECTORS[1]!.secret)).toEqual({ username: 'user_123', issuedAt: 1735689601 });
  });

  it('rejects a token signed with another secret, a tampered one, and anything shorter than 15 characters', () => {
    const { token, secret } = VECTORS[0]!;
    expect(readSubscriptionToken(token, 'f'.repeat(64))).toBeUndefined();
    expect(readSubscriptionToken(`YWxpY2UsMTcwMDAwMDAwMQ${token.slice(-10)}`, secret)).toBeUndefined();
    expect(readSubscriptionToken('short', secret)).toBeUndefined();
  });

  it('builds the URL as prefix/sub/token without doubling slashes', () => {
    expect(subscriptionUrl('https://podpiska.example.org/', 'TOKEN')).toBe('https://podpiska.example.org/sub/TOKEN');
  });
});

describe('admin token (Marzban create_admin_token, HS256)', () => {
  it('is a compact JWT signed with the jwt secret, carrying sub, access sudo, iat and a short exp', () => {
    const token = adminToken('weclick', 'k'.repeat(64), 1700000000.9, 300);
    const [head, payload, signature] = token.split('.');
    expect(head).toBe('eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9'); // the header Marzban's legacy-token check matches
    expect(JSON.parse(Buffer.from(payload!, 'base64url').toString())).toEqual({ sub: 'weclick', access: 'sudo', iat: 1700000000, exp: 1700000300 });
    expect(signature).toBe(createHmac('sha256', 'k'.repeat(64)).update(`${head}.${payload}`).digest('base64url'));
  });
});
