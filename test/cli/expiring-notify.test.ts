import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTelegramStandin, type TelegramStandin } from '../standins/telegram/index.js';
import { REPO, weclick } from '../helpers/cli.js';

const TOKEN = '123456:notify-test-token';
const CHAT = '-1001234567890';
let tg: TelegramStandin;

function workspace(token = TOKEN): string {
  const dir = mkdtempSync(join(tmpdir(), 'weclick-notify-'));
  copyFileSync(join(REPO, 'inventory.example.yaml'), join(dir, 'weclick.yaml'));
  writeFileSync(join(dir, '.env'), `TELEGRAM_BOT_TOKEN=${token}\nTELEGRAM_API_ROOT=${tg.url}\n`, { mode: 0o600 });
  return dir;
}

beforeAll(async () => {
  tg = await startTelegramStandin({ token: TOKEN, chats: [{ id: CHAT }] });
});
afterAll(async () => tg?.close());

describe('expiring --notify (Telegram is a local stand-in)', () => {
  it("posts what is due to the fleet's chat, and keeps the monitoring exit code", async () => {
    const before = tg.messages(CHAT).length;
    const r = await weclick(['expiring', '--days', '14', '--notify'], { cwd: workspace() });
    expect(r.code).toBe(2);
    const posted = tg.messages(CHAT).slice(before);
    expect(posted).toHaveLength(1);
    const text = (posted[0] as { text?: string }).text ?? '';
    expect(text).toMatch(/^weclick CRITICAL: hosting of 7 server\(s\) in weclick\.tech ends within 14 days/);
    for (const name of ['srv4', 'mngmt', 'go', 'srv1', 'srv2', 'srv3', 'srv5']) expect(text).toContain(`• ${name} (`);
    expect(r.stderr).toContain("Posted to the fleet's Telegram chat.");
  });

  it('posts nothing when nothing is due', async () => {
    const before = tg.messages(CHAT).length;
    const r = await weclick(['expiring', '--days', '14', '--notify'], { cwd: workspace(), env: { WECLICK_NOW: '2024-01-01T12:00:00' } });
    expect(r.code).toBe(0);
    expect(tg.messages(CHAT).length).toBe(before);
  });

  it('a failed post is one line on stderr, never shows the token, and leaves the exit code as the check said', async () => {
    const wrong = '999999:wrong-token-value';
    const r = await weclick(['expiring', '--days', '14', '--notify', '--json'], { cwd: workspace(wrong) });
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n').filter((l) => l.startsWith('error: --notify:'))).toHaveLength(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ status: 'CRITICAL', notified: false });
    expect(r.stdout + r.stderr).not.toContain(wrong);
  });
});
