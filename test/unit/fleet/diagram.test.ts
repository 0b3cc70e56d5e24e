import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { renderFleetDiagram } from '../../../src/fleet/diagram.js';
import { parseInventory } from '../../../src/inventory/load.js';
import type { Inventory } from '../../../src/inventory/schema.js';

const root = new URL('../../../', import.meta.url);
const EXAMPLE = readFileSync(new URL('inventory.example.yaml', root), 'utf8');
const GOLDEN = new URL('test/fixtures/golden/diagram.example.mmd', root);

function load(text: string): Inventory {
  const result = parseInventory(text, 'test.yaml');
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.inventory;
}

/** The example with some servers changed, e.g. { srv4: { state: 'retired' } }. */
function exampleWith(changes: Record<string, Record<string, unknown>>, extra: Array<Record<string, unknown>> = []): Inventory {
  const doc = parse(EXAMPLE) as { servers: Array<Record<string, unknown>> };
  doc.servers = doc.servers.map((s) => ({ ...s, ...changes[s.name as string] }));
  doc.servers.push(...extra);
  return load(stringify(doc));
}

interface Graph {
  nodes: Map<string, string>;
  edges: Array<{ from: string; to: string; label?: string; dotted: boolean }>;
}

/** Reads the subset of mermaid flowchart syntax the diagram uses; fails on any other line. */
function readMermaid(text: string): Graph {
  const lines = text.trimEnd().split('\n');
  expect(lines[0]).toBe('flowchart TD');
  const graph: Graph = { nodes: new Map(), edges: [] };
  for (const line of lines.slice(1)) {
    const node = /^ {4}([A-Za-z][\w]*)(\["[^"]*"\]|\[[^\]"]+\]|\[\("[^"]*"\)\])$/.exec(line);
    const edge = /^ {4}([A-Za-z]\w*) (-->|-\.->) ?(?:\|"?([^"|]+)"?\| )?([A-Za-z]\w*)$/.exec(line);
    if (node) {
      expect(graph.nodes.has(node[1]!), `node ${node[1]} defined twice`).toBe(false);
      graph.nodes.set(node[1]!, node[2]!.replace(/^\[\(?"?|"?\)?\]$/g, ''));
    } else if (edge) graph.edges.push({ from: edge[1]!, to: edge[4]!, label: edge[3], dotted: edge[2] === '-.->' });
    else throw new Error(`not a line this reader knows: ${JSON.stringify(line)}`);
  }
  for (const e of graph.edges) {
    expect(graph.nodes.has(e.from), `edge from undefined node ${e.from}`).toBe(true);
    expect(graph.nodes.has(e.to), `edge to undefined node ${e.to}`).toBe(true);
  }
  return graph;
}

const nodeOf = (g: Graph, label: RegExp) => {
  const found = [...g.nodes].filter(([, text]) => label.test(text)).map(([id]) => id);
  expect(found, String(label)).toHaveLength(1);
  return found[0]!;
};
const targets = (g: Graph, from: string) => g.edges.filter((e) => e.from === from).map((e) => e.to);

describe('renderFleetDiagram', () => {
  const example = load(EXAMPLE);
  const diagram = renderFleetDiagram(example);
  const g = readMermaid(diagram);

  it('matches the reviewed golden file for the example', () => {
    expect(diagram, 'the diagram of the example changed: review it, then update test/fixtures/golden/diagram.example.mmd').toBe(readFileSync(GOLDEN, 'utf8'));
  });

  it('user → go → HAProxy → every marzban worker', () => {
    const user = nodeOf(g, /^User$/);
    const proxy = nodeOf(g, /^Proxy go\.weclick\.tech/);
    const haproxy = nodeOf(g, /^HAProxy$/);
    expect(targets(g, user)).toContain(proxy);
    expect(targets(g, proxy)).toContain(haproxy);
    const workers = example.servers.filter((s) => s.roles.includes('marzban'));
    expect(workers.length).toBe(4);
    const workerIds = workers.map((w) => nodeOf(g, new RegExp(`^Marzban worker ${w.hostname.replace(/\./g, '\\.')}$`)));
    expect(targets(g, haproxy).sort()).toEqual([...workerIds].sort());
    // Nothing else reaches the workers.
    for (const id of workerIds) expect(g.edges.filter((e) => e.to === id).map((e) => e.from)).toEqual([haproxy]);
  });

  it('management → MySQL, Telegram and the subscription site', () => {
    const management = nodeOf(g, /^Management mngmt\.weclick\.tech$/);
    const mysql = nodeOf(g, /^MySQL db\.weclick\.tech$/);
    const telegram = nodeOf(g, /Telegram/);
    const podpiska = nodeOf(g, /^Subscription podpiska\.weclick\.tech$/);
    expect(targets(g, management).sort()).toEqual([mysql, telegram, podpiska].sort());
    expect(targets(g, podpiska)).toContain(mysql);
  });

  it('every worker reads from and writes to MySQL', () => {
    const mysql = nodeOf(g, /^MySQL /);
    for (const w of example.servers.filter((s) => s.roles.includes('marzban'))) {
      const id = nodeOf(g, new RegExp(`^Marzban worker ${w.hostname.replace(/\./g, '\\.')}$`));
      const toMysql = g.edges.filter((e) => e.from === id && e.to === mysql);
      expect(toMysql.map((e) => e.label)).toEqual(['Reads configuration from', 'Writes traffic usage stats to']);
    }
  });

  it('the Outline server is reached by users directly', () => {
    const outline = nodeOf(g, /^Outline srv2\.weclick\.tech$/);
    expect(g.edges.filter((e) => e.to === outline).map((e) => e.from)).toEqual([nodeOf(g, /^User$/)]);
  });

  it('every server that is not retired appears once', () => {
    for (const s of example.servers) {
      const nodes = [...g.nodes.values()].filter((label) => label.split(' ').includes(s.hostname));
      expect(nodes, s.name).toHaveLength(1);
    }
  });

  it('retired servers are absent', () => {
    const retired = renderFleetDiagram(exampleWith({ srv4: { state: 'retired' }, srv2: { state: 'retired' } }));
    readMermaid(retired);
    expect(retired).not.toContain('srv4');
    expect(retired).not.toContain('srv2');
    expect(retired).toContain('srv3.weclick.tech');
  });

  it('draining workers are drawn as draining: a dotted, labelled edge from HAProxy', () => {
    const graph = readMermaid(renderFleetDiagram(exampleWith({ srv3: { state: 'draining' } })));
    const haproxy = nodeOf(graph, /^HAProxy$/);
    const srv3 = nodeOf(graph, /^Marzban worker srv3\./);
    const srv1 = nodeOf(graph, /^Marzban worker srv1\./);
    expect(graph.edges.find((e) => e.from === haproxy && e.to === srv3)).toEqual({ from: haproxy, to: srv3, label: 'draining', dotted: true });
    expect(graph.edges.find((e) => e.from === haproxy && e.to === srv1)).toMatchObject({ dotted: false, label: undefined });
  });

  it('node ids stay distinct whatever the server names', () => {
    const graph = readMermaid(
      renderFleetDiagram(
        exampleWith({}, [
          { name: 'go-haproxy', hostname: 'go-haproxy.weclick.tech', ipv4: '198.51.100.90', roles: ['marzban'], provider: 'x', expires: '2030-01-01' },
          { name: 'mysql', hostname: 'mysql.weclick.tech', ipv4: '198.51.100.91', roles: ['marzban'], provider: 'x', expires: '2030-01-01' },
          { name: 'user', hostname: 'user.weclick.tech', ipv4: '198.51.100.92', roles: ['outline'], provider: 'x', expires: '2030-01-01' },
        ]),
      ),
    );
    expect(nodeOf(graph, /^HAProxy$/)).toBeTruthy();
    expect(nodeOf(graph, /^Marzban worker go-haproxy\./)).toBeTruthy();
    expect(nodeOf(graph, /^Marzban worker mysql\./)).not.toBe(nodeOf(graph, /^MySQL db\./));
    expect(nodeOf(graph, /^Outline user\./)).not.toBe(nodeOf(graph, /^User$/));
  });

  it('uses the fleet names and zone', () => {
    const doc = parse(EXAMPLE) as { fleet: { names: Record<string, string>; mysql: Record<string, unknown>; cloudflare: Record<string, unknown> } };
    doc.fleet.names.subscription = 'sub';
    doc.fleet.mysql.host = 'sql.weclick.tech';
    const text = renderFleetDiagram(load(stringify(doc)));
    readMermaid(text);
    expect(text).toContain('Subscription sub.weclick.tech');
    expect(text).toContain('MySQL sql.weclick.tech');
    expect(text).toContain('Cloudflare DNS (weclick.tech)');
  });
});
