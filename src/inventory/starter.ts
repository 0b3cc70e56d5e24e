export interface StarterAnswers {
  domain: string;
  zone: string;
  telegramChat?: string;
  sshUser: string;
  sshKey?: string;
}

const q = (value: string) => JSON.stringify(value);

/** A first inventory, commented so the operator can read it as documentation. */
export function renderStarterInventory(a: StarterAnswers, schemaPath: string): string {
  return `# yaml-language-server: $schema=${schemaPath}
#
# The fleet weclick manages. Secrets never go here: they live in .env beside this file.
# Check it with \`weclick inventory check\`; add servers with \`weclick servers add\`.

fleet:
  domain: ${q(a.domain)}
  cloudflare:
    zone: ${q(a.zone)}
    ttl: 1                      # 1 = automatic
  names:
    entry: go                   # go.${a.domain}: where users connect (HAProxy)
    subscription: podpiska      # the subscription site
    management: mngmt
    mysql: db                   # the central MySQL
${a.telegramChat ? `  telegram:\n    chat: ${q(a.telegramChat)}\n` : ''}  ssh:
    user: ${q(a.sshUser)}
${a.sshKey ? `    key: ${q(a.sshKey)}\n` : ''}    connectTimeout: 10

servers: []
`;
}

export const STARTER_ENV = `# weclick secrets (see .env.example in the weclick package for what each is for). Keep this file 0600.
CLOUDFLARE_API_TOKEN=
TELEGRAM_BOT_TOKEN=
BACKUP_AGE_IDENTITY_FILE=
MYSQL_ADMIN_USER=
MYSQL_ADMIN_PASSWORD=
`;
