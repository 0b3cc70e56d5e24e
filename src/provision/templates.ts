import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TemplateContexts } from './context.js';

export type TemplateName = keyof TemplateContexts;

export const TEMPLATE_NAMES: TemplateName[] = [
  'base/nftables.conf.hbs',
  'base/sshd-weclick.conf.hbs',
  'base/20auto-upgrades.hbs',
  'marzban/docker-compose.yml.hbs',
  'marzban/env.hbs',
  'marzban/xray_config.json.hbs',
  'proxy/haproxy.cfg.hbs',
  'outline/start_container.sh.hbs',
  'outline/start_watchtower.sh.hbs',
  'outline/shadowbox_server_config.json.hbs',
  'management/docker-compose.yml.hbs',
  'management/mysql.env.hbs',
];

/** Compiled templates: rendering is pure and synchronous once they are loaded. */
export interface TemplateSet {
  readonly dir: string;
  render<K extends TemplateName>(name: K, context: TemplateContexts[K]): string;
}

/** templates/ of the installed package (WECLICK_TEMPLATES_DIR overrides it, e.g. for a site's own templates). */
export function templatesDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.WECLICK_TEMPLATES_DIR) return resolve(env.WECLICK_TEMPLATES_DIR);
  // Source (src/provision) and bundle (dist/chunks, dist/commands) sit at different depths: walk up to the package.
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'templates'))) return join(dir, 'templates');
    dir = dirname(dir);
  }
  throw new Error('cannot find the templates/ folder of weclick (set WECLICK_TEMPLATES_DIR)');
}

/** Reads and compiles every template (handlebars is loaded here, lazily). Unknown fields fail loudly (strict). */
export async function loadTemplates(dir = templatesDir()): Promise<TemplateSet> {
  const handlebars = await import('handlebars');
  const hb = (handlebars.default ?? handlebars).create();
  registerHelpers(hb);
  const compiled = new Map<string, (context: unknown) => string>();
  await Promise.all(
    TEMPLATE_NAMES.map(async (name) => {
      let text: string;
      try {
        text = await readFile(join(dir, name), 'utf8');
      } catch {
        throw new Error(`template ${join(dir, name)} is missing`);
      }
      compiled.set(name, hb.compile(text, { strict: true, noEscape: true }));
    }),
  );
  return {
    dir,
    render(name, context) {
      try {
        return compiled.get(name)!(context);
      } catch (error) {
        throw new Error(`template ${name} does not render: ${(error as Error).message.split('\n').slice(0, 4).join(' ').replace(/\s+/g, ' ')}`);
      }
    },
  };
}

type Hb = ReturnType<typeof import('handlebars')['create']>;

function registerHelpers(hb: Hb): void {
  // JSON (and YAML, which accepts JSON scalars) values, quoted and escaped.
  hb.registerHelper('json', (value: unknown) => JSON.stringify(value));
  hb.registerHelper('yaml', (value: unknown) => JSON.stringify(value));
  // A .env value as python-decouple (Marzban) reads it: double-quoted, no line breaks.
  hb.registerHelper('env', (value: unknown) => {
    const text = String(value);
    if (/[\r\n"]/.test(text)) throw new Error('a .env value cannot contain quotes or line breaks');
    return `"${text}"`;
  });
  // A single-quoted POSIX sh word.
  hb.registerHelper('sh', (value: unknown) => `'${String(value).replaceAll("'", `'\\''`)}'`);
  hb.registerHelper('urlencode', (value: unknown) => encodeURIComponent(String(value)));
  hb.registerHelper('join', (list: unknown, separator: unknown) => (Array.isArray(list) ? list.join(typeof separator === 'string' ? separator : ', ') : ''));
}
