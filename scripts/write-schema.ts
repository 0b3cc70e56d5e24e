// Regenerates inventory.schema.json from the zod schema (npm run schema). A test fails when it is stale.
import { writeFileSync } from 'node:fs';
import { renderInventoryJsonSchema } from '../src/inventory/json-schema.js';

writeFileSync(new URL('../inventory.schema.json', import.meta.url), renderInventoryJsonSchema());
console.log('wrote inventory.schema.json');
