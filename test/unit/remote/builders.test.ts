import { EventEmitter } from 'node:events';
import type { Client } from 'ssh2';
import { describe, expect, it } from 'vitest';
import { installCommand, statCommand } from '../../../src/remote/files.js';
import { acquireLockCommand, auditCommand, lockStatusCommand, parseLockDetails, releaseLockCommand } from '../../../src/remote/lock.js';
import { HostSession } from '../../../src/remote/session.js';
import type { HostTarget } from '../../../src/remote/target.js';

const target = (user: string): HostTarget => ({ name: 'srv1', hostname: 'srv1.weclick.tech', address: '198.51.100.21', port: 22, user });
const session = (user: string) => new HostSession(target(user), new EventEmitter() as unknown as Client, 1);

describe('remote command builders (exact strings, like Kamal)', () => {
  it('wraps a command in timeout (kills the process group) and in sudo -n only for non-root users', () => {
    expect(session('root').commandFor(['uptime'])).toBe('uptime');
    expect(session('root').commandFor(['sleep', '5'], { timeoutMs: 1500, sudo: true })).toBe('timeout -k 2 2 sleep 5');
    expect(session('deploy').commandFor(['id', '-u'], { sudo: true })).toBe('sudo -n -- id -u');
    expect(session('deploy').commandFor(['cat', "/etc/it's"], { sudo: true, timeoutMs: 10_000 })).toBe("sudo -n -- timeout -k 2 10 cat '/etc/it'\\''s'");
  });

  it('builds the lock as an atomic mkdir with base64 details, and reads them back', () => {
    const details = { by: 'ops@laptop', command: 'weclick provision', at: '2026-11-26T10:00:00.000Z', pid: 42, message: "it's $(late)" };
    const line = acquireLockCommand(details);
    const encoded = Buffer.from(JSON.stringify(details)).toString('base64');
    expect(line).toBe(`mkdir -p /var/lib/weclick && mkdir /var/lib/weclick/lock && sh -c 'printf %s "$1" > /var/lib/weclick/lock/details' sh ${encoded}`);
    expect(parseLockDetails(`${encoded}\n`)).toEqual(details);
    expect(parseLockDetails('')).toBeNull();
    expect(lockStatusCommand()).toBe('cat /var/lib/weclick/lock/details 2>/dev/null || true');
    expect(releaseLockCommand()).toBe('rm -rf /var/lib/weclick/lock');
  });

  it('passes the audit text as an argument, never as shell code, on one line', () => {
    expect(auditCommand("who ran `rm -rf /`; $(x)\nnext")).toBe(
      "mkdir -p /var/log/weclick && sh -c 'printf '\\''%s\\n'\\'' \"$1\" >> /var/log/weclick/audit.log' sh 'who ran `rm -rf /`; $(x) next'",
    );
  });

  it('stats and installs files through quoted paths, via a temp file renamed into place', () => {
    expect(statCommand('/etc/haproxy/haproxy.cfg')).toBe(
      "if [ -e /etc/haproxy/haproxy.cfg ]; then sha256sum /etc/haproxy/haproxy.cfg | cut -d' ' -f1; stat -c '%a %U:%G' /etc/haproxy/haproxy.cfg; else echo MISSING; fi",
    );
    expect(installCommand({ path: '/opt/marzban/.env', content: 'x', mode: 0o600, owner: 'root' }, '/opt/marzban/.env.weclick-ab12')).toBe(
      "mkdir -p /opt/marzban && sh -c 'umask 077 && cat > \"$1\"' sh /opt/marzban/.env.weclick-ab12 && chmod 0600 /opt/marzban/.env.weclick-ab12 && chown root:root /opt/marzban/.env.weclick-ab12 && mv -f /opt/marzban/.env.weclick-ab12 /opt/marzban/.env",
    );
  });
});
