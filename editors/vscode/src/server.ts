// Finds the `dockwise` binary: the `dockwise.server.path` setting, else the binary bundled in
// a platform-specific package, else `dockwise` on PATH (then ~/.cargo/bin, where
// `cargo install` puts it but which a VS Code started from a desktop menu often lacks on
// its PATH). The result is always an absolute path: remote and browser-hosted VS Code
// servers rebuild their environment, so "whatever `dockwise` resolves to later" is not
// something to rely on, and an absolute path in the log makes failures easy to read.

import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';

const EXE = process.platform === 'win32' ? 'dockwise.exe' : 'dockwise';

export class ServerNotFound extends Error {}

interface Log {
  info(line: string): void;
  warn(line: string): void;
}

function expandHome(p: string): string {
  return p === '~' || p.startsWith('~/') ? path.join(os.homedir(), p.slice(1)) : p;
}

async function isFile(p: string): Promise<boolean> {
  try {
    return (await fs.promises.stat(p)).isFile();
  } catch {
    return false;
  }
}

async function isExecutable(p: string): Promise<boolean> {
  try {
    await fs.promises.access(p, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The binary inside the extension: `server/<platform>-<arch>/dockwise` (e.g. linux-x64). */
export function bundledPath(extensionPath: string): string {
  return path.join(extensionPath, 'server', `${process.platform}-${process.arch}`, EXE);
}

async function onPath(): Promise<string | undefined> {
  const dirs = (process.env.PATH ?? '').split(path.delimiter).filter((d) => d !== '');
  dirs.push(path.join(os.homedir(), '.cargo', 'bin'));
  for (const dir of dirs) {
    const candidate = path.join(dir, EXE);
    if ((await isFile(candidate)) && (process.platform === 'win32' || (await isExecutable(candidate)))) {
      return candidate;
    }
  }
  return undefined;
}

export async function findServer(extensionPath: string, log: Log): Promise<string> {
  const configured = vscode.workspace.getConfiguration('dockwise').get<string>('server.path', '').trim();
  if (configured !== '') {
    // A path the user chose that does not work is an error to show, not a reason to quietly
    // run some other dockwise.
    let resolved = expandHome(configured);
    if (!path.isAbsolute(resolved)) {
      const folder = vscode.workspace.workspaceFolders?.[0];
      resolved = folder ? path.join(folder.uri.fsPath, resolved) : path.resolve(resolved);
    }
    if (!(await isFile(resolved))) {
      throw new ServerNotFound(
        `dockwise: the setting dockwise.server.path names ${resolved}, which is not a file. ` +
          'Point it at the dockwise binary, or clear it to use the bundled one or dockwise on PATH.',
      );
    }
    log.info(`server from the setting dockwise.server.path: ${resolved}`);
    return resolved;
  }

  const bundled = bundledPath(extensionPath);
  if (await isFile(bundled)) {
    // Archive tools have been known to drop the executable bit; restoring it is cheap.
    if (process.platform !== 'win32' && !(await isExecutable(bundled))) {
      try {
        await fs.promises.chmod(bundled, 0o755);
      } catch (e) {
        log.warn(`could not make ${bundled} executable: ${String(e)}`);
      }
    }
    log.info(`server bundled with the extension: ${bundled}`);
    return bundled;
  }

  const found = await onPath();
  if (found) {
    log.info(`server found on PATH: ${found}`);
    return found;
  }

  throw new ServerNotFound(
    'dockwise: the language server was not found. This package has no bundled binary for ' +
      `${process.platform}-${process.arch}, and no "${EXE}" is on PATH or in ~/.cargo/bin. ` +
      'Install the platform-specific package of the extension, or install dockwise ' +
      '(for example `cargo install --path server` in a clone of the repository), or set ' +
      'dockwise.server.path to the binary, then run "dockwise: Restart Server".',
  );
}
