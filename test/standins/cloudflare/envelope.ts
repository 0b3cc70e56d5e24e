// Cloudflare's v4 response envelope and the error type the handlers throw.
import type { ServerResponse } from 'node:http';

export interface ErrorItem {
  code: number;
  message: string;
  error_chain?: ErrorItem[];
}

export interface ResultInfo {
  page: number;
  per_page: number;
  count: number;
  total_count: number;
  total_pages: number;
}

/** Thrown by handlers; turned into `{success:false, errors:[...], result:null}` with `status`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly errors: ErrorItem[],
    readonly headers: Record<string, string> = {},
  ) {
    super(errors.map((e) => `${e.code}: ${e.message}`).join('; '));
  }
}

export interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export function success(result: unknown, resultInfo?: ResultInfo): Reply {
  const body: Record<string, unknown> = { result, success: true, errors: [], messages: [] };
  if (resultInfo) body.result_info = resultInfo;
  return { status: 200, body };
}

export function failure(err: ApiError): Reply {
  return {
    status: err.status,
    headers: err.headers,
    body: { result: null, success: false, errors: err.errors, messages: [] },
  };
}

export function send(res: ServerResponse, reply: Reply): void {
  const text = JSON.stringify(reply.body);
  // The SDK parses JSON only when the content type says so, and throws only on non-2xx statuses.
  res.writeHead(reply.status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...reply.headers,
  });
  res.end(text);
}
