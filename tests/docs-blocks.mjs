// The fenced code blocks of a Markdown file, for tests that exercise them:
// each {lang, code, line} (line: 1-based, of the opening fence).
import { readFileSync } from "node:fs";

/** Fenced blocks (``` or ~~~, three or more) of `markdown`, in order. */
export function extractBlocks(markdown) {
  const blocks = [];
  const lines = markdown.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const open = lines[i].match(/^ {0,3}(`{3,}|~{3,})\s*([\w-]*)/);
    if (!open) continue;
    const fence = open[1];
    const body = [];
    let j = i + 1;
    for (; j < lines.length && !lines[j].trimStart().startsWith(fence); j++) body.push(lines[j]);
    blocks.push({ lang: open[2].toLowerCase(), code: body.join("\n"), line: i + 1 });
    i = j;
  }
  return blocks;
}

/** The blocks of the file at `path`. */
export function blocksOf(path) {
  return extractBlocks(readFileSync(path, "utf8"));
}
