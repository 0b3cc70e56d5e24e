// Entry point bundled with the commands so that they share one copy of oclif (see scripts/build.js).
export { execute } from '@oclif/core/execute';
