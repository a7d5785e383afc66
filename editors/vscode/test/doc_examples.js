// The grammar never marks valid code as invalid: every ```assent block of the user
// documentation (README.md, docs/*.md) that the compiler's own doc test checks as valid
// (no `error=` marker; docs/errors.md is skipped, as there) is tokenized, and no token may
// carry an `invalid.illegal` scope.
// The compiler checks the same blocks (lang/tests/doc_examples.rs), so they are valid Assent.
// Conversely, the example of each lexical error a pattern can see (docs/errors.md: a bad
// escape, money, percent or hex literal, a stray brace in a string) must have such a token.
'use strict';

const fs = require('fs');
const path = require('path');
const oniguruma = require('vscode-oniguruma');
const textmate = require('vscode-textmate');

const repositoryRoot = path.resolve(__dirname, '..', '..', '..');
const grammarPath = path.resolve(__dirname, '..', 'syntaxes', 'assent.tmLanguage.json');

function documents() {
  const docs = path.join(repositoryRoot, 'docs');
  const names = fs
    .readdirSync(docs)
    // errors.md is generated from the diagnostics tests: its programs are wrong on purpose.
    .filter((name) => name.endsWith('.md') && name !== 'errors.md')
    .sort()
    .map((name) => path.join('docs', name));
  return ['README.md', ...names];
}

/** The ```assent blocks of a Markdown text that are meant to check clean. */
function validBlocks(document, markdown) {
  const blocks = [];
  const lines = markdown.split('\n');
  for (let index = 0; index < lines.length; index += 1) {
    const fence = /^(\s*)```(.*)$/.exec(lines[index]);
    if (!fence) {
      continue;
    }
    const indent = fence[1].length;
    const info = fence[2].trim();
    const body = [];
    const opening = index + 1;
    for (index += 1; index < lines.length && lines[index].trim() !== '```'; index += 1) {
      body.push(lines[index].slice(Math.min(indent, lines[index].length - lines[index].trimStart().length)));
    }
    const attributes = info.split(',').map((part) => part.trim());
    if (attributes[0] === 'assent' && !attributes.some((part) => part.startsWith('error='))) {
      blocks.push({ place: `${document}:${opening}`, lines: body });
    }
  }
  return blocks;
}

async function loadGrammar() {
  const wasm = fs.readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new textmate.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
      createOnigString: (text) => new oniguruma.OnigString(text),
    }),
    loadGrammar: async () => textmate.parseRawGrammar(fs.readFileSync(grammarPath, 'utf8'), grammarPath),
  });
  return registry.loadGrammar('source.assent');
}

/** The codes of docs/errors.md whose example the grammar marks invalid. */
const LEXICAL_ERRORS_SEEN = ['E0003', 'E0005', 'E0006', 'E0009', 'E0017'];

/** The first ```assent block after each `## Exxxx:` heading of docs/errors.md. */
function errorExamples(markdown) {
  const examples = new Map();
  for (const block of markdown.split(/^## /m).slice(1)) {
    const code = block.slice(0, block.indexOf(':'));
    const found = validBlocks(`docs/errors.md ${code}`, block.replace(/^```assent.*$/m, '```assent'));
    if (found.length > 0) {
      examples.set(code, found[0]);
    }
  }
  return examples;
}

/** Each token marked invalid in `block`, as `text` and scope. */
function invalidTokens(grammar, block) {
  const found = [];
  let state = textmate.INITIAL;
  block.lines.forEach((line, offset) => {
    const result = grammar.tokenizeLine(line, state);
    for (const token of result.tokens) {
      const invalid = token.scopes.find((scope) => scope.startsWith('invalid.'));
      if (invalid) {
        const text = line.slice(token.startIndex, token.endIndex);
        found.push(`${block.place} (line ${offset + 1} of the block): \`${text}\` is ${invalid}`);
      }
    }
    state = result.ruleStack;
  });
  return found;
}

async function main() {
  const grammar = await loadGrammar();
  const problems = [];
  let blockCount = 0;
  for (const document of documents()) {
    const markdown = fs.readFileSync(path.join(repositoryRoot, document), 'utf8');
    for (const block of validBlocks(document, markdown)) {
      blockCount += 1;
      problems.push(...invalidTokens(grammar, block));
    }
  }
  const examples = errorExamples(fs.readFileSync(path.join(repositoryRoot, 'docs', 'errors.md'), 'utf8'));
  for (const code of LEXICAL_ERRORS_SEEN) {
    const example = examples.get(code);
    if (example === undefined) {
      problems.push(`docs/errors.md has no example for ${code}`);
    } else if (invalidTokens(grammar, example).length === 0) {
      problems.push(`${example.place}: nothing is marked invalid in the example of ${code}`);
    }
  }
  console.log(
    `== grammar over the documentation's examples (${blockCount} valid blocks, ${LEXICAL_ERRORS_SEEN.length} lexical errors)`,
  );
  if (problems.length > 0) {
    console.log(problems.map((problem) => `✖ ${problem}`).join('\n'));
    return false;
  }
  console.log('✓ no valid example has a token marked invalid; every lexical error example has one');
  return true;
}

module.exports = { main };

if (require.main === module) {
  main().then(
    (passed) => process.exit(passed ? 0 : 1),
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}
