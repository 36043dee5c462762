// The dockwise VS Code extension: a thin client. Every finding, fix, completion and hover
// comes from `dockwise lsp`; this file only finds the binary, starts it over stdio, decides
// which documents it sees, and forwards the user's settings in the shape the server reads.

import * as vscode from 'vscode';
import {
  LanguageClient,
  LanguageClientOptions,
  RevealOutputChannelOn,
  ServerOptions,
} from 'vscode-languageclient/node';
import { pipeServerLog, traceChannel } from './channel';
import { findServer, ServerNotFound } from './server';
import { serverSettings } from './settings';

const CLIENT_ID = 'dockwise';
const CLIENT_NAME = 'dockwise';

// Compose files the built-in `dockercompose` language misses stay `yaml`; these globs are
// the names the server itself takes for compose files (server/src/text/file_kind.rs), so
// a YAML file is sent only when the server will treat it as compose.
const COMPOSE_GLOBS = [
  '**/{compose,docker-compose}.{yml,yaml}',
  '**/{compose,docker-compose}.*.{yml,yaml}',
  '**/{compose,docker-compose}-*.{yml,yaml}',
  '**/{compose,docker-compose}_*.{yml,yaml}',
];

let client: LanguageClient | undefined;
let output: vscode.LogOutputChannel | undefined;
// Restarts queue behind each other so two quick setting changes cannot start two servers.
let pending: Promise<void> = Promise.resolve();

function documentSelector(): LanguageClientOptions['documentSelector'] {
  // `untitled` documents too: the server analyses unsaved buffers like files (it just
  // cannot look at their build context).
  const schemes = ['file', 'untitled'];
  const selector: { scheme: string; language: string; pattern?: string }[] = [];
  for (const scheme of schemes) {
    selector.push({ scheme, language: 'dockerfile' }, { scheme, language: 'dockercompose' });
  }
  for (const pattern of COMPOSE_GLOBS) {
    selector.push({ scheme: 'file', language: 'yaml', pattern });
  }
  return selector;
}

async function start(context: vscode.ExtensionContext): Promise<void> {
  const channel = output!;
  let command: string;
  try {
    command = await findServer(context.extensionPath, channel);
  } catch (e) {
    if (e instanceof ServerNotFound) {
      channel.error(e.message);
      void showNotFound(e.message);
      return;
    }
    throw e;
  }
  const configured = vscode.workspace.getConfiguration('dockwise').get<unknown>('server.extraArgs');
  const extraArgs = Array.isArray(configured) ? configured.filter((a): a is string => typeof a === 'string') : [];
  // No `transport`: the client then talks over the child's stdin/stdout without appending
  // `--stdio` (which the server would accept, but an explicit command line is easier to
  // reproduce from the log).
  const executable = { command, args: ['lsp', ...extraArgs] };
  const serverOptions: ServerOptions = { run: executable, debug: executable };
  channel.info(`starting ${command} ${executable.args.join(' ')}`);

  const clientOptions: LanguageClientOptions = {
    documentSelector: documentSelector(),
    // The first settings travel with `initialize`, so the first diagnostics already
    // honour them; later ones are pulled by the server (middleware below).
    initializationOptions: () => serverSettings(vscode.workspace.getConfiguration('dockwise')),
    synchronize: {
      // Only so that a change in `dockwise.*` sends `workspace/didChangeConfiguration`;
      // the server answers it by pulling `workspace/configuration`. The server registers
      // its own file watchers, so none are set up here.
      configurationSection: 'dockwise',
    },
    middleware: {
      workspace: {
        // The server asks for the section `dockwise` and expects its own settings shape,
        // not VS Code's (which also holds client-only keys such as `server.path`).
        configuration: async (params, token, next) => {
          const answers = await next(params, token);
          if (!Array.isArray(answers)) {
            return answers;
          }
          return params.items.map((item, i) => {
            if (item.section !== 'dockwise') {
              return answers[i];
            }
            const scope = item.scopeUri ? vscode.Uri.parse(item.scopeUri) : undefined;
            return serverSettings(vscode.workspace.getConfiguration('dockwise', scope));
          });
        },
        // For a server that reads the notification's payload instead of pulling.
        didChangeConfiguration: async () => {
          await client?.sendNotification('workspace/didChangeConfiguration', {
            settings: { dockwise: serverSettings(vscode.workspace.getConfiguration('dockwise')) },
          });
        },
      },
    },
    outputChannel: channel,
    traceOutputChannel: traceChannel(channel),
    stdioOptions: {
      // stdout carries the protocol here, so only stderr is ever read; the client's type
      // wants both.
      stdout: pipeServerLog,
      stderr: pipeServerLog,
    },
    // Configuration mistakes arrive as `window/showMessage`; the channel is for details and
    // opens only on errors.
    revealOutputChannelOn: RevealOutputChannelOn.Error,
  };

  client = new LanguageClient(CLIENT_ID, CLIENT_NAME, serverOptions, clientOptions);
  try {
    await client.start();
  } catch (e) {
    channel.error(`the server did not start: ${String(e)}`);
    void vscode.window
      .showErrorMessage(
        `dockwise: the language server (${command}) did not start. The output channel has the details.`,
        'Show Output',
      )
      .then((choice) => choice && channel.show(true));
  }
}

async function stop(): Promise<void> {
  const running = client;
  client = undefined;
  if (running) {
    try {
      await running.stop();
    } catch (e) {
      // A server that already died cannot be stopped; starting a new one is what matters.
      output?.warn(`stopping the server: ${String(e)}`);
    }
    await running.dispose().catch(() => undefined);
  }
}

// Queues `work` behind whatever start or stop is under way. A failed step is logged and must
// not block the queue, or every later restart would be skipped.
function enqueue(work: () => Promise<void>): Promise<void> {
  pending = pending.then(work).catch((e) => {
    output?.error(`dockwise: ${String(e)}`);
  });
  return pending;
}

function restart(context: vscode.ExtensionContext): Promise<void> {
  return enqueue(async () => {
    await stop();
    await start(context);
  });
}

async function showNotFound(message: string): Promise<void> {
  const choice = await vscode.window.showErrorMessage(message, 'Open Settings', 'Show Output');
  if (choice === 'Open Settings') {
    // The path is a machine setting: in a remote window (SSH, containers, WSL, code-server)
    // it is set in the remote's settings, and the User tab does not even list it.
    const command = vscode.env.remoteName ? 'workbench.action.openRemoteSettings' : 'workbench.action.openSettings';
    output?.info(`opening the setting with ${command} (remote: ${vscode.env.remoteName ?? 'none'})`);
    await vscode.commands.executeCommand(command, { query: 'dockwise.server.path' });
  } else if (choice === 'Show Output') {
    output?.show(true);
  }
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  // One channel for the client's log, the server's stderr and the protocol trace, so a bug
  // report needs one copy-paste.
  // A log channel: timestamps, levels, and the protocol trace at the `trace` level.
  output = vscode.window.createOutputChannel(CLIENT_NAME, { log: true });
  context.subscriptions.push(
    output,
    vscode.commands.registerCommand('dockwise.restartServer', () => restart(context)),
    vscode.commands.registerCommand('dockwise.showOutput', () => output?.show(true)),
    vscode.workspace.onDidChangeConfiguration((event) => {
      // Which binary runs, and with what arguments, is fixed at spawn time.
      if (
        event.affectsConfiguration('dockwise.server.path') ||
        event.affectsConfiguration('dockwise.server.extraArgs')
      ) {
        void restart(context);
      }
    }),
  );
  await enqueue(() => start(context));
}

export async function deactivate(): Promise<void> {
  await enqueue(stop);
}
