import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { loadWidget, WIDGET_PATH, CSS_PATH } from "./load.mjs";

test("without a DOM the script defines only TinyEclipse, with version, open, close and internals", () => {
  const window = loadWidget({});
  assert.deepEqual(Object.keys(window), ["TinyEclipse"]);
  assert.match(window.TinyEclipse.version, /^\d+\.\d+\.\d+$/);
  assert.equal(typeof window.TinyEclipse.open, "function");
  assert.equal(typeof window.TinyEclipse.close, "function");
  window.TinyEclipse.open(); // before the widget is ready: remembered, no throw
  window.TinyEclipse.close();
  assert.equal(window.TinyEclipse._internals.POLL_OPEN_MS, 5000);
  assert.equal(window.TinyEclipse._internals.POLL_CLOSED_MS, 30000);
});

test("a second copy of the script leaves the first one alone", () => {
  const first = { marker: true };
  const window = loadWidget({ TinyEclipse: first });
  assert.equal(window.TinyEclipse, first);
});

test("the script never builds HTML from strings", () => {
  const code = readFileSync(WIDGET_PATH, "utf8");
  assert.doesNotMatch(code, /innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function/);
  assert.doesNotMatch(code, /\.on[a-z]+\s*=/); // no inline event handlers
});

test("both files are ASCII, so a host page's charset cannot garble them", () => {
  for (const path of [WIDGET_PATH, CSS_PATH]) assert.doesNotMatch(readFileSync(path, "utf8"), /[^\x00-\x7f]/, String(path));
});

// 18 KB since the hand-off UI (issue 14): "Talk to a person", who answers, the optional email form.
test("widget.js + widget.css stay within 18 KB gzipped", () => {
  const size = gzipSync(readFileSync(WIDGET_PATH)).length + gzipSync(readFileSync(CSS_PATH)).length;
  assert.ok(size <= 18 * 1024, `${size} bytes gzipped`);
});

test("the stylesheet isolates the host and covers dark mode, reduced motion and small screens", () => {
  const css = readFileSync(CSS_PATH, "utf8");
  assert.match(css, /:host\s*{\s*all:\s*initial/);
  assert.match(css, /prefers-color-scheme:\s*dark/);
  assert.match(css, /prefers-reduced-motion:\s*reduce/);
  assert.match(css, /max-width:\s*480px/);
  assert.match(css, /:focus-visible/);
});
