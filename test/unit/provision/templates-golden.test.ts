// Golden files for every rendered template, through the roles that render them (the real typed contexts).
// Regenerate after an intended change: UPDATE_GOLDEN=1 npx vitest run test/unit/provision/templates-golden.test.ts
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { stepsForServer } from '../../../src/provision/roles/index.js';
import { loadTemplates, TEMPLATE_NAMES, type TemplateSet } from '../../../src/provision/templates.js';
import { REPO } from '../../helpers/cli.js';
import { FLEET_YAML, inventoryFrom, SECRETS, SETTINGS } from './fixture.js';

const GOLDEN = join(REPO, 'test/fixtures/golden/provision');
let templates: TemplateSet;

beforeAll(async () => {
  templates = await loadTemplates();
});

/** Every file a host's roles write, path → content. */
function renderedFiles(yaml: string, host: string): Map<string, string> {
  const inventory = inventoryFrom(yaml);
  const server = inventory.servers.find((s) => s.name === host)!;
  const steps = stepsForServer({ inventory, server, settings: SETTINGS, secrets: SECRETS, templates });
  const blocked = steps.filter((s) => s.check({ serviceManager: 'none', files: new Map(), packages: new Map(), runs: new Map() }, { namespaceTestHost: false }).kind === 'blocked' && s.spec.kind === 'note');
  expect(blocked.map((s) => s.describe)).toEqual([]);
  return new Map(steps.flatMap((s) => (s.spec.kind === 'file' ? [[s.spec.path, s.spec.content] as const] : [])));
}

function compare(name: string, content: string): void {
  const file = join(GOLDEN, name);
  if (process.env.UPDATE_GOLDEN === '1' || !existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, content);
  }
  expect(content, `golden file ${file} (UPDATE_GOLDEN=1 to accept an intended change)`).toBe(readFileSync(file, 'utf8'));
}

const HOSTS = ['mngmt', 'go', 'srv1', 'srv2'];

describe('golden files for every rendered template', () => {
  for (const host of HOSTS) {
    it(`${host}: every file its roles write matches its golden file`, () => {
      const files = renderedFiles(FLEET_YAML, host);
      expect(files.size).toBeGreaterThan(3);
      for (const [path, content] of files) compare(`${host}${path}`, content);
    });
  }

  it('sshd hardening for a non-root SSH user forbids root logins altogether', () => {
    const yaml = FLEET_YAML.replace('fleet:\n', 'fleet:\n  ssh: { user: deploy }\n');
    const content = renderedFiles(yaml, 'srv1').get('/etc/ssh/sshd_config.d/10-weclick.conf')!;
    compare('srv1-deploy/etc/ssh/sshd_config.d/10-weclick.conf', content);
    expect(content).toMatch(/^PermitRootLogin no$/m);
  });

  it('covers every template weclick ships', () => {
    const rendered = new Set<string>();
    for (const host of HOSTS) for (const path of renderedFiles(FLEET_YAML, host).keys()) rendered.add(`${host}${path}`);
    const byTemplate: Record<string, string> = {
      'base/nftables.conf.hbs': 'go/etc/nftables.conf',
      'base/sshd-weclick.conf.hbs': 'go/etc/ssh/sshd_config.d/10-weclick.conf',
      'base/20auto-upgrades.hbs': 'go/etc/apt/apt.conf.d/20auto-upgrades',
      'marzban/docker-compose.yml.hbs': 'srv1/opt/marzban/docker-compose.yml',
      'marzban/env.hbs': 'srv1/opt/marzban/.env',
      'marzban/xray_config.json.hbs': 'srv1/var/lib/marzban/xray_config.json',
      'proxy/haproxy.cfg.hbs': 'go/etc/haproxy/haproxy.cfg',
      'outline/start_container.sh.hbs': 'srv2/opt/outline/start_container.sh',
      'outline/start_watchtower.sh.hbs': 'srv2/opt/outline/start_watchtower.sh',
      'outline/shadowbox_server_config.json.hbs': 'srv2/opt/outline/persisted-state/shadowbox_server_config.json',
      'management/docker-compose.yml.hbs': 'mngmt/opt/marzban/docker-compose.yml',
      'management/mysql.env.hbs': 'mngmt/opt/marzban/mysql.env',
    };
    expect(Object.keys(byTemplate).sort()).toEqual([...TEMPLATE_NAMES].sort());
    for (const golden of Object.values(byTemplate)) expect(rendered.has(golden), golden).toBe(true);
  });
});

describe('what the rendered files say', () => {
  it('haproxy.cfg: every active and draining worker, retired ones absent, tunnel timeouts, PROXY v2, state file', () => {
    const cfg = renderedFiles(FLEET_YAML, 'go').get('/etc/haproxy/haproxy.cfg')!;
    expect(cfg).toMatch(/^ {4}server srv1 198\.51\.100\.21:443$/m);
    expect(cfg).toMatch(/^ {4}server srv3 198\.51\.100\.23:443 {2}# draining \(inventory\)$/m);
    expect(cfg).not.toContain('srv4');
    for (const keyword of ['balance leastconn', 'send-proxy-v2', 'timeout tunnel 1h', 'timeout client-fin 30s', 'option tcpka', 'server-state-file /var/lib/haproxy/server-state', 'load-server-state-from-file global', 'hard-stop-after 1h', 'expose-fd listeners']) {
      expect(cfg).toContain(keyword);
    }
    expect(cfg).toContain('bind 203.0.113.11:443');
    expect(cfg).toContain('bind [2001:db8::11]:443');
  });

  it('xray_config.json: identical for workers and the panel, PROXY protocol accepted on the inbound HAProxy forwards', () => {
    const worker = renderedFiles(FLEET_YAML, 'srv1').get('/var/lib/marzban/xray_config.json')!;
    expect(renderedFiles(FLEET_YAML, 'mngmt').get('/var/lib/marzban/xray_config.json')).toBe(worker);
    const config = JSON.parse(worker) as { inbounds: Array<{ port: number; streamSettings: { tcpSettings: { acceptProxyProtocol: boolean }; realitySettings: { privateKey: string } } }> };
    expect(config.inbounds[0]!.port).toBe(443);
    expect(config.inbounds[0]!.streamSettings.tcpSettings.acceptProxyProtocol).toBe(true);
    expect(config.inbounds[0]!.streamSettings.realitySettings.privateKey).toBe(SECRETS.reality.privateKey);
  });

  it(".env: the worker's own account (URL-encoded), the podpiska prefix; the bot token on the management panel only", () => {
    const worker = renderedFiles(FLEET_YAML, 'srv1').get('/opt/marzban/.env')!;
    expect(worker).toContain('SQLALCHEMY_DATABASE_URL = "mysql+pymysql://mz_srv1:pw-srv1-0123456789@db.weclick.tech:3306/marzban"');
    expect(worker).toContain('XRAY_SUBSCRIPTION_URL_PREFIX = "https://podpiska.weclick.tech"');
    expect(worker).toContain('UVICORN_HOST = "127.0.0.1"');
    expect(worker).not.toContain('TELEGRAM_API_TOKEN');
    const panel = renderedFiles(FLEET_YAML, 'mngmt').get('/opt/marzban/.env')!;
    expect(panel).toContain('mysql+pymysql://mz_mngmt:pw%2Fmngmt%2B0123456789@203.0.113.10:3306/marzban');
    expect(panel).toContain('UVICORN_SSL_CERTFILE = "/var/lib/marzban/certs/podpiska.weclick.tech.crt"');
    expect(panel).toContain(`TELEGRAM_API_TOKEN = "${SECRETS.telegramBotToken}"`);
  });

  it('firewall: SSH for everyone, Xray only from the entry point, MySQL only from the fleet', () => {
    expect(renderedFiles(FLEET_YAML, 'srv1').get('/etc/nftables.conf')).toContain('ip saddr { 203.0.113.11 } tcp dport 443 accept');
    const db = renderedFiles(FLEET_YAML, 'mngmt').get('/etc/nftables.conf')!;
    expect(db).toContain('ip saddr { 203.0.113.10, 198.51.100.21, 198.51.100.23 } tcp dport 3306 accept');
    expect(db).not.toContain('198.51.100.24'); // retired
    expect(renderedFiles(FLEET_YAML, 'go').get('/etc/nftables.conf')).toMatch(/tcp dport 22 accept[\s\S]*tcp dport 443 accept comment "VPN entry point \(HAProxy\)"/);
  });
});
