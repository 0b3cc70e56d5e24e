#!/usr/bin/env node
// Prints the reliability figures recorded by test/reliability (figures.ts) as a Markdown table.
// usage: node scripts/reliability-table.js FIGURES.jsonl
import { existsSync, readFileSync } from 'node:fs';

const file = process.argv[2];
if (!file || !existsSync(file)) {
  console.error(`reliability-table: no figures at ${file ?? '(no file given)'}: the reliability tests did not run`);
  process.exit(1);
}
// The last figure of each id wins (a re-run replaces an earlier one).
const figures = new Map();
for (const line of readFileSync(file, 'utf8').split('\n')) {
  if (line.trim() === '') continue;
  const figure = JSON.parse(line);
  figures.set(figure.id, figure);
}
const rows = [...figures.values()];
console.log('| promise | tried | failures (goal 0) | scale | detail |');
console.log('|---|---:|---:|---|---|');
for (const f of rows) console.log(`| ${f.promise} | ${f.tried} ${f.unit} | ${f.failed} | ${f.scale} | ${f.detail ?? ''} |`);
const failed = rows.reduce((n, f) => n + f.failed, 0);
console.log(`\n${rows.length} figures, ${failed} failure(s) in all`);
