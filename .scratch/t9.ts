import { parseInventory } from '../src/inventory/load.ts';
import { planInventoryEdit } from '../src/inventory/plan-edit.ts';
import { readFileSync } from 'node:fs';
let ex = readFileSync('inventory.example.yaml','utf8');
ex = ex.replace('servers:\n', 'servers:\n\n\n   # workers and friends\n#tight comment\n').replace('    provider: IP Hoster\n    expires: 2025-03-23', '    provider:    IP Hoster     #  odd   spacing\n    expires:   2025-03-23').replace('roles: [marzban]\n    provider: pq.hosting\n    expires: 2025-03-09', 'roles: [ marzban ]\n    provider: pq.hosting\n    expires: 2025-03-09   # renewed by hand\n\n\n');
ex = ex.replace(/\n$/, '');
const r = parseInventory(ex, 'inv.yaml'); if (!r.ok) throw new Error(JSON.stringify(r.problems));
for (const [label, f] of [
  ['renew srv1', (doc: any) => doc.setIn(['servers', 2, 'expires'], '2025-04-09')],
  ['renew srv2', (doc: any) => doc.setIn(['servers', 3, 'expires'], '2025-04-23')],
  ['add', (doc: any) => doc.addIn(['servers'], doc.createNode({name:'srv6', hostname:'srv6.weclick.tech', ipv4:'198.51.100.26', roles:['marzban'], provider:'x', expires:'2026-01-01'}))],
  ['delete srv2', (doc: any) => doc.deleteIn(['servers', 3])],
  ['delete last', (doc: any) => doc.deleteIn(['servers', 6])],
  ['unset price', (doc: any) => doc.deleteIn(['servers', 3, 'price'])],
] as const) {
  const p = planInventoryEdit(r, f as any);
  console.log('=====', label); console.log(p.diff);
}
