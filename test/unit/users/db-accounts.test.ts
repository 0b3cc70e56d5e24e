import { describe, expect, it } from 'vitest';
import { accountName, accountPlan, grantStatements, grantsMatch, newAccountPassword } from '../../../src/users/db-accounts.js';

describe('per-worker MySQL accounts', () => {
  it('names stay within 32 characters and stay distinct', () => {
    expect(accountName('srv1')).toBe('mz_srv1');
    expect(accountName('de-fra-1')).toBe('mz_de_fra_1');
    const long = accountName('a'.repeat(40));
    expect(long).toHaveLength(32);
    expect(long).not.toBe(accountName(`${'a'.repeat(39)}b`));
  });

  it('passwords carry 192 random bits in URL-safe characters', () => {
    const a = newAccountPassword();
    expect(a).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(a).not.toBe(newAccountPassword());
  });

  it('plans DML on the Marzban database only, from the worker address only', () => {
    const plan = accountPlan({ name: 'srv1', ipv4: '192.0.2.11' });
    expect(plan).toEqual({ server: 'srv1', user: 'mz_srv1', host: '192.0.2.11', privileges: ['SELECT', 'INSERT', 'UPDATE', 'DELETE'] });
    expect(grantStatements(plan, 'marzban', (id) => `\`${id}\``)).toEqual([
      { sql: 'REVOKE ALL PRIVILEGES, GRANT OPTION FROM ?@?', values: ['mz_srv1', '192.0.2.11'] },
      { sql: 'GRANT SELECT, INSERT, UPDATE, DELETE ON `marzban`.* TO ?@?', values: ['mz_srv1', '192.0.2.11'] },
    ]);
    expect(accountPlan({ name: 'srv1', ipv4: '192.0.2.11' }, { migrations: true }).privileges).toContain('ALTER');
  });

  it('checks live grants: exactly the plan, nothing elsewhere', () => {
    const plan = accountPlan({ name: 'srv1', ipv4: '192.0.2.11' });
    const usage = "GRANT USAGE ON *.* TO `mz_srv1`@`192.0.2.11` IDENTIFIED BY PASSWORD '*X'";
    expect(grantsMatch([usage, 'GRANT SELECT, INSERT, UPDATE, DELETE ON `marzban`.* TO `mz_srv1`@`192.0.2.11`'], plan, 'marzban')).toBe(true);
    expect(grantsMatch([usage, 'GRANT ALL PRIVILEGES ON `marzban`.* TO `mz_srv1`@`192.0.2.11`'], plan, 'marzban')).toBe(false);
    expect(grantsMatch([usage, 'GRANT SELECT, INSERT, UPDATE, DELETE ON `marzban`.* TO `mz_srv1`@`192.0.2.11`', 'GRANT SELECT ON `mysql`.* TO `mz_srv1`@`192.0.2.11`'], plan, 'marzban')).toBe(false);
  });
});
