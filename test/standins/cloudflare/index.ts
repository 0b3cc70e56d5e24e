// Entry point of the Cloudflare DNS API v4 stand-in used by weclick's tests.
export { startCloudflareStandin } from './server.js';
export type {
  CloudflareStandin,
  Fault,
  FaultMatch,
  RecordResponse,
  RequestLogEntry,
  SeedRecord,
  StandinOptions,
} from './types.js';
