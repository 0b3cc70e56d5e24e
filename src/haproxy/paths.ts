/** Where HAProxy's files live on the entry point (Debian's layout). */
export const HAPROXY = {
  config: '/etc/haproxy/haproxy.cfg',
  socket: '/run/haproxy/admin.sock',
  stateFile: '/var/lib/haproxy/server-state',
  pidFile: '/run/haproxy.pid',
  frontend: 'vpn',
  backend: 'workers',
} as const;
