// A tolerant multipart/form-data parser: what telegraf sends is valid but unusual (chunked, no Content-Length,
// part headers written `content-disposition:form-data; …` with no space after the colon, no per-part Content-Type,
// an extra `method` field, and no CRLF after the closing boundary). Browsers' and curl's forms parse too.

export interface UploadedFile {
  filename: string;
  contentType?: string;
  bytes: Buffer;
}

export interface FormData {
  fields: Record<string, string>;
  files: Record<string, UploadedFile>;
}

export class MultipartError extends Error {}

export function boundaryOf(contentType: string | undefined): string | undefined {
  const match = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType ?? '');
  return match?.[1] ?? match?.[2];
}

export function parseMultipart(body: Buffer, boundary: string): FormData {
  const delimiter = Buffer.from(`--${boundary}`);
  const form: FormData = { fields: {}, files: {} };
  let at = body.indexOf(delimiter);
  if (at < 0) throw new MultipartError('no boundary in the body');
  for (;;) {
    at += delimiter.length;
    if (body[at] === 0x2d && body[at + 1] === 0x2d) return form; // closing "--boundary--"
    at = skipNewline(body, at);
    const headerEnd = findHeaderEnd(body, at);
    if (!headerEnd) throw new MultipartError('part headers never end');
    const headers = parseHeaders(body.subarray(at, headerEnd.start).toString('utf8'));
    const contentStart = headerEnd.end;
    const end = findDelimiter(body, delimiter, contentStart);
    if (end < 0) throw new MultipartError('part is not closed by a boundary');
    addPart(form, headers, body.subarray(contentStart, end));
    at = body.indexOf(delimiter, end);
  }
}

function addPart(form: FormData, headers: Record<string, string>, content: Buffer): void {
  const disposition = headers['content-disposition'] ?? '';
  const name = paramOf(disposition, 'name');
  if (name === undefined) throw new MultipartError('part without a name');
  const filename = paramOf(disposition, 'filename');
  if (filename !== undefined) form.files[name] = { filename, bytes: Buffer.from(content), ...(headers['content-type'] ? { contentType: headers['content-type'] } : {}) };
  else form.fields[name] = content.toString('utf8');
}

// The content ends just before CRLF + delimiter (or LF + delimiter, for lenient senders).
function findDelimiter(body: Buffer, delimiter: Buffer, from: number): number {
  const at = body.indexOf(delimiter, from);
  if (at < 0) return -1;
  if (at >= 2 && body[at - 2] === 0x0d && body[at - 1] === 0x0a) return at - 2;
  if (at >= 1 && body[at - 1] === 0x0a) return at - 1;
  return at;
}

function findHeaderEnd(body: Buffer, from: number): { start: number; end: number } | undefined {
  const crlf = body.indexOf('\r\n\r\n', from);
  const lf = body.indexOf('\n\n', from);
  if (crlf >= 0 && (lf < 0 || crlf <= lf)) return { start: crlf, end: crlf + 4 };
  if (lf >= 0) return { start: lf, end: lf + 2 };
  return undefined;
}

function skipNewline(body: Buffer, at: number): number {
  if (body[at] === 0x0d && body[at + 1] === 0x0a) return at + 2;
  if (body[at] === 0x0a) return at + 1;
  return at;
}

function parseHeaders(text: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return headers;
}

function paramOf(header: string, key: string): string | undefined {
  const match = new RegExp(`(?:^|;)\\s*${key}=(?:"((?:[^"\\\\]|\\\\.)*)"|([^;]*))`, 'i').exec(header);
  if (!match) return undefined;
  return match[1] !== undefined ? match[1].replace(/\\(.)/g, '$1') : match[2]!.trim();
}
