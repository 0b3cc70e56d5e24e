// Replacing the entry point: the new HAProxy serves before the entry name moves; the old one keeps its
// connections until they end or the deadline.
import { currentInventory, serverNamed } from './context.js';
import { dnsStep, firewallStep, provisionNewStep, retireStateStep, stageStep, switchStep } from './common-steps.js';
import { checkEntryServes, waitFrontendQuiet } from './operations.js';
import type { ReplaceStep } from './step.js';
import { minutes } from './words.js';

export function entrySteps(oldName: string, newName: string, options: { deadlineMs: number; threshold: number }): ReplaceStep[] {
  return [
    stageStep(oldName, newName),
    firewallStep('marzban', 'firewall-marzban', `open the firewalls of the workers to ${newName} (base role, nftables)`),
    provisionNewStep(newName),
    {
      id: 'verify-new',
      title: `check that ${newName} serves: HAProxy running, its entry port open, workers up`,
      run: async (ctx) => {
        const loaded = await currentInventory(ctx);
        return checkEntryServes(ctx, loaded, serverNamed(loaded, newName));
      },
    },
    switchStep(oldName, newName, `${newName} becomes the entry point`),
    dnsStep('dns-move', `DNS: the entry name to ${newName}`),
    {
      id: 'wait-old',
      title: `keep ${oldName} serving until at most ${options.threshold} connection(s) remain, at most ${minutes(options.deadlineMs)}`,
      run: async (ctx) => {
        const loaded = await currentInventory(ctx);
        const quiet = await waitFrontendQuiet(ctx, loaded, serverNamed(loaded, oldName));
        return quiet.drained
          ? `${oldName}: ${quiet.sessions} connection(s) left after ${Math.round(quiet.waitedMs / 1000)} s`
          : `${oldName}: ${quiet.sessions} connection(s) still open at the deadline; its HAProxy keeps running until the hosting ends`;
      },
    },
    retireStateStep(oldName, ' (its HAProxy is left running: nobody is sent there any more)'),
    firewallStep('marzban', 'firewall-close', "close the workers' firewalls to the retired entry point (base role, nftables)"),
    dnsStep('dns-old', `DNS: remove ${oldName}'s own records`),
  ];
}
