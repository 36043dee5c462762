// How the extension finds the `dockwise` binary (src/server.ts), in the order its README
// promises: the dockwise.server.path setting, the binary bundled in the package, PATH, then
// ~/.cargo/bin; and a clear error when none is there.
//
//   node --test test/*.test.js

'use strict';

const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const test = require('node:test');

const { loadSource } = require('./load-source');

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'dockwise-vscode-server-'));
test.after(() => fs.rmSync(scratch, { recursive: true, force: true }));

// What the stand-in `vscode` module reports: the `dockwise.*` settings and the workspace folders.
const fake = { settings: {}, folders: undefined };
globalThis.__dockwiseFakeVscode = fake;

// src/server.ts bundled with `vscode` replaced by a stand-in that reads `fake`.
function loadServer() {
  const stub = path.join(scratch, 'vscode-stub.js');
  fs.writeFileSync(
    stub,
    `const fake = globalThis.__dockwiseFakeVscode;
module.exports = {
  workspace: {
    getConfiguration: () => ({ get: (key, fallback) => (key in fake.settings ? fake.settings[key] : fallback) }),
    get workspaceFolders() { return fake.folders; },
  },
};
`,
  );
  return loadSource('server', scratch, { vscode: stub });
}
const { findServer, bundledPath, ServerNotFound } = loadServer();

const log = { info: () => {}, warn: () => {} };
const EXE = process.platform === 'win32' ? 'dockwise.exe' : 'dockwise';

function executable(file, mode = 0o755) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, '#!/bin/sh\n');
  fs.chmodSync(file, mode);
  return file;
}

// Runs `body` with PATH and HOME replaced, and the settings and folders given.
async function withEnvironment({ pathDirs = [], home = path.join(scratch, 'empty-home'), settings = {}, folders }, body) {
  const saved = { PATH: process.env.PATH, HOME: process.env.HOME };
  process.env.PATH = pathDirs.join(path.delimiter);
  process.env.HOME = home;
  fake.settings = settings;
  fake.folders = folders;
  try {
    return await body();
  } finally {
    process.env.PATH = saved.PATH;
    process.env.HOME = saved.HOME;
    fake.settings = {};
    fake.folders = undefined;
  }
}

test('the setting wins over a bundled binary and PATH', async () => {
  const chosen = executable(path.join(scratch, 'chosen', EXE));
  const ext = path.join(scratch, 'ext-setting');
  executable(bundledPath(ext));
  const onPath = path.join(scratch, 'path-setting');
  executable(path.join(onPath, EXE));
  const found = await withEnvironment({ pathDirs: [onPath], settings: { 'server.path': ` ${chosen} ` } }, () =>
    findServer(ext, log),
  );
  assert.equal(found, chosen);
});

test('a relative setting is taken from the first workspace folder', async () => {
  const folder = path.join(scratch, 'project');
  const binary = executable(path.join(folder, 'bin', EXE));
  const found = await withEnvironment(
    { settings: { 'server.path': path.join('bin', EXE) }, folders: [{ uri: { fsPath: folder } }] },
    () => findServer(path.join(scratch, 'no-ext'), log),
  );
  assert.equal(found, binary);
});

test('a setting that names no file is an error, not a quiet fallback', async () => {
  const onPath = path.join(scratch, 'path-fallback');
  executable(path.join(onPath, EXE));
  await withEnvironment({ pathDirs: [onPath], settings: { 'server.path': '/nowhere/dockwise' } }, () =>
    assert.rejects(findServer(path.join(scratch, 'no-ext'), log), (e) => {
      assert.ok(e instanceof ServerNotFound);
      assert.match(e.message, /dockwise\.server\.path names \/nowhere\/dockwise, which is not a file/);
      return true;
    }),
  );
});

test('the bundled binary comes before PATH, and gets its executable bit back', { skip: process.platform === 'win32' }, async () => {
  const ext = path.join(scratch, 'ext-bundled');
  const bundled = executable(bundledPath(ext), 0o644);
  const onPath = path.join(scratch, 'path-bundled');
  executable(path.join(onPath, EXE));
  const found = await withEnvironment({ pathDirs: [onPath] }, () => findServer(ext, log));
  assert.equal(found, bundled);
  assert.ok(fs.statSync(bundled).mode & 0o100, 'the bundled binary is executable again');
});

test('without a setting or a bundled binary: PATH, skipping files that cannot run', async () => {
  const notExecutable = path.join(scratch, 'path-noexec');
  executable(path.join(notExecutable, EXE), 0o644);
  const onPath = path.join(scratch, 'path-only');
  const binary = executable(path.join(onPath, EXE));
  const found = await withEnvironment({ pathDirs: [notExecutable, onPath] }, () =>
    findServer(path.join(scratch, 'no-ext'), log),
  );
  assert.equal(found, binary);
});

test('then ~/.cargo/bin, where cargo install puts it', async () => {
  const home = path.join(scratch, 'home-cargo');
  const binary = executable(path.join(home, '.cargo', 'bin', EXE));
  const found = await withEnvironment({ home }, () => findServer(path.join(scratch, 'no-ext'), log));
  assert.equal(found, binary);
});

test('nothing anywhere: an error that says where it looked and what to do', async () => {
  await withEnvironment({}, () =>
    assert.rejects(findServer(path.join(scratch, 'no-ext'), log), (e) => {
      assert.ok(e instanceof ServerNotFound);
      assert.match(e.message, /not found/);
      assert.match(e.message, /~\/\.cargo\/bin/);
      assert.match(e.message, /dockwise\.server\.path/);
      return true;
    }),
  );
});
