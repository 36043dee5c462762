// The settings the extension forwards, checked against the real server: the client's only
// logic is the shape of that object, and a shape the server does not accept is dropped
// whole (with a log line nobody reads), so this is where a mismatch would hide.
//
//   node --test test/*.test.js   (DOCKWISE_BIN picks the binary; without one the server tests skip)

'use strict';

const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const test = require('node:test');
const { pathToFileURL } = require('node:url');

const { loadSource } = require('./load-source');

const root = path.resolve(__dirname, '..');
// Scratch folders of this run, removed at the end.
const scratch = [];
test.after(() => scratch.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));
function scratchDir(prefix) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  scratch.push(dir);
  return dir;
}

// src/settings.ts has no VS Code imports, so it runs here as it is.
const { serverSettings } = loadSource('settings', scratchDir('dockwise-vscode-test-'));

/** A stand-in for vscode.WorkspaceConfiguration over a plain object of dotted keys. */
function config(values) {
  return { get: (key) => values[key] };
}

function findBinary() {
  const candidates = [
    process.env.DOCKWISE_BIN,
    path.join(root, '..', '..', 'target', 'release', 'dockwise'),
    path.join(root, '..', '..', 'target', 'debug', 'dockwise'),
  ].filter(Boolean);
  return candidates.map((c) => path.resolve(root, c)).find((c) => fs.existsSync(c));
}
const binary = findBinary();

test('defaults send no select, so the dockwise.toml selection stands', () => {
  assert.deepEqual(serverSettings(config({})), { extendSelect: [], ignore: [], severity: {} });
  assert.deepEqual(
    serverSettings(config({ select: null, extendSelect: [], ignore: [], severity: {}, 'compose.schemaValidation': true })),
    { extendSelect: [], ignore: [], severity: {} },
  );
});

test('rule settings pass through under the server names', () => {
  const s = serverSettings(
    config({ select: ['DF'], extendSelect: ['DF049'], ignore: ['DF003'], severity: { DF020: 'warning' } }),
  );
  assert.deepEqual(s, { select: ['DF'], extendSelect: ['DF049'], ignore: ['DF003'], severity: { DF020: 'warning' } });
});

test('compose.schemaValidation false ignores CP001, once', () => {
  assert.deepEqual(serverSettings(config({ 'compose.schemaValidation': false })).ignore, ['CP001']);
  assert.deepEqual(
    serverSettings(config({ ignore: ['DF003', 'CP001'], 'compose.schemaValidation': false })).ignore,
    ['DF003', 'CP001'],
  );
});

test('values of the wrong type are dropped, not sent', () => {
  const s = serverSettings(config({ ignore: ['DF003', 7], extendSelect: 'DF049', severity: { DF020: 3, DF003: 'error' } }));
  assert.deepEqual(s, { extendSelect: [], ignore: ['DF003'], severity: { DF003: 'error' } });
});

// --- against the server -------------------------------------------------------------------

/** A minimal LSP client over stdio: enough for initialize, configuration and diagnostics. */
class Client {
  constructor(command, { configuration }) {
    this.proc = spawn(command, ['lsp'], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.proc.stderr.on('data', () => {});
    this.nextId = 1;
    this.pending = new Map();
    this.diagnostics = new Map();
    this.waiters = [];
    this.configuration = configuration;
    this.buffer = Buffer.alloc(0);
    this.proc.stdout.on('data', (chunk) => this.receive(chunk));
  }

  send(message) {
    const body = Buffer.from(JSON.stringify({ jsonrpc: '2.0', ...message }), 'utf8');
    this.proc.stdin.write(`Content-Length: ${body.length}\r\n\r\n`);
    this.proc.stdin.write(body);
  }

  request(method, params) {
    const id = this.nextId++;
    this.send({ id, method, params });
    return new Promise((resolve, reject) => this.pending.set(id, { resolve, reject }));
  }

  notify(method, params) {
    this.send({ method, params });
  }

  receive(chunk) {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const end = this.buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      const length = Number(/Content-Length: (\d+)/i.exec(this.buffer.subarray(0, end).toString())[1]);
      if (this.buffer.length < end + 4 + length) return;
      const message = JSON.parse(this.buffer.subarray(end + 4, end + 4 + length).toString('utf8'));
      this.buffer = this.buffer.subarray(end + 4 + length);
      this.handle(message);
    }
  }

  handle(message) {
    if (message.id !== undefined && message.method === undefined) {
      const waiter = this.pending.get(message.id);
      this.pending.delete(message.id);
      if (message.error) waiter?.reject(new Error(message.error.message));
      else waiter?.resolve(message.result);
    } else if (message.method === 'workspace/configuration') {
      // What the extension's middleware answers for the section `dockwise`.
      this.send({ id: message.id, result: message.params.items.map(() => this.configuration()) });
    } else if (message.id !== undefined) {
      this.send({ id: message.id, result: null }); // registerCapability and the like
    } else if (message.method === 'textDocument/publishDiagnostics') {
      this.diagnostics.set(message.params.uri, message.params.diagnostics);
      for (const w of this.waiters.splice(0)) w();
    }
  }

  /** Waits until `predicate` holds for the diagnostics of `uri`. */
  async diagnosticsFor(uri, predicate, what) {
    const deadline = Date.now() + 10000;
    for (;;) {
      const current = this.diagnostics.get(uri);
      if (current && predicate(current)) return current;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(current)}`);
      await new Promise((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, Math.min(left, 200));
      });
    }
  }

  async start(folder, initializationOptions) {
    await this.request('initialize', {
      processId: process.pid,
      rootUri: pathToFileURL(folder).href,
      capabilities: { workspace: { configuration: this.configuration !== undefined } },
      initializationOptions,
    });
    this.notify('initialized', {});
  }

  async close() {
    await this.request('shutdown', null).catch(() => undefined);
    this.notify('exit', null);
    await new Promise((resolve) => this.proc.once('exit', resolve));
  }
}

// `restrat` is no key of a Compose service: a schema error (CP001).
const COMPOSE = 'services:\n  web:\n    image: nginx:1.27\n    restrat: always\n';
const codes = (diags) => diags.map((d) => (typeof d.code === 'object' ? d.code.value : d.code));

function openCompose(client) {
  const folder = scratchDir('dockwise-vscode-ws-');
  const file = path.join(folder, 'compose.yaml');
  fs.writeFileSync(file, COMPOSE);
  const uri = pathToFileURL(file).href;
  return { folder, uri, open: () => client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'dockercompose', version: 1, text: COMPOSE } }) };
}

test('the server honours the settings the extension sends', { skip: !binary && 'no dockwise binary (set DOCKWISE_BIN)' }, async (t) => {
  await t.test('initializationOptions: defaults report CP001', async () => {
    const client = new Client(binary, { configuration: undefined });
    try {
      const doc = openCompose(client);
      await client.start(doc.folder, serverSettings(config({})));
      doc.open();
      await client.diagnosticsFor(doc.uri, (d) => codes(d).includes('CP001'), 'CP001');
    } finally {
      await client.close();
    }
  });

  await t.test('initializationOptions: schemaValidation false drops CP001', async () => {
    const client = new Client(binary, { configuration: undefined });
    try {
      const doc = openCompose(client);
      await client.start(doc.folder, serverSettings(config({ 'compose.schemaValidation': false })));
      doc.open();
      // The server publishes even when nothing is found; wait for the first report.
      const diags = await client.diagnosticsFor(doc.uri, () => true, 'a report');
      assert.ok(!codes(diags).includes('CP001'), `CP001 still reported: ${JSON.stringify(diags)}`);
    } finally {
      await client.close();
    }
  });

  await t.test('workspace/configuration pull after didChangeConfiguration', async () => {
    let current = serverSettings(config({ severity: { CP001: 'info' } }));
    const client = new Client(binary, { configuration: () => current });
    try {
      const doc = openCompose(client);
      await client.start(doc.folder, current);
      doc.open();
      const first = await client.diagnosticsFor(doc.uri, (d) => codes(d).includes('CP001'), 'CP001');
      const cp001 = first.find((d) => codes([d])[0] === 'CP001');
      assert.equal(cp001.severity, 3, 'severity "info" is LSP Information (3)');
      // As the extension does on a settings change: notify; the server pulls the new values.
      current = serverSettings(config({ 'compose.schemaValidation': false }));
      client.notify('workspace/didChangeConfiguration', { settings: { dockwise: current } });
      await client.diagnosticsFor(doc.uri, (d) => !codes(d).includes('CP001'), 'CP001 to go');
    } finally {
      await client.close();
    }
  });
});
