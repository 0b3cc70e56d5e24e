/** What Outline's access.txt holds: `certSha256:<64 hex>` and `apiUrl:https://…` lines. */
export interface OutlineAccess {
  apiUrl?: string;
  certSha256?: string;
}

export function parseAccessTxt(text: string): OutlineAccess {
  const out: OutlineAccess = {};
  for (const line of text.split('\n')) {
    const at = line.indexOf(':');
    if (at < 0) continue;
    const key = line.slice(0, at).trim();
    const value = line.slice(at + 1).trim();
    if (key === 'apiUrl' && /^https:\/\/\S+$/.test(value)) out.apiUrl = value;
    if (key === 'certSha256' && /^[0-9A-Fa-f]{64}$/.test(value)) out.certSha256 = value.toUpperCase();
  }
  return out;
}
