// Every error the Telegram stand-in sends, in the Bot API's shape {ok:false, error_code, description, parameters?}.
// Descriptions are the real server's texts (tdlib/telegram-bot-api, core.telegram.org/bots/api) unless marked "guess".

export class BotApiError extends Error {
  constructor(
    readonly status: number,
    readonly description: string,
    readonly parameters?: { retry_after?: number; migrate_to_chat_id?: number },
  ) {
    super(description);
  }

  body(): Record<string, unknown> {
    return { ok: false, error_code: this.status, description: this.description, ...(this.parameters ? { parameters: this.parameters } : {}) };
  }
}

const bad = (text: string) => new BotApiError(400, `Bad Request: ${text}`);

export const tgErrors = {
  unauthorized: () => new BotApiError(401, 'Unauthorized'),
  methodNotFound: () => new BotApiError(404, 'Not Found: method not found'),
  fileNotFound: () => new BotApiError(404, 'Not Found'),
  tooManyRequests: (retryAfter: number) => new BotApiError(429, `Too Many Requests: retry after ${retryAfter}`, { retry_after: retryAfter }),
  tooLarge: () => new BotApiError(413, 'Request Entity Too Large'),
  chatNotFound: () => bad('chat not found'),
  threadNotFound: () => bad('message thread not found'),
  missingParam: (name: string) => bad(`${name} is empty`), // guess for fields other than text/document
  textEmpty: () => bad('message text is empty'),
  textTooLong: () => bad('message is too long'),
  captionTooLong: () => bad('message caption is too long'),
  noDocument: () => bad('there is no document in the request'),
  emptyFile: () => bad('file must be non-empty'),
  wrongFileId: () => bad('wrong file_id or the file is temporarily unavailable'),
  fileTooBig: () => bad('file is too big'),
  messageToDeleteNotFound: () => bad('message to delete not found'),
  cannotDelete: () => bad("message can't be deleted"),
  messageToEditNotFound: () => bad('message to edit not found'),
  notModified: () => bad('message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message'),
  messageToPinNotFound: () => bad('message to pin not found'),
  badMessageIds: () => bad('message identifiers are not specified'), // guess
  badRequest: (text: string) => bad(text),
};
