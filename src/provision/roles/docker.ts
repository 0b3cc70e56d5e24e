import { quoteArg } from '../../remote/shell.js';
import { commandStep } from '../steps/command.js';
import type { HostFactsSnapshot, Probe, ProvisionRole, Step } from '../step.js';

export const DOCKER_PS_PROBE: Probe = { kind: 'run', id: 'docker-ps', script: `docker ps --format '{{.Names}}\t{{.Image}}\t{{.Status}}' 2>/dev/null` };

export interface Container {
  name: string;
  image: string;
  status: string;
}

/** Running containers, from the docker-ps probe. */
export function containers(facts: HostFactsSnapshot): Container[] {
  const run = facts.runs.get('docker-ps');
  if (!run || run.code !== 0) return [];
  return run.output
    .split('\n')
    .map((line) => line.split(/\t|\\t/))
    .filter((cells) => cells.length >= 3)
    .map(([name, image, status]) => ({ name: name!, image: image!, status: status! }));
}

export function isUp(facts: HostFactsSnapshot, name: string, image?: string): boolean {
  return containers(facts).some((c) => c.name === name && c.status.startsWith('Up') && (!image || c.image === image));
}

/** Docker and a compose (v2 plugin, else Debian's docker-compose v1), from the distribution's packages when missing. */
export function dockerStep(host: string, role: ProvisionRole): Step {
  return commandStep({
    host,
    role,
    id: 'docker',
    describe: 'Docker engine and compose',
    probe: `command -v docker >/dev/null 2>&1 || { echo docker=missing; exit 1; }
if docker compose version >/dev/null 2>&1; then echo compose=v2; elif command -v docker-compose >/dev/null 2>&1; then echo compose=v1; else echo compose=missing; exit 1; fi`,
    check(run, _facts, options) {
      if (run.code === 0) return { kind: 'none', detail: run.output.trim() };
      if (options.namespaceTestHost) {
        return { kind: 'blocked', reason: `${host}: no docker with compose (${run.output.trim() || 'not found'}); the test fleet has no Docker engine: install the stand-in docker (test/standins/docker) on this host` };
      }
      return 'install Docker from the distribution (apt-get install docker.io, and docker-compose-v2 or docker-compose)';
    },
    script: () =>
      `export DEBIAN_FRONTEND=noninteractive; apt-get -q update && apt-get -q -y install docker.io && { apt-get -q -y install docker-compose-v2 || apt-get -q -y install docker-compose; } && if [ -d /run/systemd/system ]; then systemctl enable --now docker; fi`,
    timeoutMs: 900_000,
  });
}

/** Shell function `dc`: docker compose v2 when present, else docker-compose v1 (as Marzban's script does). */
export const COMPOSE_FUNCTION = 'dc() { if docker compose version >/dev/null 2>&1; then docker compose "$@"; else docker-compose "$@"; fi; }';

/** Waits until each container reports Up; on failure prints the last log lines. */
export function waitUpLine(names: string[], seconds = 60): string {
  return names
    .map(
      (name) =>
        `i=0; until docker ps --filter ${quoteArg(`name=^${name}$`)} --format '{{.Status}}' | grep -q '^Up'; do i=$((i + 1)); if [ "$i" -ge ${seconds} ]; then echo ${quoteArg(`${name} is not running ${seconds} s after start; its last log lines:`)} >&2; docker logs --tail 30 ${quoteArg(name)} >&2 || true; exit 1; fi; sleep 1; done`,
    )
    .join('\n');
}
