import * as Flags from '@oclif/core/flags';

/** Flags every command that changes something takes. */
export const changeFlags = {
  yes: Flags.boolean({ char: 'y', default: false, summary: 'Apply without asking.' }),
  'dry-run': Flags.boolean({ default: false, summary: 'Show the plan and change nothing.' }),
};
