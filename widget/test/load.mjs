// Loads widget.js the way a page would, but without a DOM: only TinyEclipse._internals is set up.
import { readFileSync } from "node:fs";

export const WIDGET_PATH = new URL("../v1/widget.js", import.meta.url);
export const CSS_PATH = new URL("../v1/widget.css", import.meta.url);
const code = readFileSync(WIDGET_PATH, "utf8");

/** Runs widget.js with `window` as its global window (same realm, so deepStrictEqual works). */
export function loadWidget(window = {}) {
  new Function("window", code)(window);
  return window;
}

export const internals = loadWidget().TinyEclipse._internals;

/** A minimal document that records what the DOM builder does; it has no innerHTML at all. */
export function fakeDocument() {
  function node(tag) {
    return {
      tag,
      attrs: {},
      children: [],
      text: "",
      setAttribute(name, value) {
        this.attrs[name] = String(value);
      },
      appendChild(child) {
        this.children.push(child);
        return child;
      },
      set textContent(value) {
        this.children = [{ tag: "#text", text: String(value) }];
      },
    };
  }
  return {
    createElement: (tag) => node(tag),
    createDocumentFragment: () => node("#fragment"),
    createTextNode: (text) => ({ tag: "#text", text: String(text) }),
  };
}

/** The fake tree as compact nested arrays: ["a", {href}, "text"] etc. */
export function tree(n) {
  if (n.tag === "#text") return n.text;
  const out = [n.tag];
  if (Object.keys(n.attrs).length) out.push(n.attrs);
  for (const child of n.children) out.push(tree(child));
  return out;
}
