import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { WeclickCommand, type LoadedInventory } from '../base-command.js';
import { serverFieldsFromInput } from '../inventory/server-fields.js';
import type { ReplaceContext } from '../replace/context.js';
import type { ReplacePlan } from '../replace/plan.js';
import type { ReplaceProgress } from '../replace/progress.js';
import type { ReplaceStep } from '../replace/step.js';
import { auditIdentity } from '../remote/audit-identity.js';
import { loadEnvFile } from '../secrets/env-file.js';
import { confirmChange } from '../ui/confirm.js';
import { durationFlag } from '../ui/duration-flag.js';
import { WeclickError } from '../ui/errors.js';
import { EXIT } from '../ui/exit-codes.js';
import { serverFieldFlags } from '../ui/server-flags.js';
import { stepProgress } from '../ui/step-progress.js';

const { state: _state, roles: _roles, ...newServerFlags } = serverFieldFlags;

export default class Replace extends WeclickCommand {
  static summary = 'Replace a server with another one, step by step, with the fleet serving throughout: a worker, the entry point or the management server.';
  static description = `Shows one plan (steps, the inventory change, the DNS record moves), asks (--yes to skip), then applies it with
progress. NEW is a server already in the inventory or added on the spot (--ip, --provider, --expires … as
\`weclick servers add\` takes them); it takes OLD's roles and waits in state standby until it is ready.
  worker:     provision NEW → wait until the entry point reaches it → DNS → NEW into HAProxy as ready → drain OLD and
              wait (--threshold, --deadline) → OLD out of HAProxy, its MySQL account dropped, retired → DNS.
  entry:      open the workers' firewalls to NEW → provision NEW's HAProxy → check it serves → NEW the entry point →
              DNS moves the entry name → OLD keeps its connections until they end or --deadline → retired → DNS.
  management: provision NEW → OLD's MySQL read-only → fresh backup to Telegram → restore on NEW → compare every
              table (rows, CHECKSUM TABLE) → the workers' accounts on NEW → each worker re-pointed and checked, one
              at a time → DNS moves the management, subscription and MySQL names → OLD retired.
Progress is recorded beside the inventory (weclick.replace.json): interrupted anywhere, \`weclick replace --resume\`
continues where it stopped; \`weclick replace --abort\` takes the steps back while OLD is still in service.

Exit codes: 0 replaced, aborted, or plan shown · 1 a step failed (the record is kept: fix the cause, then --resume or --abort) · 2 bad flags · 3 cannot be replaced as asked (no such server, Outline, mixed roles, settings missing, a replace already in progress) · 4 not confirmed, or too late to abort.`;
  static examples = [
    { command: '<%= config.bin %> replace srv2 --with srv6 --ip 198.51.100.26 --provider pq.hosting --expires 2027-06-30', description: 'A worker, NEW added on the spot' },
    { command: '<%= config.bin %> replace go --with go2 --deadline 2h --yes', description: 'The entry point; the old one keeps connections up to 2 hours' },
    { command: '<%= config.bin %> replace mngmt --with mngmt2 --dry-run', description: 'The management server: the plan only' },
    { command: '<%= config.bin %> replace --resume', description: 'Continue an interrupted replace' },
    { command: '<%= config.bin %> replace --abort --yes', description: 'Go back to the old server' },
  ];
  static args = { old: Args.string({ required: false, description: 'The server to replace' }) };
  static flags = {
    with: Flags.string({ summary: 'The server that takes over (in the inventory, or added with --ip, --provider, --expires).' }),
    ...newServerFlags,
    deadline: Flags.string({ default: '30m', summary: 'Longest wait for OLD\'s sessions or connections to end (e.g. 90s, 30m, 2h).' }),
    threshold: Flags.integer({ default: 0, min: 0, summary: 'Sessions OLD may still carry when the wait ends early.' }),
    'health-timeout': Flags.string({ default: '5m', summary: 'Longest wait for NEW to answer (e.g. 2m).' }),
    resume: Flags.boolean({ default: false, exclusive: ['abort', 'with'], summary: 'Continue the replace in progress.' }),
    abort: Flags.boolean({ default: false, exclusive: ['resume', 'with'], summary: 'Take back the replace in progress, while OLD still serves.' }),
    'connect-timeout': Flags.integer({ min: 1, max: 300, summary: 'Seconds to wait for a host to answer.' }),
    yes: Flags.boolean({ char: 'y', default: false, summary: 'Apply without asking.' }),
    'dry-run': Flags.boolean({ default: false, summary: 'Show the plan and change nothing.' }),
  };

  async run() {
    const { args, flags } = await this.parse(Replace);
    const loaded = await this.inventory(flags.inventory);
    const { lockReplace } = await import('../replace/progress.js');
    const release = flags['dry-run'] ? async () => undefined : await lockReplace(loaded.file);
    try {
      return await this.dispatch(loaded, args, flags);
    } finally {
      await release();
    }
  }

  private async dispatch(loaded: LoadedInventory, args: { old?: string }, flags: StartFlags & { with?: string; resume: boolean; abort: boolean }) {
    const { readProgress } = await import('../replace/progress.js');
    const progress = await readProgress(loaded.file);
    if (flags.resume || flags.abort) {
      if (!progress) throw new WeclickError(`no replace in progress (${loaded.file} has no replace record)`, { exitCode: EXIT.badInput });
      return flags.abort ? this.abort(loaded, progress, flags) : this.resume(loaded, progress, flags);
    }
    if (!args.old || !flags.with) {
      if (progress) return this.show(progress);
      throw new WeclickError('say what to replace: weclick replace OLD --with NEW (or --resume / --abort)', { exitCode: EXIT.usage });
    }
    if (progress) throw new WeclickError(`a replace of ${progress.old} by ${progress.new} is in progress: finish it with weclick replace --resume, or take it back with --abort`, { exitCode: EXIT.badInput });
    return this.start(loaded, args.old, flags.with, flags);
  }

  private async start(loaded: LoadedInventory, oldName: string, newName: string, flags: StartFlags) {
    const options = { deadlineMs: durationFlag('--deadline', flags.deadline), threshold: flags.threshold, healthTimeoutMs: durationFlag('--health-timeout', flags['health-timeout']) };
    const { planReplace, preflight, kindWords } = await import('../replace/plan.js');
    const fields = serverFieldsFromInput({ ...flags, hostname: flags.hostname ?? (flags.ip ? `${newName}.${loaded.inventory.fleet.domain}` : undefined) });
    const plan = planReplace(loaded, oldName, newName, options, { fields });
    const env = await loadEnvFile(loaded.file);
    await preflight(plan, loaded, env);
    this.say(this.renderPlan(plan, kindWords(plan.kind)));
    const json = { kind: plan.kind, old: oldName, new: newName, steps: plan.steps.map((s) => ({ id: s.id, title: s.title })), dnsMoves: plan.dnsMoves };
    if (flags['dry-run']) return { ...json, dryRun: true };
    await confirmChange(`Replace ${oldName} with ${newName}?`, { yes: flags.yes });

    const { writeFileAtomically } = await import('../fs/atomic-write.js');
    const existing = loaded.inventory.servers.find((s) => s.name === newName);
    if (plan.staging.changed) await writeFileAtomically(plan.staging.file, plan.staging.after);
    const record: ReplaceProgress = {
      version: 1, kind: plan.kind, old: oldName, new: newName, startedAt: new Date().toISOString(), by: auditIdentity(),
      ...(existing ? { newBefore: { state: existing.state, roles: [...existing.roles] } } : {}),
      options, phase: 'running', steps: plan.steps.map((s) => ({ id: s.id, status: 'pending' as const })), data: {},
    };
    return { ...json, ...(await this.execute(loaded, record, plan.steps, env, flags['connect-timeout'])) };
  }

  private async resume(loaded: LoadedInventory, progress: ReplaceProgress, flags: { yes: boolean; 'dry-run': boolean; 'connect-timeout'?: number }) {
    if (progress.phase === 'aborting') throw new WeclickError(`the replace of ${progress.old} by ${progress.new} was being aborted: finish that with weclick replace --abort`, { exitCode: EXIT.badInput });
    const steps = await this.stepsOf(progress);
    const { stepStatus } = await import('../replace/progress.js');
    const left = steps.filter((s) => stepStatus(progress, s.id) !== 'done');
    this.say(`Resume replacing ${progress.old} with ${progress.new} (${progress.kind}, started ${progress.startedAt} by ${progress.by}); ${left.length} of ${steps.length} step(s) left:`);
    steps.forEach((s, i) => this.say(`  ${i + 1}. ${stepStatus(progress, s.id) === 'done' ? this.colors.dim(`${s.title} (done)`) : s.title}`));
    if (flags['dry-run']) return { kind: progress.kind, old: progress.old, new: progress.new, left: left.map((s) => s.id), dryRun: true };
    await confirmChange(`Continue replacing ${progress.old} with ${progress.new}?`, { yes: flags.yes });
    const result = await this.execute(loaded, progress, steps, await loadEnvFile(loaded.file), flags['connect-timeout']);
    return { kind: progress.kind, old: progress.old, new: progress.new, ...result };
  }

  private async abort(loaded: LoadedInventory, progress: ReplaceProgress, flags: { yes: boolean; 'dry-run': boolean; 'connect-timeout'?: number }) {
    const steps = await this.stepsOf(progress);
    const { abortSteps, assertAbortable, stepsThatRan } = await import('../replace/run.js');
    const ctx = this.context(loaded, progress, await loadEnvFile(loaded.file), flags['connect-timeout']);
    assertAbortable(ctx, steps);
    const undo = stepsThatRan(ctx, steps).filter((s) => s.undo).reverse();
    this.say(`Abort replacing ${progress.old} with ${progress.new}: ${progress.old} stays in service; taken back, last first:`);
    undo.forEach((s, i) => this.say(`  ${i + 1}. undo: ${s.title}`));
    this.say(`  ${undo.length + 1}. DNS follows the inventory again; the replace record is removed (files provisioned on ${progress.new} stay there)`);
    if (flags['dry-run']) return { old: progress.old, new: progress.new, undo: undo.map((s) => s.id), dryRun: true };
    await confirmChange(`Go back to ${progress.old}?`, { yes: flags.yes });
    const shown = await stepProgress(undo, { json: this.jsonEnabled() });
    ctx.events.note = (t) => shown.detail(t);
    try {
      const reports = await abortSteps(ctx, steps, shown.events);
      await shown.finished();
      this.say(`Aborted: ${progress.old} serves as before.`);
      return { old: progress.old, new: progress.new, aborted: true, steps: reports };
    } catch (error) {
      await shown.finished();
      throw error;
    }
  }

  private show(progress: ReplaceProgress) {
    this.say(`A replace of ${progress.old} by ${progress.new} (${progress.kind}) is in progress since ${progress.startedAt}, by ${progress.by}:`);
    for (const s of progress.steps) this.say(`  ${s.status.padEnd(7)} ${s.id}`);
    this.say('Continue with weclick replace --resume, or go back with weclick replace --abort.');
    return { inProgress: progress };
  }

  private async execute(loaded: LoadedInventory, progress: ReplaceProgress, steps: ReplaceStep[], env: Awaited<ReturnType<typeof loadEnvFile>>, connectTimeout?: number) {
    const { runSteps } = await import('../replace/run.js');
    const { saveProgress } = await import('../replace/context.js');
    const ctx = this.context(loaded, progress, env, connectTimeout);
    await saveProgress(ctx);
    const shown = await stepProgress(steps, { json: this.jsonEnabled() });
    ctx.events.note = (t) => shown.detail(t);
    try {
      const reports = await runSteps(ctx, steps, shown.events);
      await shown.finished();
      this.say(`${progress.new} has replaced ${progress.old}; ${progress.old} is retired in ${loaded.file}.`);
      if (progress.kind === 'management') this.say(`If backups were scheduled on ${progress.old}, schedule them on ${progress.new}: weclick backup schedule`);
      return { replaced: true, steps: reports };
    } catch (error) {
      await shown.finished();
      throw error;
    }
  }

  private context(loaded: LoadedInventory, progress: ReplaceProgress, env: Awaited<ReturnType<typeof loadEnvFile>>, connectTimeout?: number): ReplaceContext {
    return { file: loaded.file, env, progress, audit: { identity: auditIdentity(), command: `weclick replace ${progress.old} --with ${progress.new}` }, events: {}, connectTimeout };
  }

  private async stepsOf(progress: ReplaceProgress): Promise<ReplaceStep[]> {
    const { stepsFor } = await import('../replace/plan.js');
    return stepsFor(progress.kind, progress.old, progress.new, progress.options);
  }

  private renderPlan(plan: ReplacePlan, kind: string): string {
    const lines = [`Replace ${plan.old.name} (${kind}: ${plan.old.roles.join(', ')}) with ${plan.newName}${plan.addsNew ? ' (added to the inventory)' : ''}:`];
    plan.steps.forEach((s, i) => lines.push(`  ${i + 1}. ${s.title}`));
    lines.push('', 'The inventory, once done:', this.colorDiff(plan.finalDiff));
    if (plan.dnsMoves.length > 0) {
      lines.push('DNS records that move (Cloudflare):');
      for (const m of plan.dnsMoves) lines.push(`  ${m.type} ${m.name}: ${m.from ?? '(none)'} → ${m.to ?? '(removed)'}`);
    }
    return lines.join('\n');
  }
}

type StartFlags = Parameters<typeof serverFieldsFromInput>[0] & {
  deadline: string;
  threshold: number;
  'health-timeout': string;
  'connect-timeout'?: number;
  yes: boolean;
  'dry-run': boolean;
};
