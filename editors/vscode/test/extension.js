// Tests of extension.js outside VS Code: it is loaded with a stand-in for the `vscode`
// module, which records the notifications shown, and activated with `assent.server.path`
// set to a binary that is missing, has no `lsp` command, has one that exits at once, or
// has a working one (test/fixtures/). Each case runs in its own process.
//
//   node test/extension.js
'use strict';

const assert = require('assert');
const childProcess = require('child_process');
const Module = require('module');
const path = require('path');

const UNAVAILABLE = 'assent lsp is not available in this build; syntax highlighting still works';
const fixtures = path.join(__dirname, 'fixtures');

const cases = {
  'a missing binary: one message, activation completes': {
    serverPath: path.join(fixtures, 'no-such-assent'),
    expect: { messages: [UNAVAILABLE], running: false },
  },
  'a binary without `lsp` (this build): one message': {
    // Node's own help lists no `lsp` command, as `assent --help` does not today.
    serverPath: process.execPath,
    expect: { messages: [UNAVAILABLE], running: false },
  },
  'an `lsp` that exits at once: one message, none from the client library': {
    serverPath: path.join(fixtures, 'assent-lsp-crashes'),
    expect: { messages: [UNAVAILABLE], running: false },
  },
  'a working `lsp`: started, no message, stopped on deactivate': {
    serverPath: path.join(fixtures, 'assent-with-lsp'),
    expect: { messages: [], running: true },
  },
  'the setting changed to a missing binary: the server stops, one message': {
    serverPath: path.join(fixtures, 'assent-with-lsp'),
    changeTo: path.join(fixtures, 'no-such-assent'),
    expect: { messages: [UNAVAILABLE], running: true },
  },
};

/** A stand-in for the parts of the `vscode` module the extension and its client use. */
function fakeVscode(settings) {
  const shown = [];
  const configurationListeners = [];
  // What is not modelled is a callable, constructible object that returns itself, so the
  // language client can register its features.
  const anything = () => {
    const target = function () {};
    const proxy = new Proxy(target, {
      get: (_, property) => (property === 'then' ? undefined : property === 'dispose' ? () => {} : proxy),
      apply: () => proxy,
      construct: () => proxy,
    });
    return proxy;
  };
  const withDefault = (object) =>
    new Proxy(object, { get: (target, property) => (property in target ? target[property] : anything()) });
  const notify = (kind) => (message) => {
    shown.push({ kind, message });
    return Promise.resolve(undefined);
  };
  const api = withDefault({
    version: '1.90.0',
    window: withDefault({
      createOutputChannel: () => ({ appendLine() {}, append() {}, show() {}, clear() {}, dispose() {} }),
      showInformationMessage: notify('information'),
      showWarningMessage: notify('warning'),
      showErrorMessage: notify('error'),
    }),
    workspace: withDefault({
      getConfiguration: () => ({ get: (key, fallback) => settings[key] ?? fallback }),
      onDidChangeConfiguration: (listener) => {
        configurationListeners.push(listener);
        return { dispose() {} };
      },
      workspaceFolders: undefined,
      textDocuments: [],
      notebookDocuments: [],
    }),
  });
  return { api, shown, configurationListeners };
}

async function runCase(name) {
  const spec = cases[name];
  const settings = { 'server.path': spec.serverPath };
  const fake = fakeVscode(settings);
  const resolve = Module._resolveFilename;
  Module._resolveFilename = function (request, ...rest) {
    return request === 'vscode' ? 'vscode' : resolve.call(this, request, ...rest);
  };
  require.cache.vscode = { id: 'vscode', filename: 'vscode', loaded: true, exports: fake.api };
  // The client library may fail to write to a server that has already exited; in VS Code
  // the extension host logs such errors. Here they are counted, not fatal.
  let hostErrors = 0;
  process.on('uncaughtException', () => {
    hostErrors += 1;
  });
  const extension = require('../extension.js');
  await extension.activate({ subscriptions: [] });
  const running = extension._client() !== undefined;
  if (spec.changeTo !== undefined) {
    settings['server.path'] = spec.changeTo;
    for (const listener of fake.configurationListeners) {
      await listener({ affectsConfiguration: (section) => section === 'assent.server.path' });
    }
    assert.strictEqual(extension._client(), undefined, 'the server stops when the setting changes');
  }
  await extension.deactivate();
  assert.strictEqual(extension._client(), undefined, 'deactivate stops the server');
  return { messages: fake.shown.map((shown) => shown.message), running, hostErrors };
}

async function main() {
  const only = process.argv[2];
  if (only !== undefined) {
    const result = await runCase(only);
    process.stdout.write(`${JSON.stringify(result)}\n`);
    process.exit(0);
  }
  let failed = 0;
  for (const [name, spec] of Object.entries(cases)) {
    const child = childProcess.spawnSync(process.execPath, [__filename, name], { encoding: 'utf8', timeout: 60000 });
    const lines = (child.stdout || '').trim().split('\n');
    let result;
    try {
      result = JSON.parse(lines[lines.length - 1]);
      assert.deepStrictEqual(result.messages, spec.expect.messages);
      assert.strictEqual(result.running, spec.expect.running);
      console.log(`✓ ${name}`);
    } catch (error) {
      failed += 1;
      console.log(`✖ ${name}\n  ${error.message}\n  stdout: ${child.stdout}\n  stderr: ${child.stderr}`);
    }
  }
  process.exit(failed === 0 ? 0 : 1);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
