import { parseInventory } from '../src/inventory/load.ts';
import { planInventoryEdit } from '../src/inventory/plan-edit.ts';
import { readFileSync } from 'node:fs';
const ex = readFileSync('inventory.example.yaml','utf8').replace(/\n/g, '\r\n');
const r = parseInventory(ex, 'inv.yaml'); if (!r.ok) throw 1;
const p = planInventoryEdit(r, (doc) => doc.setIn(['servers', 0, 'expires'], '2025-03-06'));
console.log(JSON.stringify(p.after.split('\n').slice(33, 38)));
console.log(p.diff.split('\n').length);
