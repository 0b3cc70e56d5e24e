export { MarzbanApiStandin, type CoreEntry, type RecordedCall } from './server.js';
