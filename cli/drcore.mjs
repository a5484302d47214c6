#!/usr/bin/env node
// The `drcore` command (package.json "bin"): the JavaScript `npm run build` writes to dist/
// (npm ci, npm install and npm start build it). No TypeScript is compiled here.
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
const main = new URL('../dist/cli/main.js', import.meta.url);
const { existsSync } = await import('node:fs');
if (!existsSync(main)) {
  console.error(`drcore is not built yet: run \`npm run build\` in ${new URL('..', import.meta.url).pathname} (npm ci and npm start run it).`);
  process.exit(1);
}
await import(main.href);
