import { parseArgs } from 'node:util';
import { UsageError } from './args.js';

/**
 * One `drcore …` command: its options (each with a description, for --help), and what it does.
 * Values come from the flag, else from the option's environment variable, else its default.
 */
export interface OptionDef {
  readonly type: 'string' | 'boolean';
  readonly description: string;
  /** Placeholder in the usage text: DIR, URL, SIZE, … (string options). */
  readonly value?: string;
  readonly multiple?: boolean;
  readonly short?: string;
  readonly default?: string;
  /** Environment variable that supplies the default (a flag overrides it). */
  readonly env?: string;
  readonly required?: boolean;
}
export type OptionDefs = Readonly<Record<string, OptionDef>>;

type ValueOf<D extends OptionDef> =
  D['type'] extends 'boolean' ? boolean | undefined
    : D['multiple'] extends true ? string[] | undefined
      : D['required'] extends true ? string
        : D['default'] extends string ? string : string | undefined;
export type Values<O extends OptionDefs> = { -readonly [K in keyof O]: ValueOf<O[K]> };

export interface Io {
  out(line: string): void;
  err(line: string): void;
}

export interface Parsed<O extends OptionDefs> { values: Values<O>; positionals: string[] }

export interface Command<O extends OptionDefs = OptionDefs> {
  /** `admin approve` */
  readonly name: string;
  /** Positionals in the usage line: `ID`, `TENANT SERIAL`. */
  readonly args?: string;
  /** Positionals that must be present (their names for the error), in order. */
  readonly required?: readonly string[];
  readonly summary: string;
  /** More lines for --help. */
  readonly details?: string;
  readonly options: O;
  run(parsed: Parsed<O>, io: Io): Promise<number>;
}

export const define = <O extends OptionDefs>(command: Command<O>): Command<O> => command;

const HELP: OptionDef = { type: 'boolean', short: 'h', description: 'Show this help' };

function flag(name: string, o: OptionDef): string {
  return `${o.short ? `-${o.short}, ` : ''}--${name}${o.type === 'string' ? ` ${o.value ?? 'VALUE'}` : ''}`;
}

function describe(o: OptionDef): string {
  const notes = [
    ...(o.required ? ['required'] : []),
    ...(o.multiple ? ['repeatable'] : []),
    ...(o.default !== undefined ? [`default: ${o.default}`] : []),
    ...(o.env ? [`env ${o.env}`] : []),
  ];
  return notes.length ? `${o.description} (${notes.join('; ')})` : o.description;
}

/** Two columns: names padded to the widest, then the text. */
export function columns(rows: readonly (readonly [string, string])[], indent = '  '): string[] {
  const width = Math.max(...rows.map(([a]) => a.length));
  return rows.map(([a, b]) => `${indent}${a.padEnd(width)}  ${b}`);
}

export function helpText(c: Command): string {
  const all = { ...c.options, help: HELP };
  const required = Object.entries(c.options).filter(([, o]) => o.required).map(([n, o]) => flag(n, o));
  const usage = ['drcore', c.name, ...(c.args ? [c.args] : []), ...required, '[options]'].join(' ');
  return [
    `Usage: ${usage}`, '', c.summary, ...(c.details ? ['', c.details] : []), '', 'Options:',
    ...columns(Object.entries(all).map(([n, o]) => [flag(n, o), describe(o)] as const)),
  ].join('\n');
}

/** Parses argv against the command's options: --help prints help; any usage error is a UsageError. */
export async function runCommand<O extends OptionDefs>(c: Command<O>, argv: string[], io: Io): Promise<number> {
  const hint = `drcore ${c.name} --help`;
  const options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }> = { help: { type: 'boolean', short: 'h' } };
  for (const [n, o] of Object.entries(c.options)) {
    options[n] = { type: o.type, ...(o.multiple ? { multiple: true } : {}), ...(o.short ? { short: o.short } : {}) };
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (e) {
    if (argv.includes('--help') || argv.includes('-h')) { io.out(helpText(c as unknown as Command)); return 0; }
    throw new UsageError(firstSentence((e as Error).message), hint);
  }
  if (parsed.values['help']) { io.out(helpText(c as unknown as Command)); return 0; }
  const values: Record<string, unknown> = {};
  for (const [n, o] of Object.entries(c.options)) {
    const env = o.env ? process.env[o.env] : undefined;
    const v = parsed.values[n] ?? (env ? env : undefined) ?? o.default;
    if (v === undefined && o.required) throw new UsageError(`missing ${flag(n, o)}`, hint);
    values[n] = v;
  }
  const missing = (c.required ?? []).slice(parsed.positionals.length);
  if (missing.length) throw new UsageError(`missing ${missing.join(' ')}`, hint);
  return c.run({ values: values as Values<O>, positionals: parsed.positionals }, io);
}

/** parseArgs' messages run on with advice about `--`; the first sentence is the error. */
function firstSentence(message: string): string {
  return message.replace(/\. To specify a positional argument.*$/s, '').replace(/^Unknown option/, 'unknown option');
}
