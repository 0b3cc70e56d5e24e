import { serviceHostnames } from '../../fleet/service-names.js';
import { selfSignedCertificateStep } from './certificate.js';
import { fileStep, sha256 } from '../steps/file.js';
import { blockedStep, skipStep } from '../steps/note.js';
import type { Step } from '../step.js';
import { dockerStep } from './docker.js';
import type { RoleInput } from './input.js';
import { composeUpStep, MARZBAN_DATA, MARZBAN_DIR, marzbanEnvContext, renderXray, XRAY_CONFIG } from './marzban.js';

export const PANEL_CERT_DIR = `${MARZBAN_DATA}/certs`;

/**
 * The management server: the central MySQL (mysql role) bound to its own address, and the Marzban panel
 * (management / subscription roles) serving subscriptions over TLS at the podpiska name, on the same database.
 */
export function managementRole(input: RoleInput): Step[] {
  const { server, inventory, settings, secrets, templates } = input;
  const host = server.name;
  const withMysql = server.roles.includes('mysql');
  const withPanel = server.roles.includes('management') || server.roles.includes('subscription');
  const image = inventory.fleet.marzban?.image;
  if (withPanel && !image) return [blockedStep(host, 'management', 'marzban:image', 'fleet.marzban.image is not set: pin the Marzban image (e.g. gozargah/marzban:v0.8.4) in the inventory')];
  const names = serviceHostnames(inventory);
  const compose = templates.render('management/docker-compose.yml.hbs', {
    mysqlImage: settings.mysqlImage,
    marzbanImage: image ?? 'none',
    bindAddress: server.ipv4,
    mysqlPort: inventory.fleet.mysql.port,
    database: inventory.fleet.mysql.database,
    withMysql,
    withPanel,
  });
  const steps: Step[] = [dockerStep(host, 'management'), fileStep({ host, role: 'management', path: `${MARZBAN_DIR}/docker-compose.yml`, content: compose, mode: 0o644, owner: 'root' })];
  const hashed = [compose];
  const wanted: Array<{ name: string; image: string }> = [];

  if (withMysql) {
    const mysqlEnv = templates.render('management/mysql.env.hbs', { rootPassword: secrets.mysqlRootPassword, database: inventory.fleet.mysql.database });
    steps.push(fileStep({ host, role: 'management', path: `${MARZBAN_DIR}/mysql.env`, content: mysqlEnv, mode: 0o600, owner: 'root', sensitive: true }));
    hashed.push(mysqlEnv);
    wanted.push({ name: 'weclick-mysql', image: settings.mysqlImage });
  }
  if (withPanel) {
    const env = marzbanEnvContext(inventory, server, secrets, {
      uvicornHost: server.ipv4,
      uvicornPort: settings.panelPort,
      // The panel runs beside the database when this server holds both roles.
      dbHost: withMysql ? server.ipv4 : names.mysql,
      ssl: { certFile: `${PANEL_CERT_DIR}/${names.subscription}.crt`, keyFile: `${PANEL_CERT_DIR}/${names.subscription}.key` },
      telegram: true,
    });
    if (typeof env === 'string') return [blockedStep(host, 'management', 'marzban:account', env)];
    const envFile = templates.render('marzban/env.hbs', env);
    const xray = renderXray(input);
    if (typeof xray !== 'string') return [xray];
    steps.push(
      fileStep({ host, role: 'management', path: `${MARZBAN_DIR}/.env`, content: envFile, mode: 0o600, owner: 'root', sensitive: true }),
      fileStep({ host, role: 'management', path: XRAY_CONFIG, content: xray, mode: 0o600, owner: 'root', sensitive: true }),
      panelCertificateStep(host, names.subscription),
    );
    hashed.push(envFile, xray);
    wanted.push({ name: 'marzban', image: image! });
  }
  steps.push(composeUpStep(host, 'management', 'marzban', wanted, sha256(hashed.join('\0'))));
  steps.push(
    skipStep(
      host,
      'management',
      'mysql:accounts',
      'per-server MySQL accounts',
      'created, rotated and revoked by `weclick db grant|rotate|revoke`; provisioning reads them from the secrets file (src/provision/ports.ts)',
    ),
  );
  return steps;
}

/**
 * A certificate for the subscription site so the panel can start with TLS: self-signed when there is none
 * (fine behind Cloudflare's proxy in "Full" mode); a real certificate put there later is never overwritten.
 */
function panelCertificateStep(host: string, name: string): Step {
  const crt = `${PANEL_CERT_DIR}/${name}.crt`;
  return selfSignedCertificateStep({
    host,
    role: 'management',
    id: 'panel:certificate',
    describe: `TLS certificate for ${name}`,
    crt,
    key: `${PANEL_CERT_DIR}/${name}.key`,
    commonName: name,
    altName: `DNS:${name}`,
    days: 825,
    bits: 2048,
    summary: `create a self-signed certificate for ${name} (replace it with a real one at ${crt} any time)`,
  });
}
