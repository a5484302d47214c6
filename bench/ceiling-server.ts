/**
 * The ceiling's server (child process): the same TLS stack as the core's gateway — Node https,
 * the core's server certificate, requestCert + rejectUnauthorized against its CA, TLS ≥ 1.2,
 * keep-alive — that reads every request body and discards it, answering a small JSON body.
 * argv: KEY CERT CA. Prints "listening PORT".
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';

const [key, cert, ca] = process.argv.slice(2).map((f) => readFileSync(f, 'utf8'));
const server = createServer({ key, cert, ca, requestCert: true, rejectUnauthorized: true, minVersion: 'TLSv1.2' }, (req, res) => {
  let n = 0;
  req.on('data', (c: Buffer) => { n += c.length; });
  req.on('end', () => {
    const body = Buffer.from(JSON.stringify({ bytes: n }));
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
    res.end(body);
  });
});
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => {
  const addr = server.address();
  process.stdout.write(`listening ${typeof addr === 'object' && addr ? addr.port : 0}\n`);
});
process.on('SIGTERM', () => { server.close(); server.closeAllConnections(); });
