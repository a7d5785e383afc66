// Accounts in the page: the address of a secret key, and the development accounts of a
// local node, whose secret key is keccak256("assent dev account:" + name) (docs/ledger.md,
// "Accounts and keys"). Anyone can compute those keys: they are for local nodes only.

import { getPublicKey } from "./vendor/noble-secp256k1/index.js";
import { keccak_256 } from "./vendor/noble-hashes/sha3.js";
import { toHex } from "./codec.js";

/** The development account's secret key for `name`. */
export function devSecret(name) {
  return keccak_256(new TextEncoder().encode("assent dev account:" + name));
}

/** The address of a secret key: the last 20 bytes of keccak256 of the uncompressed public key. */
export function addressOf(secret) {
  const publicKey = getPublicKey(secret, false);
  return toHex(keccak_256(publicKey.subarray(1)).subarray(12));
}

/** The development account named `name`: `{name, secret, address}`. */
export function devAccount(name) {
  const secret = devSecret(name);
  return { name, secret, address: addressOf(secret) };
}

/** Whether the page was served by a node on this machine, where development accounts make sense. */
export function isLocalNode(hostname = location.hostname) {
  return hostname === "localhost" || hostname === "[::1]" || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}
