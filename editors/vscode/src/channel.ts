// How the server's stderr and the protocol trace reach the `dockwise` output channel.

import * as readline from 'readline';
import type * as stream from 'stream';
import * as vscode from 'vscode';

// The server logs through `tracing` to stderr: `2026-01-02T03:04:05.678Z  INFO message`.
const TRACING_LINE = /^\S+\s+(TRACE|DEBUG|INFO|WARN|ERROR)\s+(.*)$/;

/**
 * Writes each line of the server's log (its stderr) at the level the server gave it. vscode-languageclient would log
 * every stderr line as an error, which makes the server's routine start-up line look like a
 * failure.
 */
export function pipeServerLog(input: stream.Readable, channel: vscode.LogOutputChannel): void {
  readline.createInterface({ input, crlfDelay: Infinity, terminal: false }).on('line', (line) => {
    const match = TRACING_LINE.exec(line);
    if (!match) {
      channel.warn(line); // a panic message or other unformatted output: worth noticing
      return;
    }
    const [, level, message] = match;
    switch (level) {
      case 'ERROR':
        channel.error(message);
        break;
      case 'WARN':
        channel.warn(message);
        break;
      case 'INFO':
        channel.info(message);
        break;
      case 'DEBUG':
        channel.debug(message);
        break;
      default:
        channel.trace(message);
    }
  });
}

/**
 * The channel given to vscode-languageclient for the protocol trace. The client traces only
 * while its trace channel is at log level Trace (and then as `dockwise.trace.server` says);
 * a real log channel starts at Info and extensions cannot change its level, so the setting
 * alone would do nothing. This adapter always reports Trace, leaving the choice to the
 * setting, and writes the trace into the main channel.
 */
export function traceChannel(main: vscode.LogOutputChannel): vscode.LogOutputChannel {
  const never = new vscode.EventEmitter<vscode.LogLevel>();
  const write = (message: string, ...args: unknown[]) =>
    main.info([message, ...args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a)))].join(' '));
  return {
    name: main.name,
    logLevel: vscode.LogLevel.Trace,
    onDidChangeLogLevel: never.event,
    trace: write,
    debug: write,
    info: write,
    warn: (message, ...args) => main.warn(message, ...args),
    error: (error, ...args) => main.error(error, ...args),
    append: (value) => main.append(value),
    appendLine: (value) => main.appendLine(value),
    replace: (value) => main.replace(value),
    clear: () => main.clear(),
    show: (column?: unknown, preserveFocus?: boolean) =>
      typeof column === 'boolean' ? main.show(column) : main.show(column as vscode.ViewColumn, preserveFocus),
    hide: () => main.hide(),
    // The main channel belongs to the extension and is disposed with it.
    dispose: () => never.dispose(),
  };
}
