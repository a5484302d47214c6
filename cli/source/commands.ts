import { UsageError } from '../args.js';
import { pairCommand, statusCommand } from './pair.js';

type Out = (line: string) => void;

/** `drcore source …`: the reference source core. */
export async function sourceCommand(sub: string | undefined, argv: string[], out: Out): Promise<number> {
  switch (sub) {
    case 'pair': return pairCommand(argv, out);
    case 'status': return statusCommand(argv, out);
    default: throw new UsageError('drcore source pair|status …');
  }
}
