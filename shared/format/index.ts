/** Replication binary formats (DESIGN §5): pure, no I/O. */
export * from './hash.js';
export * from './errors.js';
export * from './geometry.js';
export * from './codec.js';
export * from './chunk.js';
export * from './delta.js';
export * from './block-delta.js';
export * from './delta-chunk.js';
export * from './extent.js';
export * from './pack.js';
export * from './pack-builder.js';
export * from './manifest.js';
export * from './chunk-source.js';
export * from './restore.js';
