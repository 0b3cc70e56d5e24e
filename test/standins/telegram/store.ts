// What the stand-in remembers: chats, messages and uploaded files, and a clock tests can move.
import { randomBytes } from 'node:crypto';
import { tgErrors } from './errors.js';
import type { ChatInfo, DocumentInfo, StoredFile, StoredMessage } from './types.js';

/** Bots may delete a message only within 48 hours of sending it. */
export const DELETE_WINDOW_SECONDS = 48 * 3600;

export class Clock {
  private offset = 0;
  constructor(startAt?: number) {
    if (startAt !== undefined) this.offset = startAt - Date.now();
  }
  now(): number {
    return Date.now() + this.offset;
  }
  advance(ms: number): void {
    this.offset += ms;
  }
  set(ms: number): void {
    this.offset = ms - Date.now();
  }
  seconds(): number {
    return Math.floor(this.now() / 1000);
  }
}

export class BotStore {
  private readonly chats = new Map<string, ChatInfo>();
  private readonly nextId = new Map<string, number>();
  readonly messages: StoredMessage[] = [];
  readonly files = new Map<string, StoredFile>();
  private fileCounter = 0;

  constructor(
    chats: ChatInfo[],
    readonly clock: Clock,
  ) {
    for (const chat of chats) this.chats.set(String(chat.id), chat);
  }

  /** The chat and topic a send goes to, or the error Telegram gives. */
  target(chatId: string | undefined, threadId: string | undefined): { chat: string; thread?: number } {
    if (chatId === undefined || chatId === '') throw tgErrors.badRequest('chat_id is empty');
    const chat = this.chats.get(chatId);
    if (!chat) throw tgErrors.chatNotFound();
    if (threadId === undefined || threadId === '') return { chat: chatId };
    const thread = Number(threadId);
    // Thread 1 is General: naming it is refused (omit the field to post there).
    if (!Number.isInteger(thread) || thread === 1 || !(chat.topics ?? []).includes(thread)) throw tgErrors.threadNotFound();
    return { chat: chatId, thread };
  }

  addMessage(target: { chat: string; thread?: number }, content: { text?: string; caption?: string; document?: DocumentInfo }): StoredMessage {
    const id = (this.nextId.get(target.chat) ?? 1) as number;
    this.nextId.set(target.chat, id + 1);
    const message: StoredMessage = {
      message_id: id,
      chat_id: target.chat,
      ...(target.thread !== undefined ? { message_thread_id: target.thread } : {}),
      date: this.clock.seconds(),
      ...content,
      pinned: false,
      deleted: false,
    };
    this.messages.push(message);
    return message;
  }

  find(chatId: string, messageId: number): StoredMessage | undefined {
    return this.messages.find((m) => m.chat_id === chatId && m.message_id === messageId && !m.deleted);
  }

  addFile(filename: string, bytes: Buffer): StoredFile {
    this.fileCounter += 1;
    const extension = /\.([A-Za-z0-9]{1,8})$/.exec(filename)?.[1] ?? 'dat';
    const file: StoredFile = {
      // Real ids are long url-safe base64; these look alike and are unique.
      file_id: `BQACAgIAAxkBAAI${randomBytes(24).toString('base64url')}`,
      file_unique_id: `AgAD${randomBytes(8).toString('base64url')}`,
      file_name: filename,
      file_path: `documents/file_${this.fileCounter}.${extension}`,
      mime_type: extension === 'json' ? 'application/json' : 'application/octet-stream',
      bytes,
      gone: false,
    };
    this.files.set(file.file_id, file);
    return file;
  }

  fileByPath(path: string): StoredFile | undefined {
    for (const file of this.files.values()) if (file.file_path === path && !file.gone) return file;
    return undefined;
  }
}
