import { readFileSync } from 'node:fs';
import { UsageError } from './args.js';
import { columns, runCommand, type Io } from './command.js';
import { isGroup, TOP, type Group } from './commands.js';
import { report } from './report.js';

const io: Io = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

const OPTIONS = [
  ['-h, --help', 'Show help (after a command: that command\'s options)'],
  ['--version', 'Print the version'],
] as const;
const ENVIRONMENT = [
  ['DRCORE_URL', 'default --url of admin commands and --target of source commands'],
  ['DRCORE_DATA', 'default --data (the data dir: event log, PKI, admin bundle in DATA/pki)'],
  ['DRCORE_DEBUG=1', 'print the stack trace of an error'],
] as const;

function topHelp(): string {
  return [
    'Usage: drcore COMMAND [SUBCOMMAND] [options]', '',
    'drcore — event-sourced cloud target core for block-level backup replication', '', 'Commands:',
    ...columns(Object.entries(TOP).map(([n, e]) => [n, e.summary] as const)),
    '', 'Options:', ...columns(OPTIONS), '', 'Environment:', ...columns(ENVIRONMENT), '',
    'Run drcore COMMAND --help for a command\'s options.',
  ].join('\n');
}

function groupHelp(name: string, g: Group): string {
  return [
    `Usage: drcore ${name} SUBCOMMAND [options]`, '', g.summary, '', 'Subcommands:',
    ...columns(Object.entries(g.commands).map(([n, e]) => [n, e.summary] as const)),
    '', `Run drcore ${name} SUBCOMMAND --help for its options.`,
  ].join('\n');
}

const isHelp = (arg: string | undefined) => arg === '--help' || arg === '-h' || arg === 'help';

function version(): string {
  return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

async function main(argv: string[]): Promise<number> {
  const [first, second, ...rest] = argv;
  let name = '';
  try {
    if (isHelp(first)) { io.out(topHelp()); return 0; }
    if (first === '--version') { io.out(version()); return 0; }
    if (first === undefined) { io.err(topHelp()); return 2; }
    const entry = Object.hasOwn(TOP, first) ? TOP[first] : undefined;
    if (!entry) throw new UsageError(`unknown command '${first}'`, 'drcore --help lists the commands');
    if (!isGroup(entry)) {
      name = first;
      return await runCommand(await entry.load(), argv.slice(1), io);
    }
    if (isHelp(second)) { io.out(groupHelp(first, entry)); return 0; }
    if (second === undefined) { io.err(groupHelp(first, entry)); return 2; }
    const sub = Object.hasOwn(entry.commands, second) ? entry.commands[second] : undefined;
    if (!sub) throw new UsageError(`unknown command '${first} ${second}'`, `drcore ${first} --help lists its subcommands`);
    name = `${first} ${second}`;
    return await runCommand(await sub.load(), rest, io);
  } catch (error) {
    return report(error, { name: name || first || '' }, io.err);
  }
}

process.exitCode = await main(process.argv.slice(2));
