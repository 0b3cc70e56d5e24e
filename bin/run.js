#!/usr/bin/env node
import module from 'node:module';

// Node >= 22.1 caches compiled bytecode between runs; on Node 20 this is a no-op.
module.enableCompileCache?.();
const { execute } = await import('../dist/cli.js');
await execute({ dir: import.meta.url });
