#!/usr/bin/env node
// npm run bench [section]: every benchmark the issues name, each side by side with its baseline, in one run.
import { benchBackup } from './backup.js';
import { benchDns } from './dns.js';
import { benchProvision } from './provision.js';
import { benchSsh } from './ssh.js';
import { benchStartup } from './startup.js';
import { benchUsers } from './users.js';

const sections = { startup: benchStartup, ssh: benchSsh, users: benchUsers, dns: benchDns, provision: benchProvision, backup: benchBackup };
const only = process.argv[2];
for (const [name, section] of Object.entries(sections)) {
  if (only && name !== only) continue;
  console.log(await section());
}
