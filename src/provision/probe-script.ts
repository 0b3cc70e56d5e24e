// All of a host's probes in one POSIX sh script (one SSH round trip), and the parser for its output.
// Forks are what a converged host costs, so files share one sha256sum and one stat, packages one
// dpkg-query, and file contents are fetched only for files that differ from what is wanted.
import { quoteArg } from '../remote/shell.js';
import { probeKey, type FileFact, type HostFactsSnapshot, type Probe, type RunFact } from './step.js';

const MARK = '@@weclick-probe';
/** Suffix of the temp file a put writes before renaming it over the target (files.ts). */
export const TEMP_SUFFIX = '.weclick-new';
const MAX_CONTENT = 1024 * 1024;

type FileProbe = Extract<Probe, { kind: 'file' }>;
type RunProbe = Extract<Probe, { kind: 'run' }>;

/** Merges probes of many steps: one entry per file, package and run id; a wanted sha or content request wins. */
export function mergeProbes(probes: Probe[]): { files: FileProbe[]; packages: string[]; runs: RunProbe[] } {
  const files = new Map<string, FileProbe>();
  const packages = new Set<string>();
  const runs = new Map<string, RunProbe>();
  for (const probe of probes) {
    if (probe.kind === 'package') packages.add(probe.name);
    else if (probe.kind === 'run') {
      runs.set(probeKey(probe), probe);
      if (probe.unlessFile) addFile(files, { kind: 'file', path: probe.unlessFile.path, sha256: probe.unlessFile.sha256 });
    } else addFile(files, probe);
  }
  return { files: [...files.values()], packages: [...packages], runs: [...runs.values()] };
}

function addFile(files: Map<string, FileProbe>, probe: FileProbe): void {
  const seen = files.get(probe.path);
  files.set(probe.path, { ...seen, ...probe, sha256: probe.sha256 ?? seen?.sha256, withContent: Boolean(probe.withContent || seen?.withContent) });
}

/** The script, to be fed to `sh -s` on stdin. The whole body is one brace group, so no command can read the rest of the script. */
export function probeScript(probes: Probe[]): string {
  const { files, packages, runs } = mergeProbes(probes);
  const q = quoteArg;
  const lines = ['{', 'export LC_ALL=C', `M=${MARK}`, 'echo "$M sm"', 'if [ -d /run/systemd/system ]; then echo systemd; else echo none; fi'];
  lines.push('sums=');
  if (files.length > 0) {
    const paths = files.map((f) => q(f.path)).join(' ');
    lines.push(`sums=$(sha256sum -- ${paths} 2>/dev/null)`, 'echo "$M sha"', `printf '%s\\n' "$sums"`);
    lines.push('echo "$M stat"', `stat -c '%a %U %G %n' -- ${files.flatMap((f) => [q(f.path), q(f.path + TEMP_SUFFIX)]).join(' ')} 2>/dev/null`);
    for (const file of files) {
      if (!file.withContent) continue;
      const fetch = `if [ -f ${q(file.path)} ]; then echo "$M content ${file.path}"; head -c ${MAX_CONTENT} -- ${q(file.path)} | base64 -w0; echo; fi`;
      // Only a file that differs from the wanted content is worth sending back (for its diff).
      lines.push(file.sha256 ? `case "$sums" in *${q(`${file.sha256}  ${file.path}`)}*) ;; *) ${fetch};; esac` : fetch);
    }
  }
  if (packages.length > 0) {
    lines.push('echo "$M pkg"', `dpkg-query -W -f='\${Package} \${Status} \${Version}\\n' -- ${packages.map(q).join(' ')} 2>/dev/null`);
  }
  for (const run of runs) {
    const body = `( ${run.script}\n) 2>&1; printf '\\n%s rc %s\\n' "$M" "$?"`;
    lines.push(`echo "$M run ${run.id}"`);
    lines.push(run.unlessFile ? `case "$sums" in *${q(`${run.unlessFile.sha256}  ${run.unlessFile.path}`)}*) echo "$M same";; *) ${body};; esac` : body);
  }
  lines.push('exit 0', '} </dev/null', '');
  return lines.join('\n');
}

/** Parses what probeScript() printed. Missing sections leave missing facts (files absent, runs not run). */
export function parseProbeOutput(stdout: string, probes: Probe[]): HostFactsSnapshot {
  const { files, packages } = mergeProbes(probes);
  const snapshot: HostFactsSnapshot = { serviceManager: 'none', files: new Map(), packages: new Map(), runs: new Map() };
  for (const file of files) snapshot.files.set(file.path, { exists: false, leftoverTemp: false });
  for (const name of packages) snapshot.packages.set(name, null);

  let section = '';
  let runId = '';
  let runLines: string[] = [];
  const temps = new Set<string>();
  for (const line of stdout.split('\n')) {
    if (line.startsWith(`${MARK} `)) {
      const [kind = '', ...rest] = line.slice(MARK.length + 1).split(' ');
      const arg = rest.join(' ');
      if (kind === 'rc' || kind === 'same') {
        const run: RunFact = kind === 'same' ? { code: 0, output: '', same: true } : { code: Number(arg), output: runLines.join('\n').trimEnd(), same: false };
        if (runId) snapshot.runs.set(runId, run);
        runId = '';
        section = '';
        continue;
      }
      section = kind;
      if (kind === 'run') {
        runId = arg;
        runLines = [];
      } else if (kind === 'content') runId = arg; // the file path, for the next line
      continue;
    }
    if (section === 'sm' && line.trim()) snapshot.serviceManager = line.trim() === 'systemd' ? 'systemd' : 'none';
    else if (section === 'sha') {
      const match = /^([0-9a-f]{64}) [ *](.+)$/.exec(line);
      if (match) update(snapshot, match[2]!, { exists: true, sha256: match[1]! });
    } else if (section === 'stat') {
      const match = /^([0-7]+) (\S+) (\S+) (.+)$/.exec(line);
      if (!match) continue;
      const path = match[4]!;
      if (path.endsWith(TEMP_SUFFIX)) temps.add(path.slice(0, -TEMP_SUFFIX.length));
      else update(snapshot, path, { exists: true, mode: Number.parseInt(match[1]!, 8), owner: match[2]!, group: match[3]! });
    } else if (section === 'content') {
      update(snapshot, runId, { content: Buffer.from(line.trim(), 'base64').toString('utf8') });
      section = '';
    } else if (section === 'pkg') {
      const match = /^(\S+) install ok installed (\S+)$/.exec(line.trim());
      if (match) snapshot.packages.set(match[1]!, match[2]!);
    } else if (section === 'run') runLines.push(line);
  }
  for (const path of temps) update(snapshot, path, { leftoverTemp: true });
  return snapshot;
}

function update(snapshot: HostFactsSnapshot, path: string, patch: Partial<FileFact>): void {
  const current = snapshot.files.get(path) ?? { exists: false, leftoverTemp: false };
  snapshot.files.set(path, { ...current, ...patch });
}
