import { servingHolders } from '../../fleet/serving.js';
import { serviceHostnames } from '../../fleet/service-names.js';
import type { Inventory, Server } from '../../inventory/schema.js';
import type { MarzbanEnvContext, XrayContext } from '../context.js';
import type { ProvisionSettings } from '../settings.js';
import { activationStep } from '../steps/activate.js';
import { fileStep, sha256 } from '../steps/file.js';
import { blockedStep } from '../steps/note.js';
import type { ProvisionSecrets } from '../secrets.js';
import type { Step } from '../step.js';
import { COMPOSE_FUNCTION, DOCKER_PS_PROBE, dockerStep, isUp, waitUpLine } from './docker.js';
import type { RoleInput } from './input.js';

export const MARZBAN_DIR = '/opt/marzban';
export const MARZBAN_DATA = '/var/lib/marzban';
export const XRAY_CONFIG = `${MARZBAN_DATA}/xray_config.json`;

/** Marzban's job intervals (seconds), its defaults: every instance runs them (A8, A10 of the reference). */
export const JOB_INTERVALS = { coreHealthCheck: 10, recordUserUsages: 10, recordNodeUsages: 30, reviewUsers: 10, sendNotifications: 30 };

/** The fleet's shared inbounds: identical on every instance, so any worker serves any user. */
export function xrayContext(settings: ProvisionSettings, secrets: ProvisionSecrets): XrayContext {
  return { port: settings.xrayPort, dest: `${settings.realitySni}:443`, sni: settings.realitySni, privateKey: secrets.reality.privateKey, shortIds: secrets.reality.shortIds };
}

/** The .env of a Marzban instance on the shared database, with this server's own account. */
export function marzbanEnvContext(
  inventory: Inventory,
  server: Server,
  secrets: ProvisionSecrets,
  options: { uvicornHost: string; uvicornPort: number; dbHost: string; ssl: MarzbanEnvContext['ssl']; telegram: boolean },
): MarzbanEnvContext | string {
  const account = secrets.accounts[server.name];
  if (!account) return `${server.name} has no MySQL account yet: create it with \`weclick db grant ${server.name}\` (it stores the password in the secrets file), then run provision again`;
  return {
    server: server.name,
    uvicornHost: options.uvicornHost,
    uvicornPort: options.uvicornPort,
    db: { user: account.user, password: account.password, host: options.dbHost, port: inventory.fleet.mysql.port, name: inventory.fleet.mysql.database },
    subscriptionUrlPrefix: `https://${serviceHostnames(inventory).subscription}`,
    jobs: JOB_INTERVALS,
    ssl: options.ssl,
    telegram: options.telegram && secrets.telegramBotToken ? { token: secrets.telegramBotToken } : false,
  };
}

/**
 * `NAME:ADDRESS` pinning the fleet's MySQL name to the server holding the mysql role, for the worker's container;
 * none when fleet.mysql.host names a database outside the inventory.
 */
export function databasePin(inventory: Inventory): string | undefined {
  if (inventory.fleet.mysql.host) return undefined;
  const holders = servingHolders(inventory.servers, 'mysql');
  return holders.length === 1 ? `${serviceHostnames(inventory).mysql}:${holders[0]!.ipv4}` : undefined;
}

/** A worker: Docker, the compose file with the pinned image, .env, the shared xray config, compose up, health. */
export function marzbanRole(input: RoleInput): Step[] {
  const { server, inventory, secrets, templates } = input;
  const host = server.name;
  const image = inventory.fleet.marzban?.image;
  if (!image) return [blockedStep(host, 'marzban', 'marzban:image', 'fleet.marzban.image is not set: pin the Marzban image (e.g. gozargah/marzban:v0.8.4) in the inventory')];
  const env = marzbanEnvContext(inventory, server, secrets, {
    // The panel of a worker stays on loopback; weclick reaches it through SSH.
    uvicornHost: '127.0.0.1',
    uvicornPort: 8000,
    dbHost: serviceHostnames(inventory).mysql,
    ssl: false,
    telegram: false,
  });
  if (typeof env === 'string') return [blockedStep(host, 'marzban', 'marzban:account', env)];

  const compose = templates.render('marzban/docker-compose.yml.hbs', { image, dbPin: databasePin(inventory) });
  const envFile = templates.render('marzban/env.hbs', env);
  const xray = renderXray(input);
  if (typeof xray !== 'string') return [xray];
  return [
    dockerStep(host, 'marzban'),
    fileStep({ host, role: 'marzban', path: `${MARZBAN_DIR}/docker-compose.yml`, content: compose, mode: 0o644, owner: 'root' }),
    fileStep({ host, role: 'marzban', path: `${MARZBAN_DIR}/.env`, content: envFile, mode: 0o600, owner: 'root', sensitive: true }),
    fileStep({ host, role: 'marzban', path: XRAY_CONFIG, content: xray, mode: 0o600, owner: 'root', sensitive: true }),
    composeUpStep(host, 'marzban', 'marzban', [{ name: 'marzban', image }], sha256([compose, envFile, xray].join('\0'))),
  ];
}

export function renderXray(input: RoleInput): string | Step {
  const xray = input.templates.render('marzban/xray_config.json.hbs', xrayContext(input.settings, input.secrets));
  try {
    JSON.parse(xray);
    return xray;
  } catch (error) {
    return blockedStep(input.server.name, 'marzban', `file:${XRAY_CONFIG}`, `${XRAY_CONFIG}: the template renders invalid JSON (${(error as Error).message})`);
  }
}

/**
 * `docker compose -p PROJECT up -d` when the files changed since the last successful up (a marker records it),
 * or when a container is not running; then waits until every container is up (the health check).
 */
export function composeUpStep(host: string, role: 'marzban' | 'management', project: string, wanted: Array<{ name: string; image: string }>, hash: string): Step {
  return activationStep({
    host,
    role,
    id: `compose:${project}`,
    describe: `docker compose -p ${project} up -d`,
    marker: `compose-${project}`,
    hash,
    probes: [DOCKER_PS_PROBE],
    running: (facts) => wanted.every((c) => isUp(facts, c.name, c.image)),
    summary: (reason) => `docker compose -p ${project} up -d (${reason === 'changed' ? 'configuration changed' : `${wanted.map((c) => c.name).join(', ')} not running`})`,
    script: (reason) =>
      [
        'set -e',
        COMPOSE_FUNCTION,
        `cd ${MARZBAN_DIR}`,
        // Xray reads xray_config.json only at start: a changed file needs the container recreated.
        `dc -f docker-compose.yml -p ${project} up -d --remove-orphans${reason === 'changed' ? ' --force-recreate' : ''}`,
        waitUpLine(wanted.map((c) => c.name)),
      ].join('\n'),
  });
}
