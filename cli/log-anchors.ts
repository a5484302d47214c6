import { join, resolve } from 'node:path';
import type { OptionDefs } from './command.js';

/** Where the signed checkpoints of the event log go (shared/app/log-anchor.ts): their own directory, outside the event DB. */
export const defaultLogAnchors = (dataDir: string): string => join(resolve(dataDir), 'log-anchors');

export const LOG_ANCHORS = {
  'log-anchors': {
    type: 'string', value: 'DIR', env: 'DRCORE_LOG_ANCHORS',
    description: 'Directory of the signed event-log checkpoints (default DATA/log-anchors); put it on other storage than DATA (write-once media, another host\'s mount) so that whoever can edit DATA cannot remove them',
  },
} as const satisfies OptionDefs;
