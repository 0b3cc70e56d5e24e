// The Bot API methods the stand-in answers, each (params, files) → result or a thrown BotApiError.
import { tgErrors } from './errors.js';
import type { UploadedFile } from './multipart.js';
import { DELETE_WINDOW_SECONDS, type BotStore } from './store.js';
import type { StoredMessage } from './types.js';

export interface MethodContext {
  store: BotStore;
  maxDownloadBytes: number;
}

export type Params = Record<string, unknown>;
type Handler = (ctx: MethodContext, params: Params, files: Record<string, UploadedFile>) => unknown;

const BOT = { id: 7000000001, is_bot: true, first_name: 'weclick test bot', username: 'weclick_test_bot' };
const TEXT_LIMIT = 4096;
const CAPTION_LIMIT = 1024;

const text = (params: Params, key: string): string | undefined => {
  const value = params[key];
  if (value === undefined || value === null) return undefined;
  return typeof value === 'string' ? value : String(value);
};

const messageId = (params: Params, key = 'message_id'): number => {
  const value = Number(text(params, key));
  if (!Number.isInteger(value) || value <= 0) throw tgErrors.badRequest(`${key} is empty`);
  return value;
};

/** The Message object Telegram returns for a stored message. */
export function messageJson(m: StoredMessage): Record<string, unknown> {
  return {
    message_id: m.message_id,
    from: BOT,
    chat: { id: Number(m.chat_id), type: 'supergroup', title: 'weclick backups', ...(m.message_thread_id ? { is_forum: true } : {}) },
    date: m.date,
    ...(m.message_thread_id !== undefined ? { message_thread_id: m.message_thread_id, is_topic_message: true } : {}),
    ...(m.edit_date ? { edit_date: m.edit_date } : {}),
    ...(m.text !== undefined ? { text: m.text } : {}),
    ...(m.document ? { document: m.document } : {}),
    ...(m.caption !== undefined && m.caption !== '' ? { caption: m.caption } : {}),
  };
}

const handlers: Record<string, Handler> = {
  getme: () => ({ ...BOT, can_join_groups: true, can_read_all_group_messages: false, supports_inline_queries: false }),

  sendmessage: ({ store }, params) => {
    const target = store.target(text(params, 'chat_id'), text(params, 'message_thread_id'));
    const body = text(params, 'text') ?? '';
    if (body.trim() === '') throw tgErrors.textEmpty();
    if (body.length > TEXT_LIMIT) throw tgErrors.textTooLong();
    return messageJson(store.addMessage(target, { text: body }));
  },

  senddocument: ({ store }, params, files) => {
    const target = store.target(text(params, 'chat_id'), text(params, 'message_thread_id'));
    const caption = text(params, 'caption');
    if (caption !== undefined && caption.length > CAPTION_LIMIT) throw tgErrors.captionTooLong();
    const upload = files.document;
    let document;
    if (upload) {
      if (upload.bytes.length === 0) throw tgErrors.emptyFile();
      const file = store.addFile(upload.filename, upload.bytes);
      document = { file_name: file.file_name, mime_type: file.mime_type, file_id: file.file_id, file_unique_id: file.file_unique_id, file_size: file.bytes.length };
    } else {
      // Resending by file_id.
      const id = text(params, 'document');
      const file = id ? store.files.get(id) : undefined;
      if (!id) throw tgErrors.noDocument();
      if (!file || file.gone) throw tgErrors.wrongFileId();
      document = { file_name: file.file_name, mime_type: file.mime_type, file_id: file.file_id, file_unique_id: file.file_unique_id, file_size: file.bytes.length };
    }
    return messageJson(store.addMessage(target, { document, ...(caption ? { caption } : {}) }));
  },

  editmessagecaption: ({ store }, params) => {
    const chat = store.target(text(params, 'chat_id'), undefined).chat;
    const message = store.find(chat, messageId(params));
    if (!message) throw tgErrors.messageToEditNotFound();
    const caption = text(params, 'caption') ?? '';
    if (caption.length > CAPTION_LIMIT) throw tgErrors.captionTooLong();
    if ((message.caption ?? '') === caption) throw tgErrors.notModified();
    message.caption = caption;
    message.edit_date = store.clock.seconds();
    return messageJson(message);
  },

  getfile: ({ store, maxDownloadBytes }, params) => {
    const id = text(params, 'file_id');
    if (!id) throw tgErrors.badRequest('file_id is empty'); // guess
    const file = store.files.get(id);
    if (!file || file.gone) throw tgErrors.wrongFileId();
    if (file.bytes.length > maxDownloadBytes) throw tgErrors.fileTooBig();
    return { file_id: file.file_id, file_unique_id: file.file_unique_id, file_size: file.bytes.length, file_path: file.file_path };
  },

  deletemessage: ({ store }, params) => {
    const chat = store.target(text(params, 'chat_id'), undefined).chat;
    const message = store.find(chat, messageId(params));
    if (!message) throw tgErrors.messageToDeleteNotFound();
    if (store.clock.seconds() - message.date >= DELETE_WINDOW_SECONDS) throw tgErrors.cannotDelete();
    message.deleted = true;
    return true;
  },

  // 1–100 ids; missing ones are skipped. When none could be deleted (all too old) it refuses (guess).
  deletemessages: ({ store }, params) => {
    const chat = store.target(text(params, 'chat_id'), undefined).chat;
    const raw = params.message_ids;
    const ids = (typeof raw === 'string' ? safeJson(raw) : raw) as unknown;
    if (!Array.isArray(ids) || ids.length < 1 || ids.length > 100 || !ids.every((i) => Number.isInteger(Number(i)))) throw tgErrors.badMessageIds();
    const found = ids.map((i) => store.find(chat, Number(i))).filter((m): m is StoredMessage => m !== undefined);
    const deletable = found.filter((m) => store.clock.seconds() - m.date < DELETE_WINDOW_SECONDS);
    if (found.length > 0 && deletable.length === 0) throw tgErrors.cannotDelete();
    for (const m of deletable) m.deleted = true;
    return true;
  },

  pinchatmessage: ({ store }, params) => {
    const chat = store.target(text(params, 'chat_id'), undefined).chat;
    const message = store.find(chat, messageId(params));
    if (!message) throw tgErrors.messageToPinNotFound();
    message.pinned = true;
    return true;
  },
};

export function methodHandler(name: string): Handler | undefined {
  return handlers[name.toLowerCase()];
}

function safeJson(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}
