import type { Inventory } from '../inventory/schema.js';

/** The fleet's service hostnames (go, podpiska, mngmt, the MySQL name) as FQDNs. */
export function serviceHostnames(inventory: Inventory) {
  const { domain, names, mysql } = inventory.fleet;
  return {
    entry: `${names.entry}.${domain}`,
    subscription: `${names.subscription}.${domain}`,
    management: `${names.management}.${domain}`,
    mysql: mysql.host ?? `${names.mysql}.${domain}`,
  };
}
