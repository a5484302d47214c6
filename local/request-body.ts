import type { IncomingMessage } from 'node:http';

/**
 * Reads a request body of at most `max` bytes: the bytes, or undefined as soon as the body
 * passes `max` (reading stops there; the caller answers 413 and closes the connection). With
 * a Content-Length the body lands in `exact` (that many bytes), copied once.
 */
export function readBody(req: IncomingMessage, max: number, exact: Buffer | undefined): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = (result: Buffer | undefined) => {
      req.off('data', onData).off('end', onEnd).off('error', onError).off('close', onClose);
      resolve(result);
    };
    const onData = (c: Buffer) => {
      if (size + c.length > max || (exact && size + c.length > exact.length)) {
        req.pause();
        req.socket.pause();
        return stop(undefined);
      }
      if (exact) c.copy(exact, size); else chunks.push(c);
      size += c.length;
    };
    const onEnd = () => stop(exact ? exact.subarray(0, size) : Buffer.concat(chunks, size));
    const onError = (e: Error) => reject(e);
    const onClose = () => { if (!req.complete) reject(new Error('the client closed the connection before the end of the body')); };
    req.on('data', onData).on('end', onEnd).on('error', onError).on('close', onClose);
  });
}
