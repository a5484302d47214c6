#!/usr/bin/env node
// The `drcore` command (package.json "bin"). Runs the TypeScript sources through tsx.
// `npx drcore …` in the checkout runs it on the project's Node 22.
const [major] = process.versions.node.split('.').map(Number);
if (major < 22) {
  console.error(`drcore needs Node.js 22 or later (this is ${process.version}); run it as \`npx drcore …\` or \`npm run drcore -- …\` in the checkout.`);
  process.exit(1);
}
// node:sqlite prints an ExperimentalWarning once per process; it is expected, not news.
const emit = process.emitWarning;
process.emitWarning = (warning, ...args) => {
  const type = typeof args[0] === 'string' ? args[0] : args[0]?.type;
  if (type === 'ExperimentalWarning' || String(warning).includes('SQLite')) return;
  return emit.call(process, warning, ...args);
};
const { register } = await import('tsx/esm/api');
register();
await import('./main.ts');
