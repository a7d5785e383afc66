// JSON-RPC 2.0 to the node that served the page (same origin, POST /), with errors a
// patient can read: a node that does not answer, an HTTP failure, or the node's own error.

let nextId = 1;

/** An error the node answered with: its JSON-RPC `code` and `message`. */
export class RpcError extends Error {
  constructor(code, message, data) {
    super(message);
    this.code = code;
    this.data = data;
  }
}

async function post(body) {
  let response;
  try {
    response = await fetch("/", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
      cache: "no-store",
    });
  } catch {
    throw new Error("the node does not answer: is it running? Reload the page once it is");
  }
  const text = await response.text();
  let parsed;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`the node answered HTTP ${response.status} without JSON`);
  }
  return parsed;
}

function unwrap(answer) {
  if (answer && answer.error) throw new RpcError(answer.error.code, answer.error.message, answer.error.data);
  if (!answer || !("result" in answer)) throw new Error("the node's answer has no result");
  return answer.result;
}

/** The result of one call; throws an RpcError or an Error. */
export async function call(method, params = []) {
  return unwrap(await post({ jsonrpc: "2.0", id: nextId++, method, params }));
}

/**
 * The results of several calls sent as batches of at most 200; each entry is the result,
 * or an Error for a call that failed.
 */
export async function batch(calls) {
  const results = [];
  for (let start = 0; start < calls.length; start += 200) {
    const chunk = calls.slice(start, start + 200);
    const first = nextId;
    nextId += chunk.length;
    const body = chunk.map(([method, params], i) => ({ jsonrpc: "2.0", id: first + i, method, params }));
    const answers = await post(body);
    if (!Array.isArray(answers)) {
      unwrap(answers);
      throw new Error("the node did not answer the batch");
    }
    const byId = new Map(answers.map((answer) => [answer.id, answer]));
    for (let i = 0; i < chunk.length; i++) {
      try {
        results.push(unwrap(byId.get(first + i)));
      } catch (error) {
        results.push(error instanceof Error ? error : new Error(String(error)));
      }
    }
  }
  return results;
}

/**
 * Every event that `filter` matches from `fromBlock` to `toBlock`, in chain order,
 * read in pages (`limit`, following `next`); at most `cap` events.
 */
export async function logs(filter, fromBlock, toBlock, cap = 10000) {
  const events = [];
  let resume;
  for (let page = 0; page < 1000; page++) {
    const params = { ...filter, from_block: fromBlock, to_block: toBlock, limit: 1000 };
    if (resume) params.resume = resume;
    const answer = await call("assent_getLogs", [params]);
    events.push(...answer.events);
    if (events.length > cap) throw new Error(`more than ${cap} events match; the portal shows at most that many`);
    if (!answer.next) return events;
    resume = answer.next;
  }
  throw new Error("the node kept answering with more pages");
}
