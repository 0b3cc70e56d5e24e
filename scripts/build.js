#!/usr/bin/env node
// Bundles the CLI and every command into ESM chunks that share one copy of oclif, zod and yaml.
// Why: importing them as hundreds of separate files costs more than the work `weclick expiring`
// does (measured: ~150 ms of module loading unbundled). Heavy libraries used by a single command
// (ssh2, cloudflare, mysql2, telegraf, inquirer, listr2) stay external and are imported lazily.
import { build } from 'esbuild';
import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

const external = ['typescript', 'ssh2', 'node-ssh', 'cloudflare', 'mysql2', 'telegraf', 'inquirer', 'listr2', 'ics', 'cpu-features'];

function commandFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return commandFiles(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

rmSync('dist', { recursive: true, force: true });
await build({
  entryPoints: ['src/cli.ts', ...commandFiles('src/commands')],
  outdir: 'dist',
  outbase: 'src',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  minify: true,
  sourcemap: 'linked',
  chunkNames: 'chunks/[name]-[hash]',
  external,
  // CommonJS dependencies bundled into ESM still use require, __filename and __dirname.
  banner: {
    js: 'import{createRequire as __wr}from"node:module";import{fileURLToPath as __wf}from"node:url";import{dirname as __wd}from"node:path";const require=__wr(import.meta.url);const __filename=__wf(import.meta.url);const __dirname=__wd(__filename);',
  },
  logLevel: 'warning',
});
