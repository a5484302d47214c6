import { adminCommand } from './admin/commands.js';
import { UsageError } from './args.js';
import { ApiError } from './http-client.js';
import { FirstFormatLogError } from '../shared/app/log-format.js';
import { serveCommand } from './serve-command.js';
import { sourceCommand } from './source/commands.js';

const USAGE = `drcore — event-sourced cloud target core for block-level backup replication

  drcore serve [--data DIR] [--host 127.0.0.1] [--port 8006] [--hostname NAME …]
  drcore admin requests [--status pending|approved|rejected|ignored|all]
  drcore admin approve ID --quota SIZE [--customer-id ID] [--note TEXT]
  drcore admin reject ID --reason TEXT
  drcore admin ignore ID
  drcore admin tenants | tenant ID | revoke TENANT SERIAL --reason TEXT
  drcore admin revoke-certificate SERIAL --reason TEXT [--pem CERT.pem]   (any certificate, bootstrap bundles too)
  drcore admin events [--stream ID] [--limit N]
  drcore admin verify-log [--data DIR]
  drcore admin rebuild-projections [--data DIR]
  drcore source pair --target URL --ca FILE --enrollment-cert FILE --enrollment-key FILE --core-name NAME --email ADDR [--customer-id ID] [--wait] [--state DIR]
  drcore source status [--state DIR] [--wait]
  drcore source replicate --machine ID --volume NAME=PATH [--volume …] [--parallel N] [--threads N] [--state DIR] [--target URL] [--json]
  drcore source restore --machine ID [--rp RPID|latest] --out DIR [--parallel N] [--state DIR] [--json]
  drcore source list --machine ID [--state DIR] [--json]

admin commands take --url (default https://localhost:8006) and --data (default ./.drcore, for the admin bundle in DATA/pki).`;

const out = (line: string) => process.stdout.write(`${line}\n`);

async function main(argv: string[]): Promise<number> {
  const [command, sub, ...rest] = argv;
  switch (command) {
    case 'serve': return serveCommand(argv.slice(1), out);
    case 'admin': return adminCommand(sub, rest, out);
    case 'source': return sourceCommand(sub, rest, out);
    case undefined: case 'help': case '--help': case '-h': out(USAGE); return 0;
    default: throw new UsageError(`unknown command ${command}`);
  }
}

main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (error: unknown) => {
  if (error instanceof UsageError) { process.stderr.write(`${error.message}\n\n${USAGE}\n`); process.exitCode = 2; return; }
  if (error instanceof ApiError) { process.stderr.write(`drcore: ${error.message}\n`); process.exitCode = 1; return; }
  if (error instanceof FirstFormatLogError) { process.stderr.write(`drcore: ${error.message}\n`); process.exitCode = 1; return; }
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ECONNREFUSED' || code === 'EACCES') { process.stderr.write(`drcore: ${(error as Error).message}\n`); process.exitCode = 1; return; }
  process.stderr.write(`drcore: ${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
