// The patient acts: grant and revoke signed in the page with the patient's key (tx.js),
// sent to the node, and followed to their receipt. The key never leaves the page. Errors
// a patient can act on: a key that is not the patient's, a date that has passed, a node
// that does not answer, a transaction the contract refused.

import { batch, call } from "./rpc.js";
import { signCall } from "./tx.js";
import { addressOf, devAccount, isLocalNode } from "./accounts.js";
import { fromHex, isAddress } from "./codec.js";
import { $, fillChoices } from "./dom.js";

/** How long the page follows a transaction to its receipt. */
const RECEIPT_WAIT_MS = 60_000;
/** The longest grant the contract accepts (`patient_consent`: two years). */
const MAX_GRANT_SECONDS = 730 * 86400;


/** The secret key the form holds, checked against the patient's address. */
function patientKey(view) {
  const text = $("secret").value.trim();
  let secret;
  if (/^(0x)?[0-9a-fA-F]{64}$/.test(text)) {
    secret = fromHex(text.startsWith("0x") ? text : "0x" + text);
  } else if (text && isLocalNode() && /^[A-Za-z0-9_.-]{1,64}$/.test(text)) {
    secret = devAccount(text).secret;
  } else {
    throw new Error(isLocalNode() ? "type your secret key (64 hex digits) or a development account's name" : "type your secret key: 64 hex digits");
  }
  let signer;
  try {
    signer = addressOf(secret);
  } catch {
    throw new Error("this is not a valid secp256k1 secret key");
  }
  if (signer !== view.patient) {
    throw new Error(`wrong key: it signs for ${signer}, not for the patient ${view.patient}`);
  }
  return secret;
}

function setActStatus(message, kind = "info") {
  const status = $("act-status");
  status.textContent = message;
  status.dataset.kind = kind;
}

/** Signs and sends `method(args)` as the patient; resolves when its receipt is `ok`. */
async function transact(view, method, args) {
  const secret = patientKey(view);
  const [chainId, nonce] = await batch([["assent_chainId", []], ["assent_getTransactionCount", [view.patient]]]);
  if (chainId instanceof Error) throw chainId;
  if (nonce instanceof Error) throw nonce;
  const raw = signCall({ chainId, nonce, to: view.contract, method, args, secret });
  const hash = await call("assent_sendRawTransaction", [raw]);
  setActStatus(`Sent (${hash.slice(0, 10)}…); waiting for a block…`);
  const started = Date.now();
  while (Date.now() - started < RECEIPT_WAIT_MS) {
    const receipt = await call("assent_getTransactionReceipt", [hash]);
    if (receipt) {
      if (receipt.status !== "ok") throw new Error(`the contract refused it: ${receipt.message ?? receipt.status}`);
      return receipt;
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  throw new Error(`no block holds the transaction ${hash} after ${RECEIPT_WAIT_MS / 1000} s; look again later`);
}


/** Wires the grant form and returns `revokeButton(grantee)` for the grants table. */
export function setupActions(view, reload) {
  let busy = false;
  async function run(label, work) {
    if (busy) return;
    busy = true;
    $("grant").disabled = true;
    setActStatus(`${label}…`);
    try {
      await work();
      setActStatus(`${label}: done.`, "ok");
      await reload();
    } catch (error) {
      setActStatus(`${label} failed: ${error.message}`, "error");
    } finally {
      busy = false;
      $("grant").disabled = false;
    }
  }

  $("act").addEventListener("submit", (event) => {
    event.preventDefault();
    run("Granting", async () => {
      let grantee = $("grantee").value.trim();
      if (!isAddress(grantee) && isLocalNode() && /^[A-Za-z0-9_.-]{1,64}$/.test(grantee)) grantee = devAccount(grantee).address;
      if (!isAddress(grantee)) throw new Error("the grantee must be an address (0x and 40 hex digits)" + (isLocalNode() ? " or a development account's name" : ""));
      const purposes = [...$("purposes").selectedOptions].map((option) => option.value);
      const classes = [...$("classes").selectedOptions].map((option) => option.value);
      if (!purposes.length) throw new Error("choose at least one purpose");
      if (!classes.length) throw new Error("choose at least one data class");
      const date = $("until").value;
      if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new Error("choose the date the grant ends");
      const until = Math.floor(Date.parse(`${date}T00:00:00Z`) / 1000);
      const now = Math.floor(Date.now() / 1000);
      if (until <= Math.max(now, view.head.time)) throw new Error(`the end date ${date} has passed: choose a date in the future`);
      if (until - now > MAX_GRANT_SECONDS) throw new Error("a grant lasts at most two years: choose an earlier end date");
      await transact(view, "grant", { grantee: grantee.toLowerCase(), purposes, classes, until });
    });
  });

  return {
    /** Fills the enum lists once the contract's ABI is known. */
    onAbi(abi) {
      fillChoices($("purposes"), abi, "PurposeOfUse");
      fillChoices($("classes"), abi, "DataClass");
      if (!$("until").value) {
        $("until").value = new Date(Date.now() + 90 * 86400 * 1000).toISOString().slice(0, 10);
      }
    },
    /** A Revoke button for the grant to `grantee`. */
    revokeButton(grantee) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "revoke";
      button.textContent = "Revoke";
      button.setAttribute("aria-label", `Revoke the grant to ${grantee}`);
      button.addEventListener("click", () => run("Revoking", () => transact(view, "revoke", { grantee })));
      return button;
    },
  };
}
