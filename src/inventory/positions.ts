import { isMap, isPair, isScalar, isSeq, type Document, type LineCounter, type Node, type Pair, type YAMLMap } from 'yaml';

export interface Position {
  line: number;
  column: number;
}

/**
 * Where a path points in the YAML source. Falls back to the nearest existing ancestor, so a
 * missing key is reported at the map that lacks it. With `key`, points at that key of the map.
 */
export function locate(doc: Document, counter: LineCounter, path: readonly PropertyKey[], key?: string): Position {
  let node: unknown = doc.contents;
  let offset = rangeStart(node) ?? 0;
  for (const part of path) {
    const next = child(node, part);
    if (next === undefined) break;
    node = next.value;
    offset = next.keyOffset ?? rangeStart(node) ?? offset;
    if (rangeStart(node) !== undefined) offset = rangeStart(node)!;
  }
  if (key !== undefined && isMap(node)) {
    const pair = pairsByKey(node).get(key);
    const start = pair ? rangeStart(pair.key) : undefined;
    if (start !== undefined) offset = start;
  }
  const { line, col } = counter.linePos(offset);
  return { line, column: col };
}

function child(node: unknown, part: PropertyKey): { value: unknown; keyOffset?: number } | undefined {
  if (isMap(node)) {
    const pair = pairsByKey(node).get(String(part));
    if (!pair) return undefined;
    return { value: pair.value ?? pair.key, keyOffset: rangeStart(pair.key) };
  }
  if (isSeq(node) && typeof part === 'number') {
    const item = node.items[part];
    return item === undefined ? undefined : { value: item };
  }
  return undefined;
}

// A map's pairs by key text, built once per map: locating every one of 100,000 unknown keys by scanning the map
// each time was quadratic.
const indexes = new WeakMap<YAMLMap, Map<string, Pair>>();

function pairsByKey(map: YAMLMap): Map<string, Pair> {
  let index = indexes.get(map);
  if (!index) {
    index = new Map();
    for (const pair of map.items) {
      if (!isPair(pair) || !isScalar(pair.key)) continue;
      const key = String(pair.key.value);
      if (!index.has(key)) index.set(key, pair);
    }
    indexes.set(map, index);
  }
  return index;
}

function rangeStart(node: unknown): number | undefined {
  const range = (node as Node | undefined)?.range;
  return range ? range[0] : undefined;
}
