// Shortens the names the wasm imports its JS functions by: wasm-bindgen names
// each `__wbg_<name>_<16 hex digits>` under the module
// "./hopae_connect_widget_bg.js", and every name is shipped twice, in the
// wasm's import section and as a key of the glue's import object; the hex
// digits barely compress. This renames them to `a`, `b`, … `aa`, … in both,
// and the module to "w". Run on wasm-bindgen's output (after wasm-opt).
import { readFileSync, writeFileSync } from "node:fs";


function readU32(bytes, at) {
  let value = 0, shift = 0, byte;
  do {
    byte = bytes[at++];
    value |= (byte & 0x7f) << shift;
    shift += 7;
  } while (byte & 0x80);
  return [value >>> 0, at];
}

function u32(value) {
  const out = [];
  do {
    let byte = value & 0x7f;
    value >>>= 7;
    if (value) byte |= 0x80;
    out.push(byte);
  } while (value);
  return out;
}

const name = (text) => {
  const utf8 = Buffer.from(text, "utf8");
  return [...u32(utf8.length), ...utf8];
};

/** `a` … `z`, `A` … `Z`, then `aa` …: short, valid as unquoted JS keys. */
function shortName(i) {
  const letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
  let out = "";
  do {
    out = letters[i % letters.length] + out;
    i = Math.floor(i / letters.length) - 1;
  } while (i >= 0);
  return out;
}

/** Rewrites `wasmPath` and `gluePath` (whose import module is `MODULE`) in place; returns the old → new map. */
export function shortenImports(wasmPath, gluePath, MODULE = "./hopae_connect_widget_bg.js") {
  const bytes = readFileSync(wasmPath);
  let glue = readFileSync(gluePath, "utf8");
  const out = [bytes.subarray(0, 8)];
  const renamed = new Map();
  let at = 8;
  while (at < bytes.length) {
    const id = bytes[at];
    const [size, start] = readU32(bytes, at + 1);
    const end = start + size;
    if (id !== 2) {
      out.push(bytes.subarray(at, end));
      at = end;
      continue;
    }
    let [count, p] = readU32(bytes, start);
    const body = [...u32(count)];
    for (; count > 0; count--) {
      const [moduleLength, m] = readU32(bytes, p);
      const module = bytes.subarray(m, m + moduleLength).toString("utf8");
      const [fieldLength, f] = readU32(bytes, m + moduleLength);
      const field = bytes.subarray(f, f + fieldLength).toString("utf8");
      p = f + fieldLength;
      // The import's description: kind, then its type (function: a type index).
      const kind = bytes[p];
      let descEnd;
      if (kind === 0) descEnd = readU32(bytes, p + 1)[1];
      else throw new Error(`wasm-imports: an import of kind ${kind} (${module}.${field}); only functions are expected`);
      if (module === MODULE) {
        const short = renamed.get(field) ?? shortName(renamed.size);
        renamed.set(field, short);
        body.push(...name("w"), ...name(short));
      } else {
        body.push(...name(module), ...name(field));
      }
      body.push(...bytes.subarray(p, descEnd));
      p = descEnd;
    }
    out.push(Buffer.from([2, ...u32(body.length), ...body]));
    at = end;
  }
  for (const [field, short] of renamed) {
    const pattern = new RegExp(`\\b${field}\\b`, "g");
    const uses = glue.match(pattern)?.length ?? 0;
    if (uses !== 1) throw new Error(`wasm-imports: ${field} is used ${uses} times in the glue, expected once (its import key)`);
    glue = glue.replace(pattern, short);
  }
  const moduleKey = `"${MODULE}"`;
  if (glue.split(moduleKey).length !== 2) throw new Error(`wasm-imports: ${moduleKey} is not the glue's one import module`);
  glue = glue.replace(moduleKey, '"w"');
  writeFileSync(wasmPath, Buffer.concat(out));
  writeFileSync(gluePath, glue);
  return renamed;
}
