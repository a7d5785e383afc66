// Grammar tests: the assertion cases in test/cases/, a snapshot of the scopes of every
// sample contract and standard-library module of the repository, and the documentation's
// examples (test/doc_examples.js: valid code is never marked invalid).
//
//   node test/grammar.js            compare (what CI runs; never writes a snapshot)
//   node test/grammar.js --update   write the snapshots again, to review with `git diff`
//
// The snapshots mirror the repository's paths: contracts/claims.assent is snapshotted in
// test/snap/contracts/claims.assent.snap. vscode-tmgrammar-snap keeps a snapshot beside
// its source and writes a missing one instead of failing, so the sources are copied into a
// scratch folder with their committed snapshots, and a sample without one fails here.
'use strict';

const childProcess = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const documentationExamples = require('./doc_examples.js');

const extensionRoot = path.resolve(__dirname, '..');
const repositoryRoot = path.resolve(extensionRoot, '..', '..');
const grammar = path.join(extensionRoot, 'syntaxes', 'assent.tmLanguage.json');
const manifest = path.join(extensionRoot, 'package.json');
const snapshotRoot = path.join(__dirname, 'snap');
// The folders whose `*.assent` files are snapshotted, relative to the repository.
const sampleFolders = ['contracts', 'contracts/stdlib', 'stdlib/std'];

const update = process.argv.includes('--update');

function tool(name) {
  return require.resolve(`vscode-tmgrammar-test/dist/${name}.js`);
}

function run(script, args, cwd) {
  const result = childProcess.spawnSync(process.execPath, [script, ...args], {
    cwd,
    stdio: 'inherit',
  });
  if (result.error) {
    throw result.error;
  }
  return result.status === 0;
}

function samples() {
  const found = [];
  for (const folder of sampleFolders) {
    const absolute = path.join(repositoryRoot, folder);
    if (!fs.existsSync(absolute)) {
      throw new Error(`${folder}/ is gone: update sampleFolders in test/grammar.js`);
    }
    for (const name of fs.readdirSync(absolute).sort()) {
      if (name.endsWith('.assent')) {
        found.push(path.posix.join(folder, name));
      }
    }
  }
  return found;
}

/** The sources the committed snapshots are of, as repository paths. */
function committedSnapshots(folder = '') {
  const found = [];
  const absolute = path.join(snapshotRoot, folder);
  if (!fs.existsSync(absolute)) {
    return found;
  }
  for (const entry of fs.readdirSync(absolute, { withFileTypes: true })) {
    const relative = path.posix.join(folder, entry.name);
    if (entry.isDirectory()) {
      found.push(...committedSnapshots(relative));
    } else if (entry.name.endsWith('.snap')) {
      found.push(relative.slice(0, -'.snap'.length));
    }
  }
  return found;
}

function assertionTests() {
  console.log('== grammar assertions (test/cases)');
  return run(tool('unit'), ['-g', grammar, '--config', manifest, 'test/cases/*.assent'], extensionRoot);
}

function snapshotTests() {
  const sources = samples();
  console.log(`== grammar snapshots (${sources.length} files)`);
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'assent-grammar-'));
  try {
    const missing = [];
    for (const source of sources) {
      const copy = path.join(scratch, source);
      const snapshot = path.join(snapshotRoot, `${source}.snap`);
      fs.mkdirSync(path.dirname(copy), { recursive: true });
      fs.copyFileSync(path.join(repositoryRoot, source), copy);
      if (fs.existsSync(snapshot)) {
        fs.copyFileSync(snapshot, `${copy}.snap`);
      } else if (!update) {
        missing.push(source);
      }
    }
    const orphans = committedSnapshots().filter((snapshot) => !sources.includes(snapshot));
    if (orphans.length > 0 && update) {
      for (const orphan of orphans) {
        fs.rmSync(path.join(snapshotRoot, `${orphan}.snap`));
        console.log(`removed the snapshot of ${orphan}, which is no longer a sample`);
      }
    } else if (orphans.length > 0) {
      console.error(`snapshots of files that are no longer samples: ${orphans.join(', ')}`);
      console.error('run `npm run test:grammar:update` to remove them');
      return false;
    }
    if (missing.length > 0) {
      console.error(`no snapshot for: ${missing.join(', ')}`);
      console.error('run `npm run test:grammar:update` and review the new snapshots with `git diff`');
      return false;
    }
    const args = ['-g', grammar, '--config', manifest, '-s', 'source.assent', '**/*.assent'];
    if (update) {
      args.push('--updateSnapshot');
    }
    const passed = run(tool('snapshot'), args, scratch);
    if (update && passed) {
      for (const source of sources) {
        const snapshot = path.join(snapshotRoot, `${source}.snap`);
        fs.mkdirSync(path.dirname(snapshot), { recursive: true });
        fs.copyFileSync(path.join(scratch, `${source}.snap`), snapshot);
      }
    }
    return passed;
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

async function main() {
  const assertionsPassed = assertionTests();
  const snapshotsPassed = snapshotTests();
  const examplesPassed = await documentationExamples.main();
  return assertionsPassed && snapshotsPassed && examplesPassed;
}

main().then(
  (passed) => process.exit(passed ? 0 : 1),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
