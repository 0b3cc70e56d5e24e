import { quoteArg } from '../../remote/shell.js';
import { parseAccessTxt } from '../../outline/access.js';
import { registerSecret } from '../../ui/redact.js';
import { SECRET_PATHS } from '../secrets.js';
import { activationStep } from '../steps/activate.js';
import { commandStep } from '../steps/command.js';
import { selfSignedCertificateStep } from './certificate.js';
import { fileStep, sha256 } from '../steps/file.js';
import { assertRan, runFact, type Change, type Step } from '../step.js';
import { DOCKER_PS_PROBE, dockerStep, isUp, waitUpLine } from './docker.js';
import type { RoleInput } from './input.js';

export const OUTLINE_DIR = '/opt/outline';
export const OUTLINE_STATE = `${OUTLINE_DIR}/persisted-state`;
export const ACCESS_TXT = `${OUTLINE_DIR}/access.txt`;
const CRT = `${OUTLINE_STATE}/shadowbox-selfsigned.crt`;
const KEY = `${OUTLINE_STATE}/shadowbox-selfsigned.key`;
const PREFIX = `${OUTLINE_STATE}/weclick-api-prefix`;

/**
 * What Outline's install_server.sh does, without prompts and idempotently: the state folder, a secret API
 * prefix and a self-signed certificate (made once, on the host), the server config, shadowbox and watchtower
 * containers, access.txt; then apiUrl and certSha256 are read back into the secrets file.
 */
export function outlineRole(input: RoleInput): Step[] {
  const { server, settings, templates } = input;
  const host = server.name;
  const startShadowbox = templates.render('outline/start_container.sh.hbs', { stateDir: OUTLINE_STATE, image: settings.outlineImage, apiPort: settings.outlineApiPort, containerName: 'shadowbox' });
  const startWatchtower = templates.render('outline/start_watchtower.sh.hbs', { image: settings.watchtowerImage, containerName: 'watchtower' });
  const serverConfig = templates.render('outline/shadowbox_server_config.json.hbs', { hostname: server.hostname, keysPort: settings.outlineKeysPort, name: `Outline (${server.name})` });
  const apiBase = `https://${server.ipv4}:${settings.outlineApiPort}/`;
  // The expected access.txt, computed on the host from its certificate and prefix.
  const accessTxt = `sha=$(openssl x509 -in ${quoteArg(CRT)} -noout -fingerprint -sha256 | sed 's/.*=//; s/://g') && printf 'certSha256:%s\\napiUrl:%s%s\\n' "$sha" ${quoteArg(apiBase)} "$(cat ${quoteArg(PREFIX)})"`;

  return [
    dockerStep(host, 'outline'),
    selfSignedCertificateStep({
      host,
      role: 'outline',
      id: 'outline:material',
      describe: 'Outline API prefix and self-signed certificate',
      crt: CRT,
      key: KEY,
      commonName: server.hostname,
      days: 36500,
      bits: 4096,
      // The secret API prefix: 16 random bytes, URL-safe base64 without padding, as install_server.sh makes it.
      before: [`umask 0007`, `if [ ! -s ${quoteArg(PREFIX)} ]; then head -c 16 /dev/urandom | base64 | tr '/+' '_-' | tr -d '=\\n' > ${quoteArg(`${PREFIX}.tmp`)}; mv -f ${quoteArg(`${PREFIX}.tmp`)} ${quoteArg(PREFIX)}; fi`],
      alsoRequire: [`[ -s ${quoteArg(PREFIX)} ]`],
      summary: 'generate the secret API prefix and a self-signed certificate (RSA 4096, 100 years) on the host',
    }),
    // Shadowbox rewrites this file when its settings change through the API: written once, then left to it.
    fileStep({ host, role: 'outline', path: `${OUTLINE_STATE}/shadowbox_server_config.json`, content: serverConfig, mode: 0o660, createOnly: true }),
    fileStep({ host, role: 'outline', path: `${OUTLINE_DIR}/start_container.sh`, content: startShadowbox, mode: 0o700, owner: 'root' }),
    fileStep({ host, role: 'outline', path: `${OUTLINE_DIR}/start_watchtower.sh`, content: startWatchtower, mode: 0o700, owner: 'root' }),
    activationStep({
      host,
      role: 'outline',
      id: 'outline:containers',
      describe: 'shadowbox and watchtower containers',
      marker: 'outline-containers',
      hash: sha256([startShadowbox, startWatchtower].join('\0')),
      probes: [DOCKER_PS_PROBE],
      running: (facts) => isUp(facts, 'shadowbox', settings.outlineImage) && isUp(facts, 'watchtower', settings.watchtowerImage),
      summary: (reason) => `(re)start shadowbox and watchtower (${reason === 'changed' ? 'start scripts changed' : 'not running'})`,
      script: () =>
        [
          'set -e',
          'docker rm -f shadowbox watchtower >/dev/null 2>&1 || true',
          `sh ${OUTLINE_DIR}/start_container.sh`,
          `sh ${OUTLINE_DIR}/start_watchtower.sh`,
          waitUpLine(['shadowbox', 'watchtower']),
        ].join('\n'),
    }),
    commandStep({
      host,
      role: 'outline',
      id: 'outline:access',
      describe: ACCESS_TXT,
      probe: `want=$(${accessTxt}) || exit 2\n[ "$(cat ${quoteArg(ACCESS_TXT)} 2>/dev/null)" = "$want" ]`,
      check: (run) => (run.code === 0 ? null : `write ${ACCESS_TXT} (certSha256 and apiUrl, as the installer does)`),
      script: () => `set -e\numask 077\nwant=$(${accessTxt})\nprintf '%s\\n' "$want" > ${quoteArg(`${ACCESS_TXT}.tmp`)}\nmv -f ${quoteArg(`${ACCESS_TXT}.tmp`)} ${quoteArg(ACCESS_TXT)}`,
    }),
    readBackStep(input),
  ];
}

/** apiUrl and certSha256 from the host's access.txt into the secrets file (mode 0600, never printed). */
function readBackStep(input: RoleInput): Step {
  const host = input.server.name;
  const stored = input.secrets.outline[host] ?? {};
  const probeId = 'outline:readback';
  const read = `cat ${quoteArg(ACCESS_TXT)}`;
  return {
    host,
    role: 'outline',
    id: probeId,
    describe: 'apiUrl and certSha256 into the secrets file',
    spec: { kind: 'local', what: 'secrets file: outline apiUrl, certSha256' },
    probes: [{ kind: 'run', id: probeId, script: read }],
    check(facts): Change {
      const access = parseAccessTxt(runFact(facts, probeId).output);
      if (access.apiUrl) registerSecret(access.apiUrl);
      if (access.apiUrl && access.apiUrl === stored.apiUrl && access.certSha256 === stored.certSha256) return { kind: 'none' };
      return { kind: 'change', summary: `store ${host}'s apiUrl and certSha256 in the secrets file (values not shown)` };
    },
    async apply({ session, local }) {
      const result = await session.run(['cat', ACCESS_TXT], { sudo: true, timeoutMs: 15_000 });
      assertRan(result, `reading ${ACCESS_TXT}`);
      const access = parseAccessTxt(result.stdout);
      if (!access.apiUrl || !access.certSha256) throw new Error(`${ACCESS_TXT} on ${host} has no apiUrl or certSha256`);
      registerSecret(access.apiUrl);
      await local.saveSecret([...SECRET_PATHS.outline(host), 'apiUrl'], access.apiUrl);
      await local.saveSecret([...SECRET_PATHS.outline(host), 'certSha256'], access.certSha256);
    },
  };
}
