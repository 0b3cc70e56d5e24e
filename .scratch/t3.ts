import { renderInventoryJsonSchema } from '../src/inventory/json-schema.ts';
import { readFileSync } from 'node:fs';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';
const s = renderInventoryJsonSchema();
console.log('equal', s === readFileSync('/work/main/inventory.schema.json','utf8'));
const ajv = new (Ajv as any)({ allErrors: true, strict: false }); (addFormats as any)(ajv);
const v = ajv.compile(JSON.parse(s));
const ex = parse(readFileSync('/work/main/inventory.example.yaml','utf8'));
console.log(v(ex), v.errors);
ex.servers[0].roles = ['bogus']; console.log(v(ex), v.errors?.length);
const ajv2 = new (Ajv as any)({ allErrors: true }); (addFormats as any)(ajv2);
try { ajv2.compile(JSON.parse(s)); console.log('strict ok'); } catch (e) { console.log('strict fail', e.message); }
