import * as z from 'zod';
import { inventorySchema } from './schema.js';

/** The inventory's JSON Schema, generated from the zod schema, for editors (yaml-language-server). */
export function inventoryJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(inventorySchema, { io: 'input', target: 'draft-7', unrepresentable: 'any' });
  return { ...schema, $id: 'https://weclick.tech/inventory.schema.json', title: 'weclick inventory' };
}

export function renderInventoryJsonSchema(): string {
  return `${JSON.stringify(inventoryJsonSchema(), null, 2)}\n`;
}
