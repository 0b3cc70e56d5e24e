/** Exit codes shared by every command (expiring uses the monitoring-plugin codes instead). */
export const EXIT = {
  ok: 0,
  /** The work failed: a host, an API or a check failed. */
  failed: 1,
  /** Wrong flags or arguments. */
  usage: 2,
  /** The inventory or another input file is missing or invalid; nothing was changed. */
  badInput: 3,
  /** The user declined, or a safety rule refused the change; nothing was changed. */
  refused: 4,
} as const;

/** Nagios/Icinga plugin convention, for commands meant for cron and monitoring. */
export const MONITORING = { ok: 0, warning: 1, critical: 2, unknown: 3 } as const;
