import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";

const PATH = new URL("../v1/privacy.js", import.meta.url);
const code = readFileSync(PATH, "utf8");
const window = { TinyEclipse: {} };
new Function("window", code)(window);
const { STRINGS, exportFile } = window.TinyEclipse._privacyInternals;

test("privacy.js registers the menu on the widget's global and nothing else", () => {
  assert.deepEqual(Object.keys(window), ["TinyEclipse"]);
  assert.equal(typeof window.TinyEclipse._privacy, "function");
});

test("the menu speaks en, nl, de and fr: every string, none empty, none left in English", () => {
  assert.deepEqual(Object.keys(STRINGS).sort(), ["de", "en", "fr", "nl"]);
  const keys = Object.keys(STRINGS.en).sort();
  for (const lang of ["nl", "de", "fr"]) {
    assert.deepEqual(Object.keys(STRINGS[lang]).sort(), keys, lang);
    for (const key of keys) {
      assert.ok(STRINGS[lang][key].trim(), `${lang}.${key} is empty`);
      assert.notEqual(STRINGS[lang][key], STRINGS.en[key], `${lang}.${key} is English`);
    }
  }
});

test("the download is the export as indented JSON, named by the day", () => {
  const file = exportFile({ consents: [], conversations: [] }, new Date("2026-12-01T10:00:00Z"));
  assert.equal(file.name, "chat-data-2026-12-01.json");
  assert.deepEqual(JSON.parse(file.text), { consents: [], conversations: [] });
  assert.match(file.text, /\n  "consents"/);
});

test("privacy.js is ASCII and never builds HTML from strings", () => {
  assert.doesNotMatch(code, /[^\x00-\x7f]/);
  assert.doesNotMatch(code, /innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function/);
  assert.doesNotMatch(code, /\.on[a-z]+\s*=/);
});
