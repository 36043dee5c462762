// Loads one of the extension's TypeScript sources in plain Node for a test: esbuild strips
// the types and bundles it into `folder`; `alias` replaces modules (such as `vscode`, which
// exists only inside VS Code) by stand-ins.

'use strict';

const path = require('node:path');

const root = path.resolve(__dirname, '..');

function loadSource(name, folder, alias = {}) {
  const out = path.join(folder, `${name}.js`);
  require('esbuild').buildSync({
    entryPoints: [path.join(root, 'src', `${name}.ts`)],
    outfile: out,
    bundle: true,
    format: 'cjs',
    platform: 'node',
    alias,
    logLevel: 'error',
  });
  return require(out);
}

module.exports = { loadSource };
