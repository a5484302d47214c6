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
      'verify-log': { summary: 'Check every hash chain of the event log (works on DATA directly)', load: async () => (await import('./admin/verify-log.js')).verifyLogCommand },
      'migrate-storage': { summary: 'Index recovery points stored in layout 1 (before RP indexes) so they restore', load: async () => (await import('./admin/migrate-storage.js')).migrateStorage },
      gc: { summary: 'Collect garbage: free unreferenced packs, repack mostly dead ones; bytes freed per tenant', load: async () => (await import('./admin/gc.js')).gc },
      'rebuild-projections': { summary: 'Rebuild every read model from the event log (server stopped)', load: async () => (await import('./admin/rebuild-projections.js')).rebuildProjectionsCommand },
    },
  },
  source: {
    summary: 'The reference source core: pair, replicate, list, restore',
    commands: {
      pair: { summary: 'Ask a target core to pair (makes the key and CSR; --wait for the approval)', load: async () => (await import('./source/pair.js')).pair },
      status: { summary: 'Show the pairing status; picks the certificate up once approved', load: async () => (await import('./source/pair.js')).status },
      replicate: { summary: "Replicate a machine's volumes as a recovery point", load: async () => (await import('./source/replicate.js')).replicateCommand },
      list: { summary: "List a machine's recovery points", load: async () => (await import('./source/restore.js')).listCommand },
      restore: { summary: 'Restore a recovery point to DIR/NAME.img, every chunk verified', load: async () => (await import('./source/restore.js')).restoreCommand },
    },
  },
};

export const isGroup = (e: Entry | Group): e is Group => 'commands' in e;
