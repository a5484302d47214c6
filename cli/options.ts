import type { OptionDefs } from './command.js';

/** Options several commands share, described once. */
export const DEFAULT_URL = 'https://localhost:8006';
export const DEFAULT_DATA = '.drcore';

export const JSON_OUTPUT = {
  json: { type: 'boolean', description: 'Print the result as JSON on stdout' },
} as const satisfies OptionDefs;

export const DATA = {
  data: { type: 'string', value: 'DIR', description: 'Data dir of the target core (event log, read models, pki/)', default: DEFAULT_DATA, env: 'DRCORE_DATA' },
} as const satisfies OptionDefs;

/** An admin command talks to the target core with the admin bundle in DATA/pki. */
export const ADMIN = {
  url: { type: 'string', value: 'URL', description: 'The target core', default: DEFAULT_URL, env: 'DRCORE_URL' },
  data: { ...DATA.data, description: 'Data dir of the target core; the admin bundle is DATA/pki/admin.pem' },
  ...JSON_OUTPUT,
} as const satisfies OptionDefs;

/** A source command uses the source core's state dir (key, certificate, pairing.json). */
export const SOURCE = {
  state: { type: 'string', value: 'DIR', description: "The source core's state dir (key, certificate, pairing.json)", default: '.drcore-source' },
  target: { type: 'string', value: 'URL', description: 'The target core (default: the one in pairing.json)', env: 'DRCORE_URL' },
} as const satisfies OptionDefs;

export const PARALLEL = {
  parallel: { type: 'string', value: 'N', description: 'Parallel keep-alive connections, 1..64', default: '4' },
} as const satisfies OptionDefs;
