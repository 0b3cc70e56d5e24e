// Raw HTTP helper for stand-in tests: the SDK unwraps envelopes, these tests need the whole answer.

export interface RawAnswer {
  status: number;
  headers: Headers;
  body: any; // JSON under test: tests index into it freely
}

export async function call(
  baseUrl: string,
  method: string,
  path: string,
  opts: { body?: unknown; token?: string | null; headers?: Record<string, string> } = {},
): Promise<RawAnswer> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token !== null && opts.token !== undefined) headers.authorization = `Bearer ${opts.token}`;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers,
    body: opts.body === undefined ? undefined : typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body),
  });
  expectJson(res);
  return { status: res.status, headers: res.headers, body: await res.json() };
}

function expectJson(res: Response): void {
  const type = res.headers.get('content-type') ?? '';
  if (!type.startsWith('application/json')) throw new Error(`expected JSON, got ${type} (status ${res.status})`);
}
