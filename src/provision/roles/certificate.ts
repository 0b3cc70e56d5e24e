import { quoteArg } from '../../remote/shell.js';
import { commandStep } from '../steps/command.js';
import type { ProvisionRole, Step } from '../step.js';

export interface CertificateInput {
  host: string;
  role: ProvisionRole;
  id: string;
  describe: string;
  crt: string;
  key: string;
  commonName: string;
  days: number;
  bits: number;
  /** subjectAltName, e.g. DNS:podpiska.example.com */
  altName?: string;
  /** More idempotent sh lines that run first (e.g. creating a secret beside the certificate). */
  before?: string[];
  /** More conditions the probe requires (sh tests). */
  alsoRequire?: string[];
  summary: string;
}

/**
 * A self-signed certificate made on the host, once. The check also proves the certificate and the key belong
 * together, so two runs racing (one killed, its openssl still finishing) can never leave a mismatched pair.
 */
export function selfSignedCertificateStep(input: CertificateInput): Step {
  const crt = quoteArg(input.crt);
  const key = quoteArg(input.key);
  const paired = `[ -s ${crt} ] && [ -s ${key} ] && [ "$(openssl x509 -in ${crt} -noout -pubkey 2>/dev/null)" = "$(openssl pkey -in ${key} -pubout 2>/dev/null)" ]`;
  const tmp = (path: string) => quoteArg(`${path}.tmp`);
  return commandStep({
    host: input.host,
    role: input.role,
    id: input.id,
    describe: input.describe,
    probe: [paired, ...(input.alsoRequire ?? [])].join(' && '),
    check: (run) => (run.code === 0 ? null : input.summary),
    script: () =>
      [
        'set -e',
        'umask 077',
        `mkdir -p ${quoteArg(input.crt.replace(/\/[^/]+$/, ''))}`,
        ...(input.before ?? []),
        `if ! { ${paired}; }; then`,
        `  openssl req -x509 -nodes -days ${input.days} -newkey rsa:${input.bits} -subj ${quoteArg(`/CN=${input.commonName}`)}${input.altName ? ` -addext ${quoteArg(`subjectAltName=${input.altName}`)}` : ''} -keyout ${tmp(input.key)}.$$ -out ${tmp(input.crt)}.$$ 2>/dev/null`,
        `  mv -f ${tmp(input.key)}.$$ ${key}`,
        `  mv -f ${tmp(input.crt)}.$$ ${crt}`,
        'fi',
      ].join('\n'),
  });
}
