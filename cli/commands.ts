import type { Command } from './command.js';

/**
 * Every `drcore` command, with the one-line summary the group help shows. A command's module is
 * imported only when that command runs (or shows its --help), so `drcore --help` loads none.
 */
export interface Entry { readonly summary: string; load(): Promise<Command> }
export interface Group { readonly summary: string; readonly commands: Readonly<Record<string, Entry>> }

export const TOP: Readonly<Record<string, Entry | Group>> = {
  serve: { summary: 'Run the target core on this machine (HTTPS with mutual TLS)', load: async () => (await import('./serve-command.js')).serve },
  admin: {
    summary: "The service provider's commands: pairing requests, tenants, certificates, the event log",
    commands: {
      requests: { summary: 'List pairing requests (the review queue)', load: async () => (await import('./admin/requests.js')).requests },
      approve: { summary: 'Approve a pairing request: creates the tenant, signs its certificate', load: async () => (await import('./admin/decide.js')).approve },
      reject: { summary: 'Reject a pairing request with a reason the source core sees', load: async () => (await import('./admin/decide.js')).reject },
      ignore: { summary: 'Ignore a pairing request (no answer to the source core)', load: async () => (await import('./admin/decide.js')).ignore },
      tenants: { summary: 'List tenants with usage against quota', load: async () => (await import('./admin/tenants.js')).tenants },
      tenant: { summary: 'One tenant: usage by machine, machines, certificates', load: async () => (await import('./admin/tenants.js')).tenant },
      revoke: { summary: "Revoke one of a tenant's certificates (refused at once)", load: async () => (await import('./admin/revoke.js')).revoke },
      'revoke-certificate': { summary: 'Revoke any certificate by serial, bootstrap bundles too', load: async () => (await import('./admin/revoke.js')).revokeCertificate },
      events: { summary: 'Show the event log', load: async () => (await import('./admin/events.js')).events },
      'dead-letters': { summary: 'List events the projector gave up on, with their error', load: async () => (await import('./admin/dead-letters.js')).deadLetters },
      verify: { summary: 'Re-read and re-hash every stored chunk of the committed RPs now; report damage', load: async () => (await import('./admin/verify.js')).verify },
      'verify-report': { summary: "A tenant's verification report, signed by the core's CA key (checkable with openssl)", load: async () => (await import('./admin/verify-report.js')).verifyReport },
      'verify-log': { summary: 'Check every hash chain of the event log (works on DATA directly)', load: async () => (await import('./admin/verify-log.js')).verifyLogCommand },
      suspend: { summary: 'Suspend a tenant with a reason (its replication refused, restores kept)', load: async () => (await import('./admin/tenant-control.js')).suspend },
      resume: { summary: "Resume a tenant's (or a machine's) paused replication, else a suspended tenant", load: async () => (await import('./admin/replication-control.js')).resume },
      pause: { summary: "Pause a tenant's (or a machine's) incoming replication with a reason (the source waits)", load: async () => (await import('./admin/replication-control.js')).pause },
      lease: { summary: "Set or clear a tenant's lease end (writes refused after it, reads kept)", load: async () => (await import('./admin/replication-control.js')).lease },
      rpo: { summary: "Set a tenant's RPO target", load: async () => (await import('./admin/replication-control.js')).rpo },
      bandwidth: { summary: "Set a tenant's upload limit (its source cores obey it)", load: async () => (await import('./admin/replication-control.js')).bandwidth },
      lag: { summary: 'Per machine: time since its last RP against the RPO target, and the compliance', load: async () => (await import('./admin/replication-control.js')).lag },
      quota: { summary: "Change a tenant's storage quota", load: async () => (await import('./admin/tenant-control.js')).quota },
      usage: { summary: 'Daily stored-bytes high-water marks per tenant, quotas, estimated-full dates; --csv for billing', load: async () => (await import('./admin/usage.js')).usage },
      retention: { summary: "Show or change a tenant's retention; --dry-run: what the next run would do", load: async () => (await import('./admin/retention.js')).retention },
      'delete-rp': { summary: 'Delete a recovery point into the recycle bin (--confirm RPID: a second step)', load: async () => (await import('./admin/retention.js')).deleteRp },
      'delete-tenant': { summary: 'Delete a tenant: every RP into the recycle bin (--confirm TENANT: a second step)', load: async () => (await import('./admin/delete-tenant.js')).deleteTenant },
      'migrate-storage': { summary: 'Index recovery points stored in layout 1 (before RP indexes) so they restore', load: async () => (await import('./admin/migrate-storage.js')).migrateStorage },
      gc: { summary: 'Collect garbage: free unreferenced packs, repack mostly dead ones; bytes freed per tenant', load: async () => (await import('./admin/gc.js')).gc },
      seed: { summary: 'Import a seed (RPs shipped on external media) from the seed inbox: drcore admin seed import --tenant T --from DIR', load: async () => (await import('./admin/seed-import.js')).seedImport },
      'seed-imports': { summary: 'List seed imports with status, progress and failures', load: async () => (await import('./admin/seed-import.js')).seedImports },
      'rebuild-projections': { summary: 'Rebuild every read model from the event log (server stopped)', load: async () => (await import('./admin/rebuild-projections.js')).rebuildProjectionsCommand },
    },
  },
  source: {
    summary: 'The reference source core: pair, replicate, list, restore, the recycle bin',
    commands: {
      pair: { summary: 'Ask a target core to pair (makes the key and CSR; --wait for the approval)', load: async () => (await import('./source/pair.js')).pair },
      status: { summary: "Show the pairing status (picks the certificate up once approved); then each machine's RPs with their verify states", load: async () => (await import('./source/status.js')).status },
      renew: { summary: "Renew this source core's certificate with a new key before it expires", load: async () => (await import('./source/renew.js')).renew },
      replicate: { summary: "Replicate a machine's volumes as a recovery point", load: async () => (await import('./source/replicate.js')).replicateCommand },
      list: { summary: "List a machine's recovery points", load: async () => (await import('./source/restore.js')).listCommand },
      restore: { summary: 'Restore a recovery point to DIR/NAME.img, every chunk verified', load: async () => (await import('./source/restore.js')).restoreCommand },
      seed: { summary: 'Seed over external media: export a recovery point to disk, list outstanding seeds, abandon one', load: async () => (await import('./source/seed.js')).seedCommand },
      bin: { summary: 'The recycle bin on the target: list it, restore an RP from it', load: async () => (await import('./source/bin.js')).binCommand },
      run: { summary: 'Run the source daemon: each machine on its schedule (--config FILE or flags)', load: async () => (await import('./source/run.js')).run },
      pause: { summary: "Pause this source's replication of a machine, with a reason", load: async () => (await import('./source/daemon-control.js')).pause },
      resume: { summary: "Resume this source's replication of a machine", load: async () => (await import('./source/daemon-control.js')).resume },
      force: { summary: 'Replicate a machine now (the daemon starts it)', load: async () => (await import('./source/daemon-control.js')).force },
    },
  },
};

export const isGroup = (e: Entry | Group): e is Group => 'commands' in e;
