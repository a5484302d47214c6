import { ReplicationApiError } from '../../source/client.js';
import { UsageError } from '../args.js';
import { pairCommand, statusCommand } from './pair.js';
import { replicateCommand } from './replicate.js';
import { listCommand, restoreCommand } from './restore.js';

type Out = (line: string) => void;

/** `drcore source …`: the reference source core. */
export async function sourceCommand(sub: string | undefined, argv: string[], out: Out): Promise<number> {
  try {
    return await dispatch(sub, argv, out);
  } catch (err) {
    if (!(err instanceof ReplicationApiError)) throw err;
    process.stderr.write(`drcore: ${err.message}\n`);
    return 1;
  }
}

function dispatch(sub: string | undefined, argv: string[], out: Out): Promise<number> {
  switch (sub) {
    case 'pair': return pairCommand(argv, out);
    case 'status': return statusCommand(argv, out);
    case 'replicate': return replicateCommand(argv, out);
    case 'restore': return restoreCommand(argv, out);
    case 'list': return listCommand(argv, out);
    default: throw new UsageError('drcore source pair|status|replicate|restore|list …');
  }
}
