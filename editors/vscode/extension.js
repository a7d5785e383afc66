// The Assent extension: the grammar and language configuration are declarative (see
// package.json); this file starts the language server, `assent lsp`, when the `assent`
// binary has one. Without it the extension says so once and highlighting goes on working.
'use strict';

const childProcess = require('child_process');
const path = require('path');
const vscode = require('vscode');
const { LanguageClient, TransportKind } = require('vscode-languageclient/node');

const UNAVAILABLE = 'assent lsp is not available in this build; syntax highlighting still works';
const HELP_TIMEOUT_MS = 10000;

/** @type {LanguageClient | undefined} */
let client;
/** @type {vscode.OutputChannel | undefined} */
let output;
let toldUnavailable = false;
// Starts and stops run one after another, so that a setting changed while the server
// starts never leaves two clients running.
let serverTasks = Promise.resolve();

/**
 * @param {() => Promise<void>} task
 * @returns {Promise<void>}
 */
function inTurn(task) {
  serverTasks = serverTasks.then(task, task);
  return serverTasks;
}

/** @param {vscode.ExtensionContext} context */
async function activate(context) {
  output = vscode.window.createOutputChannel('Assent');
  context.subscriptions.push(output);
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration('assent.server.path')) {
        return inTurn(async () => {
          await stopServer();
          toldUnavailable = false;
          await startServer();
        });
      }
      return undefined;
    }),
  );
  await inTurn(startServer);
}

function deactivate() {
  return inTurn(stopServer);
}

/** The configured `assent` executable; a relative path is taken from the first workspace folder. */
function serverCommand() {
  const configured = vscode.workspace.getConfiguration('assent').get('server.path', 'assent');
  const command = (configured || 'assent').trim() || 'assent';
  const folders = vscode.workspace.workspaceFolders;
  if (command.includes('/') || command.includes('\\')) {
    if (!path.isAbsolute(command) && folders && folders.length > 0) {
      return path.join(folders[0].uri.fsPath, command);
    }
  }
  return command;
}

/**
 * Whether `command --help` lists an `lsp` command. Resolves to a reason when it does not
 * (the binary is missing, fails, or predates the language server), or to undefined.
 * @param {string} command
 * @returns {Promise<string | undefined>}
 */
function missingLsp(command) {
  return new Promise((resolve) => {
    childProcess.execFile(
      command,
      ['--help'],
      { timeout: HELP_TIMEOUT_MS, windowsHide: true },
      (error, stdout) => {
        if (error) {
          resolve(`\`${command} --help\` failed: ${error.message}`);
        } else if (!/^\s+lsp\b/m.test(String(stdout))) {
          resolve(`\`${command} --help\` lists no \`lsp\` command`);
        } else {
          resolve(undefined);
        }
      },
    );
  });
}

/** @param {string} reason */
function reportUnavailable(reason) {
  if (output) {
    output.appendLine(`${UNAVAILABLE} (${reason})`);
  }
  if (!toldUnavailable) {
    toldUnavailable = true;
    vscode.window.showInformationMessage(UNAVAILABLE);
  }
}

async function startServer() {
  const command = serverCommand();
  const reason = await missingLsp(command);
  if (reason) {
    reportUnavailable(reason);
    return;
  }
  const executable = { command, args: ['lsp'], transport: TransportKind.stdio };
  const serverOptions = { run: executable, debug: executable };
  const clientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'assent' },
      { scheme: 'untitled', language: 'assent' },
    ],
    outputChannel: output,
    // A server that cannot initialise is reported once, not restarted in a loop.
    initializationFailedHandler: () => false,
  };
  try {
    const candidate = new StartingQuietly('assent', 'Assent language server', serverOptions, clientOptions);
    await candidate.start();
    candidate.started = true;
    client = candidate;
  } catch (error) {
    reportUnavailable(`\`${command} lsp\` did not start: ${error instanceof Error ? error.message : error}`);
  }
}

/**
 * A language client whose errors while starting go to the output channel only: a server
 * that fails to start is reported once, by `reportUnavailable`, not by a notification
 * for each failed step. Once started, errors are shown as usual.
 */
class StartingQuietly extends LanguageClient {
  constructor(...args) {
    super(...args);
    this.started = false;
  }

  error(message, data, showNotification) {
    super.error(message, data, this.started ? showNotification : false);
  }
}

async function stopServer() {
  const running = client;
  client = undefined;
  if (running) {
    try {
      await running.stop();
    } catch (error) {
      if (output) {
        output.appendLine(`stopping the language server: ${error instanceof Error ? error.message : error}`);
      }
    }
  }
}

module.exports = {
  activate,
  deactivate,
  // For test/extension.js: the running client, if any.
  _client: () => client,
};
