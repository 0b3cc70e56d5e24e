import { createHash } from 'node:crypto';
import { dirname } from 'node:path';
import { unifiedDiff } from '../../plan/file-diff.js';
import { andThen, quoteArg } from '../../remote/shell.js';
import { TEMP_SUFFIX } from '../probe-script.js';
import { assertRan, fileFact, runFact, type Change, type ProvisionRole, type Step } from '../step.js';

export const sha256 = (text: string | Buffer): string => createHash('sha256').update(text).digest('hex');
const modeString = (mode: number) => mode.toString(8).padStart(4, '0');

export interface FileStepInput {
  host: string;
  role: ProvisionRole;
  path: string;
  content: string;
  mode: number;
  owner?: string;
  group?: string;
  /** Secrets inside: the plan says that it changes, never what. */
  sensitive?: boolean;
  /**
   * sh snippet that validates a candidate file passed as "$1" (e.g. `haproxy -c -f "$1"`). It runs on the host
   * against the candidate while planning, and again on the uploaded temp file before it replaces the live one.
   */
  validate?: { script: string; name: string };
  /** Write only when missing; the host owns the file afterwards (e.g. state a daemon rewrites). */
  createOnly?: boolean;
  /** Keep the replaced file as PATH.weclick-prev (for a step that may have to roll back). */
  keepPrevious?: boolean;
  describe?: string;
}

/** A file with this exact content, mode and owner: idempotent, atomic (temp file, validate, rename). */
export function fileStep(input: FileStepInput): Step {
  const want = sha256(input.content);
  const validateId = `validate:${input.path}`;
  return {
    host: input.host,
    role: input.role,
    id: `file:${input.path}`,
    describe: input.describe ?? `${input.path}`,
    spec: { kind: 'file', path: input.path, content: input.content, mode: input.mode, owner: input.owner, group: input.group, sensitive: Boolean(input.sensitive), validate: input.validate?.name },
    probes: [
      { kind: 'file', path: input.path, sha256: want, withContent: !input.sensitive },
      ...(input.validate ? [{ kind: 'run' as const, id: validateId, script: candidateCheck(input.content, input.validate.script), unlessFile: { path: input.path, sha256: want } }] : []),
    ],
    check(facts) {
      const fact = fileFact(facts, input.path);
      if (input.createOnly && fact.exists) return fact.leftoverTemp ? { kind: 'change', summary: `remove ${input.path}${TEMP_SUFFIX} left by an interrupted run` } : { kind: 'none' };
      if (input.validate && !(fact.exists && fact.sha256 === want)) {
        const result = runFact(facts, validateId);
        if (result.code !== 0) {
          const output = result.output.split('\n').filter((l) => l.trim()).slice(-12).join('\n');
          return { kind: 'blocked', reason: `${input.path}: the rendered file is rejected by \`${input.validate.name}\` on ${input.host}${output ? `:\n${output}` : ''}` };
        }
      }
      return fileChange(input, fact, want);
    },
    async apply({ session }) {
      const tmp = input.path + TEMP_SUFFIX;
      const owner = input.owner ? `${input.owner}:${input.group ?? input.owner}` : undefined;
      const steps: string[][] = [
        ['mkdir', '-p', dirname(input.path)],
        ['sh', '-c', 'umask 077 && cat > "$1"', 'sh', tmp],
        receivedWhole(tmp, want),
        ['chmod', modeString(input.mode), tmp],
        ...(owner ? [['chown', owner, tmp]] : []),
        ...(input.validate ? [['sh', '-c', input.validate.script, 'sh', tmp]] : []),
        ...(input.keepPrevious ? [['sh', '-c', 'if [ -e "$1" ]; then cp -p "$1" "$1.weclick-prev"; fi', 'sh', input.path]] : []),
        ['mv', '-f', tmp, input.path],
      ];
      const result = await session.shell(andThen(...steps), { sudo: true, stdin: input.content, timeoutMs: 60_000 });
      if (result.code !== 0) {
        await session.run(['rm', '-f', tmp], { sudo: true, timeoutMs: 10_000 }).catch(() => undefined);
        assertRan(result, input.validate ? `installing ${input.path} (validated with ${input.validate.name})` : `writing ${input.path}`);
      }
    },
  };
}

/**
 * argv that fails (and removes the temp file) unless it holds exactly the wanted bytes. If the connection drops
 * before or while the content is sent (weclick killed, network lost), `cat` on the host just sees the end of its
 * input: without this check the commands after it would install an empty or cut-off file.
 */
export function receivedWhole(tmp: string, sha: string): string[] {
  const script = 'if [ "$(sha256sum < "$1" | cut -d " " -f 1)" != "$2" ]; then rm -f "$1"; echo "$1: the content arrived incomplete (connection lost?); not installed" >&2; exit 1; fi';
  return ['sh', '-c', script, 'sh', tmp, sha];
}

function fileChange(input: FileStepInput, fact: ReturnType<typeof fileFact>, want: string): Change {
  const cleanup = fact.leftoverTemp ? ` (and remove ${input.path}${TEMP_SUFFIX} left by an interrupted run)` : '';
  if (!fact.exists) {
    return { kind: 'change', summary: `create ${input.path}${cleanup}`, diff: input.sensitive ? `${input.path}: created (sensitive, not shown)` : unifiedDiff(input.path, '', input.content) };
  }
  if (fact.sha256 !== want) {
    const diff = input.sensitive ? `${input.path}: content changes (sensitive, not shown)` : fact.content !== undefined ? unifiedDiff(input.path, fact.content, input.content) : `${input.path}: content changes`;
    return { kind: 'change', summary: `update ${input.path}${cleanup}`, diff };
  }
  if (fact.mode !== input.mode) return { kind: 'change', summary: `chmod ${modeString(input.mode)} ${input.path} (was ${modeString(fact.mode ?? 0)})${cleanup}` };
  const owner = input.owner ? `${input.owner}:${input.group ?? input.owner}` : undefined;
  if (owner && `${fact.owner}:${fact.group}` !== owner) return { kind: 'change', summary: `chown ${owner} ${input.path} (was ${fact.owner}:${fact.group})${cleanup}` };
  if (fact.leftoverTemp) return { kind: 'change', summary: `remove ${input.path}${TEMP_SUFFIX} left by an interrupted run` };
  return { kind: 'none' };
}

/**
 * A probe snippet that writes the candidate to a private temp dir and runs the validator on it: the live file
 * is never touched while planning. The heredoc delimiter is derived from the content so it cannot occur in it.
 */
export function candidateCheck(content: string, validate: string): string {
  let delimiter = `WECLICK_EOF_${sha256(content).slice(0, 12)}`;
  while (content.includes(delimiter)) delimiter += '_';
  const body = content.endsWith('\n') ? content.slice(0, -1) : content;
  return [
    'd=$(mktemp -d) || exit 1',
    `cat > "$d/candidate" <<'${delimiter}'`,
    body,
    delimiter,
    `sh -c ${quoteArg(validate)} sh "$d/candidate"`,
    'rc=$?',
    'rm -rf "$d"',
    'exit $rc',
  ].join('\n');
}

/** A marker records which content a daemon last (re)loaded, so a run killed between write and reload still reloads next time. */
export const MARKER_DIR = '/var/lib/weclick/applied';
export const markerPath = (name: string) => `${MARKER_DIR}/${name}`;
export const markerContent = (hash: string) => `${hash}\n`;

/** Writes a marker atomically (temp file + rename): a shell line for the end of an apply script. */
export function writeMarkerLine(name: string, hash: string): string {
  const path = markerPath(name);
  return andThen(['mkdir', '-p', MARKER_DIR], ['sh', '-c', 'printf "%s\\n" "$2" > "$1.tmp" && mv -f "$1.tmp" "$1"', 'sh', path, hash]);
}

