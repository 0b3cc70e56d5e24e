import { isMap, isSeq, type Document } from 'yaml';

/** Index of the server called `name` in the document's servers list, or -1. */
export function serverIndex(doc: Document, name: string): number {
  const servers = doc.get('servers');
  if (!isSeq(servers)) return -1;
  return servers.items.findIndex((item) => isMap(item) && item.get('name') === name);
}
