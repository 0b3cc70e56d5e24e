// Entry point of the Telegram Bot API stand-in used by weclick's tests and benchmark.
export { startTelegramStandin } from './server.js';
export { DELETE_WINDOW_SECONDS } from './store.js';
export type { ChatInfo, Fault, FaultMatch, RequestLogEntry, StandinOptions, StoredFile, StoredMessage, TelegramStandin } from './types.js';
