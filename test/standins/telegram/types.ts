// Shapes shared by the Telegram Bot API stand-in modules.

/** A file the stand-in holds, as getFile describes it plus its bytes. */
export interface StoredFile {
  file_id: string;
  file_unique_id: string;
  file_name: string;
  file_path: string;
  mime_type: string;
  bytes: Buffer;
  /** Set by `removeFile()`: getFile and the download answer as if Telegram lost it. */
  gone: boolean;
}

export interface DocumentInfo {
  file_id: string;
  file_unique_id: string;
  file_name: string;
  mime_type: string;
  file_size: number;
}

/** A message as the stand-in keeps it (deleted ones stay, flagged, so tests can look back). */
export interface StoredMessage {
  message_id: number;
  chat_id: string;
  message_thread_id?: number;
  /** Unix seconds, from the stand-in's clock. */
  date: number;
  text?: string;
  caption?: string;
  document?: DocumentInfo;
  edit_date?: number;
  pinned: boolean;
  deleted: boolean;
}

export interface ChatInfo {
  id: string;
  /** Forum topics that exist (message_thread_id values); 1 is General and cannot be named. */
  topics?: number[];
}

/** Scripted failures. `skip` lets that many matching requests through first; `times` defaults to 1. */
export type Fault =
  /** 429 with `parameters.retry_after` in the body and no Retry-After header, as tdlib answers. */
  | { kind: 'rate-limit'; retryAfter: number }
  /** An HTTP 5xx from the front end, with an HTML body (telegraf reads only the status). */
  | { kind: 'server-error'; status: 500 | 502 | 503 | 504 }
  /** Reads this many bytes of the request body, then destroys the connection without answering. */
  | { kind: 'cut'; afterBytes: number }
  /** Answers normally, this much later. */
  | { kind: 'delay'; ms: number };

export interface FaultMatch {
  /** Bot API method name, case-insensitive. */
  method?: string;
  skip?: number;
  times?: number;
}

export interface RequestLogEntry {
  /** Method name as sent (or `file` for downloads). */
  method: string;
  status: number;
  /** Bytes of request body received. */
  bytes: number;
  /** Which fault, if any, answered. */
  fault?: Fault['kind'];
  /** The parsed parameters (uploads replaced by `{filename, size}`). */
  params?: Record<string, unknown>;
}

export interface StandinOptions {
  token: string;
  chats: ChatInfo[];
  /** Path the API is served under, e.g. `/tg` (to test apiRoot handling). Default: none. */
  prefix?: string;
  /** Upload limit (sendDocument): default 50 MB. */
  maxUploadBytes?: number;
  /** getFile limit: default 20 MB. */
  maxDownloadBytes?: number;
  /** Start of the stand-in's clock (ms since the epoch); default the real time. */
  startAt?: number;
}

export interface TelegramStandin {
  /** API root to hand to a client, e.g. `http://127.0.0.1:PORT` (plus the prefix). */
  url: string;
  token: string;
  close(): Promise<void>;
  /** Messages not deleted, oldest first; all of them with `{ includeDeleted: true }`. */
  messages(chatId?: string | number, options?: { includeDeleted?: boolean }): StoredMessage[];
  file(fileId: string): StoredFile | undefined;
  /** Flips bytes in the middle of a stored file (what a damaged part looks like). */
  corruptFile(fileId: string): void;
  /** Makes a file unavailable (getFile answers 400, the download 404). */
  removeFile(fileId: string): void;
  requests: RequestLogEntry[];
  fail(fault: Fault, match?: FaultMatch): void;
  /** Faults not yet consumed. */
  pendingFaults(): number;
  clock: { now(): number; advance(ms: number): void; set(ms: number): void };
  /** Resolves when `count` requests for `method` have arrived (counting from the start). */
  waitForRequests(method: string, count: number): Promise<void>;
}
