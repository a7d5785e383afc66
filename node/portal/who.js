// "Who can see my <data class> for <purpose> right now?", answered by the contract's own
// policy: `may_access` asked, in one batch at the block shown, for the patient, the
// guardian, every active grantee, and someone with no relation to the patient (the zero
// address), whose answer says whether anyone at all may (break-glass, say).

import { batch, call } from "./rpc.js";
import { $, el, fillChoices } from "./dom.js";

const NOBODY = "0x0000000000000000000000000000000000000000";



/**
 * A "Why?" button: the node explains the decision for `actor` (`assent_explain` without
 * `code`, which needs the node started with the contract's source, `--sources`), shown
 * under the button; otherwise what the node said.
 */
function whyButton(view, actor, purpose, dataClass, label) {
  const out = el("pre", { class: "why", hidden: "" });
  const button = el("button", { type: "button", class: "why-button" }, label);
  button.addEventListener("click", async () => {
    button.disabled = true;
    out.hidden = false;
    out.textContent = "Asking the node why…";
    try {
      const answer = await call("assent_explain", [
        { to: view.contract, method: "may_access", args: { patient: view.patient, actor, purpose, class: dataClass } },
        view.head.number,
      ]);
      out.textContent = answer.text ?? "The node gave no explanation.";
    } catch (error) {
      out.textContent = `No explanation: ${error.message}`;
    } finally {
      button.disabled = false;
    }
  });
  return [button, out];
}

/**
 * Wires the question's form. `people()` gives the candidates known from the grants shown:
 * `[{address, role}]`; `describe(rule)` words a deciding rule.
 */
export function setupWho(view, people, describe) {
  async function ask(event) {
    event?.preventDefault();
    const purpose = $("who-purpose").value;
    const dataClass = $("who-class").value;
    const status = $("who-status");
    const list = $("who-list");
    list.replaceChildren();
    if (!purpose || !dataClass) {
      status.textContent = "Choose a purpose and a data class.";
      return;
    }
    status.textContent = "Asking the contract's policy…";
    const candidates = [{ address: view.patient, role: "you" }, ...people(), { address: NOBODY, role: "anyone" }];
    try {
      const answers = await batch(
        candidates.map(({ address }) => [
          "assent_call",
          [{ to: view.contract, method: "may_access", args: { patient: view.patient, actor: address, purpose, class: dataClass } }, view.head.number],
        ]),
      );
      const permitted = [];
      answers.forEach((answer, i) => {
        if (answer instanceof Error) throw answer;
        if (answer.permitted) permitted.push({ ...candidates[i], rule: answer.rule });
      });
      const anyone = permitted.find((entry) => entry.role === "anyone");
      for (const entry of permitted) {
        if (entry.role === "anyone") continue;
        list.append(
          el(
            "li",
            { "data-actor": entry.address, "data-rule": entry.rule },
            `${entry.role === "you" ? "You" : entry.address} (${entry.role === "you" ? "yourself" : entry.role}): ${describe(entry.rule)} — rule "${entry.rule}" `,
            ...whyButton(view, entry.address, purpose, dataClass, "Why?"),
          ),
        );
      }
      if (anyone) {
        list.append(
          el(
            "li",
            { "data-actor": "anyone", "data-rule": anyone.rule },
            `Anyone who asks for this purpose: ${describe(anyone.rule)} — rule "${anyone.rule}" `,
            ...whyButton(view, NOBODY, purpose, dataClass, "Why?"),
          ),
        );
      }
      if (!permitted.length) {
        list.append(el("li", { "data-actor": "none" }, "Not even you. ", ...whyButton(view, view.patient, purpose, dataClass, "Why not?")));
      }
      status.textContent = permitted.length
        ? `At block ${view.head.number}, the policy permits:`
        : `At block ${view.head.number}, the policy permits no one, you included.`;
    } catch (error) {
      status.textContent = `Could not ask the policy: ${error.message}`;
    }
  }
  $("who").addEventListener("submit", ask);
  return {
    /** Fills the choices from the contract's ABI (keeping what was chosen). */
    onAbi(abi) {
      fillChoices($("who-purpose"), abi, "PurposeOfUse", "TREAT");
      fillChoices($("who-class"), abi, "DataClass", "Lab");
      $("who-list").replaceChildren();
      $("who-status").textContent = "";
    },
  };
}
