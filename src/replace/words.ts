import type { LoadedInventory } from '../base-command.js';
import { theEntryPoint } from '../haproxy/entry.js';

export const entryName = (loaded: LoadedInventory): string => theEntryPoint(loaded.inventory).name;

/** 1800000 → "30 min", 90000 → "90 s". */
export function minutes(ms: number): string {
  return ms >= 60_000 && ms % 60_000 === 0 ? `${ms / 60_000} min` : `${Math.round(ms / 1000)} s`;
}
