#!/usr/bin/env node
// Packages the extension with vsce, offline.
//
//   node scripts/package.js universal           -> dockwise-<version>.vsix (no binary; the
//                                                  server comes from the setting or PATH)
//   node scripts/package.js <target> [binary]   -> dockwise-<target>-<version>.vsix with the
//                                                  binary at server/<platform>-<arch>/dockwise
//
// The binary is the second argument, else $DOCKWISE_BIN, else ../../target/release/dockwise
// (what `cargo build --release -p dockwise` makes at the repository root). Only linux-x64
// can be built on the project's machines; the other targets are a release step (see
// README.md, "Packaging"), and this script accepts them so that step is one command.
//
// Exactly one binary is staged per package: vsce's --ignore-other-target-folders does not
// keep other server/<target>/ folders out, so the staging folder is emptied before and after.

'use strict';

const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const stage = path.join(root, 'server');

// vsce target -> the folder the extension looks in (Node's `${process.platform}-${process.arch}`
// on that system), the file name, and the executable format the binary must have.
const TARGETS = {
  'linux-x64': { dir: 'linux-x64', exe: 'dockwise', format: 'elf', machine: 0x3e },
  'linux-arm64': { dir: 'linux-arm64', exe: 'dockwise', format: 'elf', machine: 0xb7 },
  'linux-armhf': { dir: 'linux-arm', exe: 'dockwise', format: 'elf', machine: 0x28 },
  // Alpine's Node also reports `linux`, so a musl build lives in the same folder name.
  'alpine-x64': { dir: 'linux-x64', exe: 'dockwise', format: 'elf', machine: 0x3e },
  'alpine-arm64': { dir: 'linux-arm64', exe: 'dockwise', format: 'elf', machine: 0xb7 },
  'darwin-x64': { dir: 'darwin-x64', exe: 'dockwise', format: 'macho' },
  'darwin-arm64': { dir: 'darwin-arm64', exe: 'dockwise', format: 'macho' },
  'win32-x64': { dir: 'win32-x64', exe: 'dockwise.exe', format: 'pe' },
  'win32-arm64': { dir: 'win32-arm64', exe: 'dockwise.exe', format: 'pe' },
};

// The marketplace page is rendered from the README inside the package; vsce turns relative
// links into absolute ones from `repository`, but ignores `repository.directory`, so the
// extension's folder has to be given explicitly.
const REPO = 'https://github.com/dockwise/dockwise';
const LINK_ARGS = [
  '--baseContentUrl', `${REPO}/blob/HEAD/editors/vscode`,
  '--baseImagesUrl', `${REPO}/raw/HEAD/editors/vscode`,
];

function fail(message) {
  console.error(`package: ${message}`);
  process.exit(1);
}

function vsce(args) {
  const bin = path.join(root, 'node_modules', '@vscode', 'vsce', 'vsce');
  // `--no-dependencies`: esbuild bundles everything into dist/extension.js.
  execFileSync(process.execPath, [bin, 'package', '--no-dependencies', ...LINK_ARGS, ...args], {
    cwd: root,
    stdio: 'inherit',
  });
}

// Refuses a binary for the wrong system: a package with one would install fine and then
// fail to start on every machine.
function checkFormat(file, spec) {
  const fd = fs.openSync(file, 'r');
  const head = Buffer.alloc(20);
  fs.readSync(fd, head, 0, head.length, 0);
  fs.closeSync(fd);
  const isElf = head.readUInt32BE(0) === 0x7f454c46;
  const isMachO = [0xfeedfacf, 0xcffaedfe, 0xcafebabe].includes(head.readUInt32BE(0));
  const isPe = head.toString('latin1', 0, 2) === 'MZ';
  if (spec.format === 'elf') {
    if (!isElf) fail(`${file} is not an ELF (Linux) binary`);
    const machine = head[5] === 1 ? head.readUInt16LE(18) : head.readUInt16BE(18);
    if (machine !== spec.machine) {
      fail(`${file} is built for ELF machine 0x${machine.toString(16)}, not 0x${spec.machine.toString(16)}`);
    }
  } else if (spec.format === 'macho' && !isMachO) {
    fail(`${file} is not a Mach-O (macOS) binary`);
  } else if (spec.format === 'pe' && !isPe) {
    fail(`${file} is not a Windows executable`);
  }
}

function main() {
  const target = process.argv[2];
  if (!target) fail('usage: package.js universal | <target> [binary]');
  fs.rmSync(stage, { recursive: true, force: true });

  if (target === 'universal') {
    vsce(['-o', `dockwise-${manifest.version}.vsix`]);
    return;
  }
  const spec = TARGETS[target];
  if (!spec) fail(`unknown target ${target}; one of: universal, ${Object.keys(TARGETS).join(', ')}`);
  const binary = path.resolve(
    root,
    process.argv[3] || process.env.DOCKWISE_BIN || path.join('..', '..', 'target', 'release', 'dockwise'),
  );
  if (!fs.existsSync(binary) || !fs.statSync(binary).isFile()) {
    fail(`no server binary at ${binary}: build it (cargo build --release -p dockwise) or set DOCKWISE_BIN`);
  }
  checkFormat(binary, spec);
  const dest = path.join(stage, spec.dir, spec.exe);
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  fs.copyFileSync(binary, dest);
  fs.chmodSync(dest, 0o755);
  try {
    vsce(['--target', target, '-o', `dockwise-${target}-${manifest.version}.vsix`]);
  } finally {
    fs.rmSync(stage, { recursive: true, force: true });
  }
}

main();
