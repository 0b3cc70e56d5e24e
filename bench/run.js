#!/usr/bin/env node
// npm run bench: every benchmark the issues name, each side by side with its baseline, in one run.
import { benchStartup } from './startup.js';

const sections = [benchStartup];
const only = process.argv[2];
for (const section of sections) {
  if (only && !section.name.toLowerCase().includes(only.toLowerCase())) continue;
  console.log(await section());
}
