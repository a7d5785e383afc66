// Signed transactions made in the page (docs/ledger.md, "Transactions"): the payload's RLP,
// its signing hash keccak256(0x41 ‖ rlp(payload)), a deterministic low-s secp256k1
// signature with the vendored @noble/secp256k1, and the signed transaction's RLP. The
// secret key stays in the page: only the signed transaction is sent.

import { hashes, sign } from "./vendor/noble-secp256k1/index.js";
import { hmac } from "./vendor/noble-hashes/hmac.js";
import { sha256 } from "./vendor/noble-hashes/sha2.js";
import { keccak_256 } from "./vendor/noble-hashes/sha3.js";
import { concatBytes, fromHex, toHex } from "./codec.js";
import { rlpEncode } from "./proof.js";

// RFC 6979 nonces for the synchronous signer.
hashes.sha256 = sha256;
hashes.hmacSha256 = (key, message) => hmac(sha256, key, message);

/** The gas limit of the page's transactions: the client commands' default. */
export const GAS_LIMIT = 10_000_000;

/**
 * Signs a call of `method` on `to` with `args` (a JSON object) by `secret`; the signed
 * transaction's hex, ready for `assent_sendRawTransaction`.
 */
export function signCall({ chainId, nonce, to, method, args, secret, gasLimit = GAS_LIMIT }) {
  const text = new TextEncoder();
  const payload = [chainId, nonce, gasLimit, fromHex(to), text.encode(method), text.encode(JSON.stringify(args)), new Uint8Array()];
  const hash = keccak_256(concatBytes(new Uint8Array([0x41]), rlpEncode(payload)));
  const signature = sign(hash, secret, { prehash: false, lowS: true, format: "recovered" });
  const yParity = signature[0];
  const r = stripZeros(signature.subarray(1, 33));
  const s = stripZeros(signature.subarray(33, 65));
  return toHex(rlpEncode([...payload, yParity, r, s]));
}

/** r and s are RLP integers: minimal big-endian, no leading zero bytes. */
function stripZeros(bytes) {
  let start = 0;
  while (start < bytes.length && bytes[start] === 0) start++;
  return bytes.subarray(start);
}
