// Assent's canonical value encoding (docs/ledger.md, "Canonical encoding"), driven by a
// contract's ABI type table: encoding for the state keys the portal proves, decoding for the
// values a proof returns, into their JSON form (docs/language.md §3), so that what the page
// shows can be compared with what the proof proves.

/** Bytes to lowercase `0x…` hex. */
export function toHex(bytes) {
  let out = "0x";
  for (const byte of bytes) out += byte.toString(16).padStart(2, "0");
  return out;
}

/** `0x…` hex (either case, even length) to bytes; throws on anything else. */
export function fromHex(text) {
  if (typeof text !== "string" || !/^0x([0-9a-fA-F]{2})*$/.test(text)) {
    throw new Error(`\`${String(text).slice(0, 80)}\` is not 0x-prefixed hex`);
  }
  const bytes = new Uint8Array((text.length - 2) / 2);
  for (let i = 0; i < bytes.length; i++) {
    bytes[i] = parseInt(text.slice(2 + 2 * i, 4 + 2 * i), 16);
  }
  return bytes;
}

export function concatBytes(...parts) {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

export function bytesEqual(a, b) {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Whether `text` is a 20-byte address in hex. */
export function isAddress(text) {
  return typeof text === "string" && /^0x[0-9a-fA-F]{40}$/.test(text.trim());
}

const SECONDS_PER_DAY = 86400;

function u32(value) {
  return new Uint8Array([(value >>> 24) & 255, (value >>> 16) & 255, (value >>> 8) & 255, value & 255]);
}

function i64(value) {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigInt64(0, BigInt(value));
  return out;
}

/** The ABI's type `index`, or an error naming it. */
function typeOf(abi, index) {
  const type = abi.types?.[index];
  if (!type) throw new Error(`the ABI has no type ${index}`);
  return type;
}

/** The depth-first list of an enum's variant names: the ordinal is the index. */
function variants(type) {
  return (type.variants ?? []).map((variant) => variant.name);
}

/**
 * The canonical encoding of `value` (its JSON form) as ABI type `index`. Covers the kinds
 * a state key of the portal's contracts takes: Bool, Int, Time (seconds), Address, Hash,
 * Bytes, String, enums, tuples, records and options.
 */
export function encodeValue(abi, index, value) {
  const type = typeOf(abi, index);
  switch (type.kind) {
    case "Bool":
      return new Uint8Array([value ? 1 : 0]);
    case "Int":
      return i64(value);
    case "Address":
    case "Hash":
      return fromHex(value);
    case "Bytes": {
      const bytes = fromHex(value);
      return concatBytes(u32(bytes.length), bytes);
    }
    case "String": {
      const bytes = new TextEncoder().encode(value);
      return concatBytes(u32(bytes.length), bytes);
    }
    case "Enum": {
      const ordinal = variants(type).indexOf(value);
      if (ordinal < 0) throw new Error(`\`${value}\` is not a variant of ${type.name}`);
      return u32(ordinal);
    }
    case "Tuple":
      return concatBytes(...type.of.map((part, i) => encodeValue(abi, part, value[i])));
    case "Record":
      return concatBytes(...type.fields.map((field) => encodeValue(abi, field.type, value[field.name])));
    case "Option":
      return value === null ? new Uint8Array([0]) : concatBytes(new Uint8Array([1]), encodeValue(abi, type.of, value));
    default:
      throw new Error(`a key of kind ${type.kind} is not supported by the portal`);
  }
}

/** Reads canonical bytes in order; every read is bounds-checked. */
class Reader {
  constructor(bytes) {
    this.bytes = bytes;
    this.at = 0;
  }
  take(count) {
    if (count < 0 || this.at + count > this.bytes.length) {
      throw new Error("the value ends early");
    }
    const part = this.bytes.subarray(this.at, this.at + count);
    this.at += count;
    return part;
  }
  u32() {
    const part = this.take(4);
    return new DataView(part.buffer, part.byteOffset, 4).getUint32(0);
  }
  i64() {
    const part = this.take(8);
    return new DataView(part.buffer, part.byteOffset, 8).getBigInt64(0);
  }
}

/** Unix seconds as `2026-01-31T08:30:00Z`, as the node writes them. */
export function formatTime(seconds) {
  const total = BigInt(seconds);
  const day = BigInt(SECONDS_PER_DAY);
  let days = total / day;
  let ofDay = total % day;
  if (ofDay < 0n) {
    ofDay += day;
    days -= 1n;
  }
  // Howard Hinnant's civil_from_days.
  const z = Number(days) + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  const year = y >= 0 && y <= 9999 ? String(y).padStart(4, "0") : (y < 0 ? "-" : "+") + String(Math.abs(y)).padStart(6, "0");
  const s = Number(ofDay);
  const two = (n) => String(n).padStart(2, "0");
  return `${year}-${two(m)}-${two(d)}T${two(Math.floor(s / 3600))}:${two(Math.floor((s % 3600) / 60))}:${two(s % 60)}Z`;
}

function formatScaled(value, percent) {
  const negative = value < 0n;
  const abs = negative ? -value : value;
  const whole = abs / 100n;
  const fraction = abs % 100n;
  const sign = negative ? "-" : "";
  if (!percent) return `${sign}${whole}.${String(fraction).padStart(2, "0")}`;
  if (fraction === 0n) return `${sign}${whole}%`;
  if (fraction % 10n === 0n) return `${sign}${whole}.${fraction / 10n}%`;
  return `${sign}${whole}.${String(fraction).padStart(2, "0")}%`;
}

function formatDuration(seconds) {
  for (const [unit, scale] of [["d", 86400n], ["h", 3600n], ["m", 60n]]) {
    if (seconds !== 0n && seconds % scale === 0n) return `${seconds / scale}${unit}`;
  }
  return `${seconds}s`;
}

function intJson(value) {
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value.toString();
}

function decodeWith(abi, index, reader, depth) {
  if (depth > 64) throw new Error("the value nests too deeply");
  const type = typeOf(abi, index);
  switch (type.kind) {
    case "Bool": {
      const [byte] = reader.take(1);
      if (byte > 1) throw new Error("a Bool is not 0 or 1");
      return byte === 1;
    }
    case "Int":
      return intJson(reader.i64());
    case "Money":
      return formatScaled(reader.i64(), false);
    case "Percent":
      return formatScaled(reader.i64(), true);
    case "Time":
      return formatTime(reader.i64());
    case "Duration":
      return formatDuration(reader.i64());
    case "Address":
      return toHex(reader.take(20));
    case "Hash":
      return toHex(reader.take(32));
    case "Bytes":
      return toHex(reader.take(reader.u32()));
    case "String":
      return new TextDecoder("utf-8", { fatal: true }).decode(reader.take(reader.u32()));
    case "Enum": {
      const names = variants(type);
      const ordinal = reader.u32();
      if (ordinal >= names.length) throw new Error(`no variant ${ordinal} in ${type.name}`);
      return names[ordinal];
    }
    case "Tuple":
      return type.of.map((part) => decodeWith(abi, part, reader, depth + 1));
    case "Record": {
      const out = {};
      for (const field of type.fields) out[field.name] = decodeWith(abi, field.type, reader, depth + 1);
      return out;
    }
    case "Decision":
      return decodeDecision(reader);
    case "Option": {
      const [tag] = reader.take(1);
      if (tag === 0) return null;
      if (tag !== 1) throw new Error("an option's tag is not 0 or 1");
      const inner = decodeWith(abi, type.of, reader, depth + 1);
      return typeOf(abi, type.of).kind === "Option" ? [inner] : inner;
    }
    case "List":
    case "Set": {
      const count = reader.u32();
      const out = [];
      for (let i = 0; i < count; i++) out.push(decodeWith(abi, type.of, reader, depth + 1));
      return out;
    }
    case "Map": {
      const count = reader.u32();
      const out = [];
      for (let i = 0; i < count; i++) {
        const key = decodeWith(abi, type.key, reader, depth + 1);
        out.push([key, decodeWith(abi, type.value, reader, depth + 1)]);
      }
      return out;
    }
    default:
      throw new Error(`values of kind ${type.kind} are not supported by the portal`);
  }
}

/** The JSON form of canonical `bytes` of ABI type `index`; throws on malformed bytes. */
export function decodeValue(abi, index, bytes) {
  const reader = new Reader(bytes);
  const value = decodeWith(abi, index, reader, 0);
  if (reader.at !== bytes.length) throw new Error("the value has trailing bytes");
  return value;
}

function decodeDecision(reader) {
  const [byte] = reader.take(1);
  if (byte > 1) throw new Error("a Bool is not 0 or 1");
  const rule = new TextDecoder("utf-8", { fatal: true }).decode(reader.take(reader.u32()));
  return { permitted: byte === 1, rule };
}

/** Deep equality of JSON values (object keys in any order). */
export function jsonEqual(a, b) {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== "object") {
    return typeof a === "string" && typeof b === "string" && /^0x/.test(a) ? a.toLowerCase() === b.toLowerCase() : false;
  }
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const keysA = Object.keys(a);
  const keysB = Object.keys(b);
  if (keysA.length !== keysB.length) return false;
  return keysA.every((key) => Object.hasOwn(b, key) && jsonEqual(a[key], b[key]));
}
