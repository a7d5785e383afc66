// "Verify, don't trust": checks a state proof from `assent_getProof` in the browser, with
// nothing but the vendored Keccak-256. RLP (Ethereum's encoding), a walk of the hexary
// Merkle Patricia trie from the block's state root, the block header's hash, and the raw
// key recomputed from the contract's ABI (docs/ledger.md, "Proofs").

import { keccak_256 } from "./vendor/noble-hashes/sha3.js";
import { bytesEqual, concatBytes, decodeValue, encodeValue, fromHex, jsonEqual, toHex } from "./codec.js";

export const keccak = (bytes) => keccak_256(bytes);

// ---- RLP ----------------------------------------------------------------------------------

/** Decodes one RLP item that fills `bytes`: a Uint8Array or an array of items. */
export function rlpDecode(bytes) {
  const [item, end] = rlpItem(bytes, 0, 0);
  if (end !== bytes.length) throw new Error("RLP: trailing bytes");
  return item;
}

function rlpLength(bytes, at, size) {
  if (size > 4 || at + size > bytes.length) throw new Error("RLP: bad length");
  let length = 0;
  for (let i = 0; i < size; i++) length = length * 256 + bytes[at + i];
  return length;
}

function rlpItem(bytes, at, depth) {
  if (depth > 64) throw new Error("RLP: nested too deeply");
  if (at >= bytes.length) throw new Error("RLP: ends early");
  const first = bytes[at];
  let start;
  let length;
  let list;
  if (first < 0x80) return [bytes.subarray(at, at + 1), at + 1];
  if (first <= 0xb7) [start, length, list] = [at + 1, first - 0x80, false];
  else if (first <= 0xbf) {
    const size = first - 0xb7;
    [start, length, list] = [at + 1 + size, rlpLength(bytes, at + 1, size), false];
  } else if (first <= 0xf7) [start, length, list] = [at + 1, first - 0xc0, true];
  else {
    const size = first - 0xf7;
    [start, length, list] = [at + 1 + size, rlpLength(bytes, at + 1, size), true];
  }
  const end = start + length;
  if (end > bytes.length) throw new Error("RLP: ends early");
  if (!list) return [bytes.subarray(start, end), end];
  const items = [];
  let cursor = start;
  while (cursor < end) {
    const [item, next] = rlpItem(bytes, cursor, depth + 1);
    items.push(item);
    cursor = next;
  }
  if (cursor !== end) throw new Error("RLP: a list's items overrun it");
  return [items, end];
}

function lengthPrefix(length, offset) {
  if (length < 56) return new Uint8Array([offset + length]);
  const digits = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) digits.unshift(n % 256);
  return new Uint8Array([offset + 55 + digits.length, ...digits]);
}

/** Encodes a Uint8Array, an array of items, or a non-negative integer (bigint or number). */
export function rlpEncode(item) {
  if (typeof item === "number" || typeof item === "bigint") {
    let n = BigInt(item);
    const digits = [];
    while (n > 0n) {
      digits.unshift(Number(n & 255n));
      n >>= 8n;
    }
    return rlpEncode(new Uint8Array(digits));
  }
  if (Array.isArray(item)) {
    const body = concatBytes(...item.map(rlpEncode));
    return concatBytes(lengthPrefix(body.length, 0xc0), body);
  }
  if (item.length === 1 && item[0] < 0x80) return item;
  return concatBytes(lengthPrefix(item.length, 0x80), item);
}

// ---- The trie -----------------------------------------------------------------------------

/** The root of the empty trie: keccak256(rlp("")). */
const EMPTY_ROOT = "0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421";

function nibbles(bytes) {
  const out = [];
  for (const byte of bytes) out.push(byte >> 4, byte & 15);
  return out;
}

/**
 * Walks the proof from `root` along `path` (32 bytes). Returns the value found, or `null`
 * when the proof shows that there is none; throws when the proof is not a valid proof
 * for this root and path.
 */
export function verifyProof(root, path, proofNodes) {
  const byHash = new Map();
  for (const node of proofNodes) byHash.set(toHex(keccak(node)), node);
  const key = nibbles(path);
  if (toHex(root) === EMPTY_ROOT && proofNodes.length === 0) return null;
  let reference = root;
  let at = 0;
  for (let step = 0; step < 130; step++) {
    let node;
    if (reference instanceof Uint8Array) {
      if (reference.length !== 32) throw new Error(`a node reference of ${reference.length} bytes`);
      const encoded = byHash.get(toHex(reference));
      if (!encoded) {
        throw new Error(step === 0 ? "no proof node hashes to the state root" : `no proof node hashes to ${toHex(reference).slice(0, 18)}…, which its parent names`);
      }
      node = rlpDecode(encoded);
    } else {
      node = reference; // embedded in its parent
    }
    if (!Array.isArray(node)) throw new Error("a trie node is not a list");
    if (node.length === 17) {
      if (at === key.length) {
        if (Array.isArray(node[16])) throw new Error("a branch's value is not bytes");
        return node[16].length ? node[16] : null;
      }
      const child = node[key[at]];
      at += 1;
      if (!Array.isArray(child) && child.length === 0) return null;
      reference = child;
      continue;
    }
    if (node.length !== 2 || Array.isArray(node[0])) throw new Error("a trie node is malformed");
    const encodedPath = nibbles(node[0]);
    const flag = encodedPath[0];
    if (flag === undefined || flag > 3) throw new Error("a trie node's path is malformed");
    const part = encodedPath.slice(flag & 1 ? 1 : 2);
    const matches = part.every((nibble, i) => key[at + i] === nibble);
    if (flag & 2) {
      // A leaf: the rest of the path must be exactly its path.
      if (!matches || at + part.length !== key.length) return null;
      if (Array.isArray(node[1])) throw new Error("a leaf's value is not bytes");
      return node[1];
    }
    if (!matches) return null;
    at += part.length;
    reference = node[1];
  }
  throw new Error("the proof is longer than any path");
}

/** The block hash recomputed from the header's fields (docs/ledger.md, "Blocks"). */
export function blockHash(block) {
  const header = [
    block.number,
    fromHex(block.parent_hash),
    block.time,
    fromHex(block.state_root),
    fromHex(block.transactions_root),
    fromHex(block.receipts_root),
    block.gas_used,
  ];
  return toHex(keccak(rlpEncode(header)));
}

/**
 * Checks an `assent_getProof` answer for `state`[`key`] of `contract` against `block`
 * (its `assent_getBlockByNumber` answer) with the contract's `abi`. Returns
 * `{ok: true, value}` with the proven value's JSON form, or `{ok: false, reason}`.
 */
export function checkProof({ abi, contract, state, key, answer, block }) {
  try {
    if (!block || block.number !== answer.block) throw new Error(`the proof is for block ${answer.block}, not the block fetched`);
    const hash = blockHash(block);
    if (hash !== String(block.hash).toLowerCase()) throw new Error("the block header does not hash to the block's hash");
    if (String(answer.state_root).toLowerCase() !== String(block.state_root).toLowerCase()) {
      throw new Error("the proof's state root is not the block header's");
    }
    const index = (abi.states ?? []).findIndex((entry) => entry.name === state);
    if (index < 0) throw new Error(`the contract has no state \`${state}\``);
    const stateType = abi.types[abi.states[index].type];
    const keyBytes = stateType.kind === "Map" ? encodeValue(abi, stateType.key, key) : stateType.kind === "Set" ? encodeValue(abi, stateType.of, key) : new Uint8Array();
    const indexBytes = new Uint8Array([index >>> 24, (index >>> 16) & 255, (index >>> 8) & 255, index & 255]);
    const rawKey = concatBytes(fromHex(contract), indexBytes, keyBytes);
    if (!bytesEqual(rawKey, fromHex(answer.raw_key))) throw new Error("the proof is for another key");
    const proven = verifyProof(fromHex(block.state_root), keccak(rawKey), (answer.proof ?? []).map(fromHex));
    const claimed = answer.value === null ? null : fromHex(answer.value);
    if ((proven === null) !== (claimed === null) || (proven && !bytesEqual(proven, claimed))) {
      throw new Error(proven === null ? "the proof shows no entry, but a value was claimed" : "the proven value is not the value claimed");
    }
    let value = null;
    if (proven !== null) {
      const valueType = stateType.kind === "Map" ? stateType.value : stateType.kind === "Set" ? null : abi.states[index].type;
      value = valueType === null ? true : decodeValue(abi, valueType, proven);
    }
    if (!jsonEqual(value, answer.value_json)) throw new Error("the value shown is not the value proven");
    return { ok: true, value, blockHash: hash };
  } catch (error) {
    return { ok: false, reason: error.message };
  }
}

/**
 * Checks an `assent_getReceiptProof` answer for the event `entry` (an `assent_getLogs`
 * entry of `contract`) against `block`: the header hashes to the block's hash, the
 * receipt is in the block's receipts trie at `rlp(index)`, it is the entry's transaction,
 * and its event number `entry.event_index` is the entry's event with the same fields.
 * Returns `{ok: true}` or `{ok: false, reason}`.
 */
export function checkReceiptProof({ contract, entry, answer, block }) {
  try {
    if (!answer) throw new Error("the node has no receipt for this transaction");
    if (!block || block.number !== answer.block || answer.block !== entry.block) {
      throw new Error(`the proof is for block ${answer.block}, not the event's block ${entry.block}`);
    }
    const hash = blockHash(block);
    if (hash !== String(block.hash).toLowerCase()) throw new Error("the block header does not hash to the block's hash");
    if (String(answer.receipts_root).toLowerCase() !== String(block.receipts_root).toLowerCase()) {
      throw new Error("the proof's receipts root is not the block header's");
    }
    const proven = verifyProof(fromHex(block.receipts_root), rlpEncode(answer.index), (answer.proof ?? []).map(fromHex));
    if (proven === null) throw new Error("the proof shows no receipt at this index");
    if (!bytesEqual(proven, fromHex(answer.receipt))) throw new Error("the proven receipt is not the receipt claimed");
    const receipt = rlpDecode(proven);
    if (!Array.isArray(receipt) || receipt.length !== 10 || !Array.isArray(receipt[9])) throw new Error("the receipt is malformed");
    if (toHex(receipt[0]) !== String(entry.tx_hash).toLowerCase()) throw new Error("the receipt is another transaction's");
    const event = receipt[9][entry.event_index];
    if (!Array.isArray(event) || event.length !== 5) throw new Error("the receipt has no such event");
    const text = (bytes) => new TextDecoder().decode(bytes);
    if (toHex(event[0]) !== String(contract).toLowerCase()) throw new Error("the event is another contract's");
    if (text(event[1]) !== entry.name) throw new Error(`the receipt's event is \`${text(event[1])}\`, not \`${entry.name}\``);
    if (!jsonEqual(JSON.parse(text(event[2])), entry.fields)) throw new Error("the event shown is not the event proven");
    return { ok: true, blockHash: hash };
  } catch (error) {
    return { ok: false, reason: error.message };
  }
}
