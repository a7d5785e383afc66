// The page's small DOM helpers, shared by its modules.

/** The element with this id. */
export const $ = (id) => document.getElementById(id);

/** Builds an element: `el("td", {class: "x"}, "text", child)`. Text is never parsed as HTML. */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== undefined && value !== null) node.setAttribute(name, String(value));
  }
  for (const child of children) node.append(child instanceof Node ? child : String(child));
  return node;
}

/**
 * Fills a `<select>` with the variants of the ABI's enum `enumName`, `chosen` selected.
 * The same contract read again keeps what was chosen.
 */
export function fillChoices(select, abi, enumName, chosen) {
  const type = (abi.types ?? []).find((entry) => entry.kind === "Enum" && entry.name === enumName);
  const names = (type?.variants ?? []).map((variant) => variant.name);
  if (names.join() === [...select.options].map((option) => option.value).join()) return;
  select.replaceChildren(...names.map((name) => new Option(name, name, false, name === chosen)));
}
