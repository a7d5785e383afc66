// The patient portal: for a patient's address, the grants and guardian of a
// `patient_consent` contract, the access history from its `audit` events, and the
// break-glass cases, each read from the node that served the page. Every grant has a
// check that fetches its Merkle proof and verifies it here (proof.js).

import { batch, call, logs } from "./rpc.js";
import { checkProof, checkReceiptProof } from "./proof.js";
import { isAddress } from "./codec.js";
import { devAccount, isLocalNode } from "./accounts.js";
import { setupActions } from "./act.js";
import { setupWho } from "./who.js";
import { $, el } from "./dom.js";

const PAGE_SIZE = 10;
/** Blocks per backward window of the access history; it grows when windows come back empty. */
const FIRST_WINDOW = 2000;
const MAX_WINDOW = 200000;
/** At most this many grantees are looked at (a patient with more is told). */
const MAX_GRANTEES = 500;

const PURPOSES = {
  TREAT: "treatment",
  ETREAT: "emergency treatment",
  BTG: "break the glass",
  ERTREAT: "emergency room treatment",
  CAREMGT: "care management",
  CLINTRL: "clinical trial",
  POPHLTH: "population health",
  HPAYMT: "payment",
  CLMATTCH: "claim attachment",
  COVERAGE: "coverage",
  HOPERAT: "operations",
  HRESCH: "research",
  CLINTRCH: "clinical trial research",
  PATRQT: "patient request",
  FAMRQT: "family request",
  PWATRNY: "power of attorney",
  PUBHLTH: "public health",
  HMARKT: "marketing",
};

const RULES = {
  consent: "your consent",
  self: "your own access",
  guardian: "your guardian",
  "break-glass": "emergency access",
  marketing: "marketing is never allowed",
  sensitive: "sensitive data only in emergencies",
  default: "no rule allowed it",
};


function when(iso) {
  return iso ? iso.replace("T", " ").replace("Z", " UTC") : "no end";
}

function purposeLabel(code) {
  return PURPOSES[code] ? `${PURPOSES[code]} (${code})` : code;
}

function address(text) {
  return el("code", { class: "address" }, text);
}

function setStatus(message, kind = "info") {
  const status = $("status");
  status.textContent = message;
  status.dataset.kind = kind;
}

/** What the page looks at: filled in by `load`. */
const view = {
  contract: null,
  patient: null,
  abi: null,
  head: null,
  history: null,
};

async function showNode() {
  try {
    const [chainId, head] = await batch([["assent_chainId", []], ["assent_blockNumber", []]]);
    if (chainId instanceof Error) throw chainId;
    if (head instanceof Error) throw head;
    $("node-info").textContent = `Connected to this node: chain ${chainId}, block ${head}.`;
  } catch (error) {
    $("node-info").textContent = `Cannot reach the node: ${error.message}`;
  }
}

/** Reads the form; fills the patient's address from a development name; checks both. */
function readForm() {
  const contract = $("contract").value.trim();
  let patient = $("patient").value.trim();
  const devName = $("dev-name").value.trim();
  if (devName && !$("dev-field").hidden) {
    patient = devAccount(devName).address;
    $("patient").value = patient;
    // The development key signs for this patient in the page.
    if (!$("secret").value) $("secret").value = devName;
  }
  if (!isAddress(contract)) {
    $("contract").setAttribute("aria-invalid", "true");
    $("contract").focus();
    throw new Error("the contract address must be 0x followed by 40 hex digits");
  }
  $("contract").removeAttribute("aria-invalid");
  if (!isAddress(patient)) {
    $("patient").setAttribute("aria-invalid", "true");
    $("patient").focus();
    throw new Error("the patient address must be 0x followed by 40 hex digits (or type a development account's name)");
  }
  $("patient").removeAttribute("aria-invalid");
  return { contract: contract.toLowerCase(), patient: patient.toLowerCase() };
}

/** Checks that the ABI is a consent registry's, naming what is missing otherwise. */
function checkAbi(abi) {
  const states = new Set((abi.states ?? []).map((state) => state.name));
  const events = new Set((abi.events ?? []).map((event) => event.name));
  const missing = [
    ...["grants", "guardians", "cases"].filter((name) => !states.has(name)).map((name) => `state \`${name}\``),
    ...["ConsentGranted", "Accessed", "BreakGlassOpened"].filter((name) => !events.has(name)).map((name) => `event \`${name}\``),
  ];
  if (missing.length) {
    throw new Error(`this contract (${abi.contract}) is not a patient consent registry: it has no ${missing.join(", ")}`);
  }
}

async function load(event) {
  event?.preventDefault();
  let form;
  try {
    form = readForm();
  } catch (error) {
    setStatus(error.message, "error");
    return;
  }
  $("show").disabled = true;
  setStatus("Reading the ledger…");
  try {
    const head = await call("assent_blockNumber", []);
    const [block, abi] = await batch([
      ["assent_getBlockByNumber", [head]],
      ["assent_getAbi", [form.contract, head]],
    ]);
    if (block instanceof Error) throw block;
    if (abi instanceof Error) throw abi;
    if (abi === null) throw new Error(`there is no contract at ${form.contract}`);
    checkAbi(abi);
    actions.onAbi(abi);
    who.onAbi(abi);
    Object.assign(view, { ...form, abi, head: block });
    const url = new URL(location.href);
    url.searchParams.set("contract", form.contract);
    url.searchParams.set("patient", form.patient);
    history.replaceState(null, "", url);
    $("as-of").textContent = `As of block ${block.number} (${when(new Date(block.time * 1000).toISOString().replace(".000", ""))}).`;
    await Promise.all([showGrants(), showCases(), startHistory()]);
    $("results").hidden = false;
    setStatus(`Showing ${form.patient}.`, "ok");
  } catch (error) {
    $("results").hidden = true;
    setStatus(`Could not read the ledger: ${error.message}`, "error");
  } finally {
    $("show").disabled = false;
  }
}

function proofParams(state, key) {
  const params = { contract: view.contract, state };
  if (key !== undefined) params.key = key;
  return ["assent_getProof", [params, view.head.number]];
}

// ---- Grants and guardian --------------------------------------------------------------------

async function showGrants() {
  const { contract, patient, head } = view;
  const granted = await logs({ contract, event: "ConsentGranted", where: { patient } }, 0, head.number);
  // Distinct grantees, most recently granted first.
  const grantees = [];
  for (const entry of granted.reverse()) {
    const grantee = String(entry.fields.grantee).toLowerCase();
    if (!grantees.includes(grantee)) grantees.push(grantee);
  }
  if (grantees.length > MAX_GRANTEES) throw new Error(`this patient has granted to more than ${MAX_GRANTEES} grantees`);
  const answers = await batch([proofParams("guardians", patient), ...grantees.map((grantee) => proofParams("grants", [patient, grantee]))]);
  for (const answer of answers) if (answer instanceof Error) throw answer;
  const [guardian, ...grants] = answers;

  const guardianLine = $("guardian");
  guardianLine.replaceChildren();
  // Who the "who can see" question asks about, besides the patient and anyone.
  view.people = [];
  if (guardian.value_json) {
    view.people.push({ address: String(guardian.value_json).toLowerCase(), role: "guardian" });
    guardianLine.append("Guardian or proxy: ", address(guardian.value_json), " ", verifier("guardians", patient));
  } else {
    guardianLine.append("No guardian or proxy is recorded. ", verifier("guardians", patient));
  }

  const body = $("grants").querySelector("tbody");
  body.replaceChildren();
  let expired = 0;
  grants.forEach((answer, i) => {
    const grant = answer.value_json;
    if (!grant) return; // revoked
    const end = grant.period?.end;
    if (end && Date.parse(end) <= head.time * 1000) {
      expired += 1;
      return;
    }
    const grantee = grantees[i];
    view.people.push({ address: grantee, role: "grantee" });
    body.append(
      el(
        "tr",
        { "data-grantee": grantee },
        el("td", { "data-label": "Grantee" }, address(grantee)),
        el("td", { "data-label": "Purposes" }, grant.purposes.map(purposeLabel).join(", ")),
        el("td", { "data-label": "Data classes" }, grant.classes.join(", ")),
        el("td", { "data-label": "Until" }, when(end)),
        el("td", { "data-label": "Proof" }, verifier("grants", [patient, grantee])),
        el("td", { "data-label": "Revoke" }, actions.revokeButton(grantee)),
      ),
    );
  });
  $("grants").hidden = body.children.length === 0;
  $("grants-empty").hidden = body.children.length !== 0;
  $("grants-expired").hidden = expired === 0;
  $("grants-expired").textContent = `${expired} expired grant${expired === 1 ? "" : "s"} not shown.`;
}

/**
 * A "Verify" button and its result. `check()` fetches and checks, returning
 * `{ok: true, text, title}` or `{ok: false, reason}`; a fetch that fails is said so.
 */
function checkButton(label, check) {
  const result = el("span", { class: "check", "data-state": "idle", role: "status" });
  const button = el("button", { type: "button", class: "verify" }, "Verify");
  button.setAttribute("aria-label", label);
  button.addEventListener("click", async () => {
    button.disabled = true;
    result.dataset.state = "pending";
    result.textContent = "checking…";
    try {
      const outcome = await check();
      result.dataset.state = outcome.ok ? "ok" : "failed";
      result.textContent = outcome.ok ? outcome.text : `✗ proof failed: ${outcome.reason}`;
      result.title = outcome.ok ? outcome.title : "";
    } catch (error) {
      result.dataset.state = "failed";
      result.textContent = `✗ could not check: ${error.message}`;
    } finally {
      button.disabled = false;
    }
  });
  return el("span", { class: "verifier" }, button, " ", result);
}

/** The check of the state entry `state`[`key`] at the block shown. */
function verifier(state, key) {
  return checkButton(`Verify the ledger's proof of this ${state === "grants" ? "grant" : "entry"}`, async () => {
    const [answer, block] = await batch([proofParams(state, key), ["assent_getBlockByNumber", [view.head.number]]]);
    if (answer instanceof Error) throw answer;
    if (block instanceof Error) throw block;
    const outcome = checkProof({ abi: view.abi, contract: view.contract, state, key, answer, block });
    if (!outcome.ok) return outcome;
    return {
      ok: true,
      text: `✓ proven at block ${block.number}`,
      title: `Merkle proof checked in this page against state root ${block.state_root} of block ${block.number} (hash ${outcome.blockHash})`,
    };
  });
}

/** The check of an access event: its transaction's receipt, proven. */
function eventVerifier(entry) {
  return checkButton("Verify the ledger's proof of this access", async () => {
    const [answer, block] = await batch([["assent_getReceiptProof", [entry.tx_hash]], ["assent_getBlockByNumber", [entry.block]]]);
    if (answer instanceof Error) throw answer;
    if (block instanceof Error) throw block;
    const outcome = checkReceiptProof({ contract: view.contract, entry, answer, block });
    if (!outcome.ok) return outcome;
    return {
      ok: true,
      text: `✓ proven in block ${block.number}`,
      title: `The transaction's receipt, with this event, checked in this page against receipts root ${block.receipts_root} of block ${block.number} (hash ${outcome.blockHash})`,
    };
  });
}

// ---- Break-glass cases ----------------------------------------------------------------------

async function showCases() {
  const { contract, patient, head } = view;
  const opened = await logs({ contract, event: "BreakGlassOpened", where: { patient } }, 0, head.number);
  const ids = opened.map((entry) => entry.fields.case_id).reverse();
  const answers = await batch(ids.map((id) => proofParams("cases", id)));
  const body = $("cases").querySelector("tbody");
  body.replaceChildren();
  answers.forEach((answer, i) => {
    if (answer instanceof Error) throw answer;
    const item = answer.value_json;
    if (!item) return;
    let status;
    if (item.review) {
      status = `reviewed: ${item.review.outcome === "Justified" ? "justified" : "unjustified"}${item.review.late ? " (late)" : ""}, ${when(item.review.at)}`;
    } else if (Date.parse(item.due) < head.time * 1000) {
      status = "review overdue";
    } else {
      status = "awaiting review";
    }
    body.append(
      el(
        "tr",
        { "data-case": ids[i] },
        el("td", { "data-label": "Case" }, String(item.case_id)),
        el("td", { "data-label": "Who" }, address(item.actor)),
        el("td", { "data-label": "Data class" }, item.class),
        el("td", { "data-label": "Reason" }, item.reason),
        el("td", { "data-label": "Review due" }, when(item.due)),
        el("td", { "data-label": "Status", class: `case-status ${item.review ? "" : status === "review overdue" ? "denied" : ""}` }, status),
      ),
    );
  });
  $("cases").hidden = body.children.length === 0;
  $("cases-empty").hidden = body.children.length !== 0;
}

// ---- Access history -------------------------------------------------------------------------

/**
 * The history is read backwards from the block shown, in windows of blocks, so that the
 * newest page costs the same however long the chain is. `events` holds what was read,
 * newest first; `low` is the lowest block read so far.
 */
async function startHistory() {
  view.history = { events: [], low: view.head.number + 1, window: FIRST_WINDOW, page: 0, times: new Map() };
  await showHistoryPage(0);
}

async function readOlder(history, wanted) {
  while (history.events.length < wanted && history.low > 0) {
    const to = history.low - 1;
    const from = Math.max(0, to - history.window + 1);
    const found = await logs({ contract: view.contract, event: "Accessed", where: { patient: view.patient } }, from, to);
    history.events.push(...found.reverse());
    history.low = from;
    if (found.length === 0) history.window = Math.min(history.window * 4, MAX_WINDOW);
  }
}

async function showHistoryPage(page) {
  const history = view.history;
  await readOlder(history, (page + 1) * PAGE_SIZE + 1);
  const shown = history.events.slice(page * PAGE_SIZE, (page + 1) * PAGE_SIZE);
  const unknown = [...new Set(shown.map((entry) => entry.block))].filter((number) => !history.times.has(number));
  const blocks = await batch(unknown.map((number) => ["assent_getBlockByNumber", [number]]));
  blocks.forEach((block, i) => {
    if (!(block instanceof Error) && block) history.times.set(unknown[i], block.time);
  });
  history.page = page;
  const body = $("history").querySelector("tbody");
  body.replaceChildren();
  for (const entry of shown) {
    const { actor, purpose, permitted, rule } = entry.fields;
    const time = history.times.get(entry.block);
    body.append(
      el(
        "tr",
        { "data-actor": String(actor).toLowerCase(), "data-permitted": permitted, "data-rule": rule, "data-block": entry.block },
        el("td", { "data-label": "When" }, time === undefined ? `block ${entry.block}` : when(new Date(time * 1000).toISOString().replace(".000", ""))),
        el("td", { "data-label": "Who" }, address(String(actor).toLowerCase())),
        el("td", { "data-label": "Purpose" }, purposeLabel(purpose)),
        el("td", { "data-label": "Outcome", class: permitted ? "permitted" : "denied" }, permitted ? "permitted" : "denied"),
        el("td", { "data-label": "Deciding rule" }, el("code", {}, rule), RULES[rule] ? ` — ${RULES[rule]}` : ""),
        el("td", { "data-label": "Proof" }, eventVerifier(entry)),
      ),
    );
  }
  $("history").hidden = shown.length === 0;
  $("history-empty").hidden = shown.length !== 0;
  const more = history.events.length > (page + 1) * PAGE_SIZE;
  $("newer").disabled = page === 0;
  $("older").disabled = !more;
  $("history-page").textContent = shown.length ? `Page ${page + 1}` : "";
}

async function turnPage(delta) {
  try {
    await showHistoryPage(Math.max(0, view.history.page + delta));
  } catch (error) {
    setStatus(`Could not read the history: ${error.message}`, "error");
  }
}

const actions = setupActions(view, () => load());
const who = setupWho(view, () => view.people ?? [], (rule) => RULES[rule] ?? rule);

// ---- Start ----------------------------------------------------------------------------------

function start() {
  $("dev-field").hidden = !isLocalNode();
  $("lookup").addEventListener("submit", load);
  $("newer").addEventListener("click", () => turnPage(-1));
  $("older").addEventListener("click", () => turnPage(1));
  $("dev-name").addEventListener("input", () => {
    if ($("dev-name").value.trim()) $("patient").value = "";
  });
  $("patient").addEventListener("input", () => {
    $("dev-name").value = "";
  });
  showNode();
  const params = new URLSearchParams(location.search);
  if (params.get("contract")) $("contract").value = params.get("contract");
  if (params.get("patient")) $("patient").value = params.get("patient");
  if (params.get("contract") && params.get("patient")) load();
}

start();
