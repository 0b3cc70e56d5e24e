// The typed context of every template: what a template may use is exactly what is declared here
// (handlebars runs in strict mode, so a misspelt field fails instead of rendering empty).

export interface FirewallRule {
  proto: 'tcp' | 'udp';
  port: number;
  /** IPv4 addresses or CIDRs allowed; empty means anyone. */
  sources: string[];
  why: string;
}

export interface NftablesContext {
  host: string;
  roles: string;
  sshPort: number;
  rules: FirewallRule[];
}

export interface SshdContext {
  /** prohibit-password when weclick logs in as root (keys only), else no. */
  permitRootLogin: 'prohibit-password' | 'no';
  user: string;
}

export type AutoUpgradesContext = Record<string, never>;

export interface MarzbanComposeContext {
  image: string;
  /** `NAME:ADDRESS` of the fleet's MySQL, pinned in the container (extra_hosts). */
  dbPin?: string;
}

export interface MarzbanEnvContext {
  server: string;
  uvicornHost: string;
  uvicornPort: number;
  db: { user: string; password: string; host: string; port: number; name: string };
  subscriptionUrlPrefix: string;
  jobs: { coreHealthCheck: number; recordUserUsages: number; recordNodeUsages: number; reviewUsers: number; sendNotifications: number };
  /** TLS for the panel (management: subscriptions are served over HTTPS). */
  ssl: { certFile: string; keyFile: string } | false;
  /** The Telegram bot runs on one instance only (long polling allows one consumer per token). */
  telegram: { token: string } | false;
}

export interface XrayContext {
  port: number;
  /** The site REALITY impersonates, host:443. */
  dest: string;
  sni: string;
  privateKey: string;
  shortIds: string[];
}

export interface HaproxyServer {
  name: string;
  address: string;
  port: number;
  draining: boolean;
}

export interface HaproxyContext {
  generatedFor: string;
  maxconn: number;
  hardStopAfter: string;
  statsSocket: string;
  stateFile: string;
  binds: Array<{ address: string; port: number }>;
  backend: string;
  servers: HaproxyServer[];
}

export interface OutlineStartContext {
  stateDir: string;
  image: string;
  apiPort: number;
  containerName: string;
}

export interface WatchtowerContext {
  image: string;
  containerName: string;
}

export interface ShadowboxConfigContext {
  hostname: string;
  keysPort: number;
  name: string;
}

export interface ManagementComposeContext {
  mysqlImage: string;
  marzbanImage: string;
  bindAddress: string;
  mysqlPort: number;
  database: string;
  withMysql: boolean;
  withPanel: boolean;
}

export interface MysqlEnvContext {
  rootPassword: string;
  database: string;
}

export interface TemplateContexts {
  'base/nftables.conf.hbs': NftablesContext;
  'base/sshd-weclick.conf.hbs': SshdContext;
  'base/20auto-upgrades.hbs': AutoUpgradesContext;
  'marzban/docker-compose.yml.hbs': MarzbanComposeContext;
  'marzban/env.hbs': MarzbanEnvContext;
  'marzban/xray_config.json.hbs': XrayContext;
  'proxy/haproxy.cfg.hbs': HaproxyContext;
  'outline/start_container.sh.hbs': OutlineStartContext;
  'outline/start_watchtower.sh.hbs': WatchtowerContext;
  'outline/shadowbox_server_config.json.hbs': ShadowboxConfigContext;
  'management/docker-compose.yml.hbs': ManagementComposeContext;
  'management/mysql.env.hbs': MysqlEnvContext;
}
