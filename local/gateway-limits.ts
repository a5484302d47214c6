import type { Server } from 'node:https';
import type { Socket } from 'node:net';

/**
 * How much the local gateway gives a caller before it knows who is calling: connections in
 * all and per client address, and how long a connection may take to finish its TLS handshake
 * and to send its request headers. Bodies are limited per route (RouteSpec.maxBodyBytes).
 */
export interface GatewayLimits {
  /** Open connections in all; more are dropped at accept (net.Server.maxConnections). */
  readonly maxConnections: number;
  /** Open connections from one client IP address; more are closed at accept. */
  readonly maxConnectionsPerClient: number;
  /** A TCP connection that has not completed its TLS handshake by then is closed. */
  readonly handshakeTimeoutMs: number;
  /** A request whose headers have not all arrived by then gets 408 and is closed. */
  readonly headersTimeoutMs: number;
  /** A whole request (headers and body) must arrive within this. */
  readonly requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this. */
  readonly keepAliveTimeoutMs: number;
}

/**
 * Safe defaults. A source core keeps `--parallel` + 2 keep-alive connections (4 + 2 by default,
 * the bench up to 8 + 2, at most 64 + 2) and the admin CLI up to 8: all well within 128 per
 * address. 300 s for a request is a 4 MiB pack at about 14 KB/s; only authorized callers get to
 * send a body at all.
 */
export const DEFAULT_GATEWAY_LIMITS: GatewayLimits = {
  maxConnections: 512,
  maxConnectionsPerClient: 128,
  handshakeTimeoutMs: 10_000,
  headersTimeoutMs: 15_000,
  requestTimeoutMs: 300_000,
  keepAliveTimeoutMs: 65_000,
};

export function gatewayLimits(overrides: Partial<GatewayLimits> = {}): GatewayLimits {
  const limits = { ...DEFAULT_GATEWAY_LIMITS, ...overrides };
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isSafeInteger(value) || value <= 0) throw new RangeError(`gateway limit ${name} must be a positive integer, not ${value}`);
  }
  if (limits.headersTimeoutMs > limits.requestTimeoutMs) throw new RangeError('gateway limit headersTimeoutMs must not exceed requestTimeoutMs');
  return limits;
}

/** The https.createServer options that carry the limits (the handshake timeout can only be set there). */
export function serverLimitOptions(limits: GatewayLimits) {
  return {
    handshakeTimeout: limits.handshakeTimeoutMs,
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    // How often Node checks the header and request timeouts (default 30 s, which would stretch them).
    connectionsCheckingInterval: Math.min(1000, limits.headersTimeoutMs),
  };
}

/** Sets maxConnections and closes, at accept, connections over the per-address limit. */
export function limitConnections(server: Server, limits: GatewayLimits): void {
  server.maxConnections = limits.maxConnections;
  const open = new Map<string, number>();
  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress;
    if (address === undefined) return; // already gone
    const count = (open.get(address) ?? 0) + 1;
    if (count > limits.maxConnectionsPerClient) {
      socket.destroy();
      return;
    }
    open.set(address, count);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left > 0) open.set(address, left); else open.delete(address);
    });
  });
}
