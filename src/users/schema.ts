// The Marzban v0.8.4 schema on MySQL/MariaDB, as the 61 Alembic revisions from 94a5cc12c0d6 up to the head
// 2b231de97dc3 leave it (Gozargah/Marzban app/db/migrations/versions/). Each column says which revision made it
// that way where it is not obvious. Marzban runs `alembic upgrade head` at every start: with alembic_version at
// the head it changes nothing, so a worker accepts a database this migration created.

/** The Alembic head of Marzban v0.8.4 (2b231de97dc3_add_use_sni_as_host_to_hosts). */
export const MARZBAN_ALEMBIC_HEAD = '2b231de97dc3';

// Enum columns hold member NAMES (SQLAlchemy Enum(PyEnum)); the value lists and their order are the migrations'.
export const USER_STATUSES = ['on_hold', 'active', 'limited', 'expired', 'disabled'] as const; // 947ebbd8debe
export const RESET_STRATEGIES = ['no_reset', 'day', 'week', 'month', 'year'] as const; // d02dcfbf1517
export const PROXY_TYPES = ['VMess', 'VLESS', 'Trojan', 'Shadowsocks'] as const; // 8e849e06f131
const NODE_STATUSES = ['connected', 'connecting', 'error', 'disabled']; // 37692c1c9715
const REMINDER_TYPES = ['expiration_date', 'data_usage']; // a6e3fff39291
const HOST_SECURITY = ['inbound_default', 'none', 'tls']; // 7cbe9d91ac11
const HOST_ALPN = ['h3', 'h3,h2', 'h3,h2,http/1.1', 'none', 'h2', 'http/1.1', 'h2,http/1.1']; // 305943d779c4
const HOST_FINGERPRINT = ['none', 'chrome', 'firefox', 'safari', 'ios', 'android', 'edge', '360', 'qq', 'random', 'randomized']; // c106bb40c861

export type UserStatus = (typeof USER_STATUSES)[number];
export type ResetStrategy = (typeof RESET_STRATEGIES)[number];
export type ProxyType = (typeof PROXY_TYPES)[number];

const enumOf = (values: readonly string[]) => `ENUM(${values.map((v) => `'${v}'`).join(',')})`;
// dd725e4d3628 makes the name-like columns case-sensitive on MySQL.
const BIN = 'COLLATE utf8mb4_bin';
const TABLE_OPTIONS = 'ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci';

/** CREATE TABLE statements in dependency order (referenced tables first). */
export const MARZBAN_TABLES: ReadonlyArray<{ name: string; sql: string }> = [
  {
    name: 'admins',
    sql: `CREATE TABLE admins (
  id INT NOT NULL AUTO_INCREMENT,
  username VARCHAR(34) NULL,
  hashed_password VARCHAR(128) NULL,
  created_at DATETIME NULL,
  is_sudo BOOL NULL DEFAULT 0,
  password_reset_at DATETIME NULL,
  telegram_id BIGINT NULL,
  discord_webhook VARCHAR(1024) NULL,
  users_usage BIGINT NOT NULL DEFAULT '0',
  PRIMARY KEY (id),
  UNIQUE INDEX ix_admins_username (username)
) ${TABLE_OPTIONS}`,
  },
  {
    name: 'users',
    sql: `CREATE TABLE users (
  id INT NOT NULL AUTO_INCREMENT,
  username VARCHAR(34) ${BIN} NULL,
  status ${enumOf(USER_STATUSES)} NOT NULL,
  used_traffic BIGINT NULL,
  data_limit BIGINT NULL,
  expire INT NULL,
  created_at DATETIME NULL DEFAULT CURRENT_TIMESTAMP,
  admin_id INT NULL,
  data_limit_reset_strategy ${enumOf(RESET_STRATEGIES)} NOT NULL DEFAULT 'no_reset',
  sub_revoked_at DATETIME NULL,
  note VARCHAR(500) NULL,
  sub_updated_at DATETIME NULL,
  sub_last_user_agent VARCHAR(512) NULL,
  online_at DATETIME NULL,
  edit_at DATETIME NULL,
  on_hold_timeout DATETIME NULL,
  on_hold_expire_duration BIGINT NULL,
  auto_delete_in_days INT NULL,
  last_status_change DATETIME NULL,
  PRIMARY KEY (id),
  UNIQUE INDEX ix_users_username (username),
  CONSTRAINT fk_users_admin_id_admins FOREIGN KEY (admin_id) REFERENCES admins (id)
) ${TABLE_OPTIONS}`,
  },
  {
    name: 'proxies',
    sql: `CREATE TABLE proxies (
  id INT NOT NULL AUTO_INCREMENT,
  user_id INT NULL,
  type ${enumOf(PROXY_TYPES)} NOT NULL,
  settings JSON NOT NULL,
  PRIMARY KEY (id),
  FOREIGN KEY (user_id) REFERENCES users (id)
) ${TABLE_OPTIONS}`,
  },
  {
    name: 'inbounds',
    sql: `CREATE TABLE inbounds (
  id INT NOT NULL AUTO_INCREMENT,
  tag VARCHAR(256) ${BIN} NOT NULL,
  PRIMARY KEY (id),
  UNIQUE INDEX ix_inbounds_tag (tag)
) ${TABLE_OPTIONS}`,
  },
  {
    name: 'exclude_inbounds_association',
    sql: `CREATE TABLE exclude_inbounds_association (
  proxy_id INT NULL,
  inbound_tag VARCHAR(256) ${BIN} NOT NULL,
  FOREIGN KEY (proxy_id) REFERENCES proxies (id),
  FOREIGN KEY (inbound_tag) REFERENCES inbounds (tag)
) ${TABLE_OPTIONS}`,
  },
  {
    // alpn lost its server default on MySQL when 305943d779c4 re-typed the column (MODIFY without DEFAULT).
    name: 'hosts',
    sql: `CREATE TABLE hosts (
  id INT NOT NULL AUTO_INCREMENT,
  remark VARCHAR(256) NOT NULL,
  address VARCHAR(256) NOT NULL,
  port INT NULL,
  inbound_tag VARCHAR(256) ${BIN} NOT NULL,
  sni VARCHAR(1000) NULL,
  host VARCHAR(1000) NULL,
  security ${enumOf(HOST_SECURITY)} NOT NULL DEFAULT 'inbound_default',
  alpn ${enumOf(HOST_ALPN)} NOT NULL,
  fingerprint ${enumOf(HOST_FINGERPRINT)} NOT NULL DEFAULT 'none',
  allowinsecure BOOL NULL,
  is_disabled BOOL NULL,
  path VARCHAR(256) NULL,
  mux_enable BOOL NOT NULL DEFAULT '0',
  fragment_setting VARCHAR(100) NULL,
  random_user_agent BOOL NOT NULL DEFAULT '0',
  noise_setting VARCHAR(2000) NULL,
  use_sni_as_host BOOL NOT NULL DEFAULT '0',
  PRIMARY KEY (id),
  FOREIGN KEY (inbound_tag) REFERENCES inbounds (tag)
) ${TABLE_OPTIONS}`,
  },
  {
    name: 'user_templates',
    sql: `CREATE TABLE user_templates (
  id INT NOT NULL AUTO_INCREMENT,
  name VARCHAR(64) NOT NULL,
  data_limit BIGINT NULL,
  expire_duration BIGINT NULL,
  username_prefix VARCHAR(20) NULL,
  username_suffix VARCHAR(20) NULL,
  PRIMARY KEY (id),
  UNIQUE (name)
) ${TABLE_OPTIONS}`,
  },
  {
    name: 'template_inbounds_association',
    sql: `CREATE TABLE template_inbounds_association (
  user_template_id INT NULL,
  inbound_tag VARCHAR(256) ${BIN} NOT NULL,
  FOREIGN KEY (inbound_tag) REFERENCES inbounds (tag),
  FOREIGN KEY (user_template_id) REFERENCES user_templates (id)
) ${TABLE_OPTIONS}`,
  },
  {
    name: 'user_usage_logs',
    sql: `CREATE TABLE user_usage_logs (
  id INT NOT NULL AUTO_INCREMENT,
  user_id INT NULL,
  used_traffic_at_reset BIGINT NOT NULL,
  reset_at DATETIME NULL,
  PRIMARY KEY (id),
  FOREIGN KEY (user_id) REFERENCES users (id)
) ${TABLE_OPTIONS}`,
  },
  {
    name: 'admin_usage_logs',
    sql: `CREATE TABLE admin_usage_logs (
  id INT NOT NULL AUTO_INCREMENT,
  admin_id INT NULL,
  used_traffic_at_reset BIGINT NOT NULL,
  reset_at DATETIME NULL,
  PRIMARY KEY (id),
  FOREIGN KEY (admin_id) REFERENCES admins (id)
) ${TABLE_OPTIONS}`,
  },
  {
    name: 'next_plans',
    sql: `CREATE TABLE next_plans (
  id INT NOT NULL AUTO_INCREMENT,
  user_id INT NOT NULL,
  data_limit BIGINT NOT NULL,
  expire INT NULL,
  add_remaining_traffic BOOL NOT NULL DEFAULT '0',
  fire_on_either BOOL NOT NULL DEFAULT '0',
  PRIMARY KEY (id),
  FOREIGN KEY (user_id) REFERENCES users (id)
) ${TABLE_OPTIONS}`,
  },
  {
    name: 'nodes',
    sql: `CREATE TABLE nodes (
  id INT NOT NULL AUTO_INCREMENT,
  name VARCHAR(256) ${BIN} NULL,
  address VARCHAR(256) NOT NULL,
  port INT NOT NULL,
  api_port INT NOT NULL,
  status ${enumOf(NODE_STATUSES)} NOT NULL,
  last_status_change DATETIME NULL,
  message VARCHAR(1024) NULL,
  created_at DATETIME NULL,
  uplink BIGINT NULL,
  downlink BIGINT NULL,
  xray_version VARCHAR(32) NULL,
  usage_coefficient FLOAT NOT NULL DEFAULT 1.0,
  PRIMARY KEY (id),
  UNIQUE (name)
) ${TABLE_OPTIONS}`,
  },
  {
    name: 'node_usages',
    sql: `CREATE TABLE node_usages (
  id INT NOT NULL AUTO_INCREMENT,
  created_at DATETIME NOT NULL,
  node_id INT NULL,
  uplink BIGINT NULL,
  downlink BIGINT NULL,
  PRIMARY KEY (id),
  UNIQUE (created_at, node_id),
  FOREIGN KEY (node_id) REFERENCES nodes (id)
) ${TABLE_OPTIONS}`,
  },
  {
    name: 'node_user_usages',
    sql: `CREATE TABLE node_user_usages (
  id INT NOT NULL AUTO_INCREMENT,
  created_at DATETIME NOT NULL,
  user_id INT NULL,
  node_id INT NULL,
  used_traffic BIGINT NULL,
  PRIMARY KEY (id),
  UNIQUE (created_at, user_id, node_id),
  FOREIGN KEY (node_id) REFERENCES nodes (id),
  FOREIGN KEY (user_id) REFERENCES users (id)
) ${TABLE_OPTIONS}`,
  },
  {
    name: 'notification_reminders',
    sql: `CREATE TABLE notification_reminders (
  id INT NOT NULL AUTO_INCREMENT,
  user_id INT NULL,
  type ${enumOf(REMINDER_TYPES)} NOT NULL,
  expires_at DATETIME NULL,
  created_at DATETIME NULL,
  threshold INT NULL,
  PRIMARY KEY (id),
  FOREIGN KEY (user_id) REFERENCES users (id)
) ${TABLE_OPTIONS}`,
  },
  {
    name: 'system',
    sql: `CREATE TABLE system (
  id INT NOT NULL AUTO_INCREMENT,
  uplink BIGINT NULL,
  downlink BIGINT NULL,
  PRIMARY KEY (id)
) ${TABLE_OPTIONS}`,
  },
  {
    name: 'jwt',
    sql: `CREATE TABLE jwt (
  id INT NOT NULL AUTO_INCREMENT,
  secret_key VARCHAR(64) NOT NULL,
  PRIMARY KEY (id)
) ${TABLE_OPTIONS}`,
  },
  {
    // Marzban fills it with a self-signed pair (7a0dbb8a2f65) used only towards marzban-node; see migrate.ts.
    name: 'tls',
    sql: `CREATE TABLE tls (
  id INT NOT NULL AUTO_INCREMENT,
  \`key\` VARCHAR(4096) NOT NULL,
  certificate VARCHAR(2048) NOT NULL,
  PRIMARY KEY (id)
) ${TABLE_OPTIONS}`,
  },
  {
    name: 'alembic_version',
    sql: `CREATE TABLE alembic_version (
  version_num VARCHAR(32) NOT NULL,
  CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)
) ${TABLE_OPTIONS}`,
  },
];

/**
 * weclick's own table, beside Marzban's (Alembic never touches tables it has no revision for): one row per
 * user change a worker has not confirmed yet. Written in the same transaction as the change itself.
 */
export const PENDING_TABLE = 'weclick_pending';
export const PENDING_TABLE_SQL = `CREATE TABLE IF NOT EXISTS ${PENDING_TABLE} (
  id BIGINT NOT NULL AUTO_INCREMENT,
  worker VARCHAR(63) NOT NULL,
  username VARCHAR(34) ${BIN} NOT NULL,
  action ENUM('refresh','delete') NOT NULL DEFAULT 'refresh',
  queued_at DATETIME NOT NULL,
  attempts INT NOT NULL DEFAULT 0,
  last_error VARCHAR(500) NULL,
  PRIMARY KEY (id),
  INDEX ix_weclick_pending_worker_user (worker, username)
) ${TABLE_OPTIONS}`;

/** The sudo admin weclick signs short-lived API tokens for (it has no usable password). */
export const WECLICK_ADMIN = 'weclick';
