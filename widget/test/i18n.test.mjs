import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { internals } from "./load.mjs";

const { LANGUAGES, STRINGS, pickLanguage, uiLanguage, translated, formatWait, problemMessage, statusText } = internals;
const FOLDER = new URL("../v1/i18n/", import.meta.url);
const table = (lang) => JSON.parse(readFileSync(new URL(lang + ".json", FOLDER), "utf8"));
const placeholders = (text) => (text.match(/\{[a-z]+\}/g) || []).sort();

// Words the languages share with English: anything else left in English is an untranslated string.
const SAME_AS_ENGLISH = { nl: [], de: [], fr: ["sources", "source", "message", "messages"] };

test("there is one string file per language besides English, and no other", () => {
  const files = readdirSync(FOLDER).sort();
  assert.deepEqual(files, LANGUAGES.filter((lang) => lang !== "en").map((lang) => lang + ".json").sort());
  assert.deepEqual(LANGUAGES, ["en", "nl", "de", "fr"]);
});

for (const lang of ["nl", "de", "fr"]) {
  test(`${lang}: every key of the English strings, no other, none empty, each translated`, () => {
    const strings = table(lang);
    assert.equal(strings.lang, lang);
    assert.deepEqual(Object.keys(strings).sort(), Object.keys(STRINGS).sort());
    for (const [key, value] of Object.entries(strings)) {
      assert.equal(typeof value, "string", key);
      assert.ok(value.trim(), `${lang}.${key} is empty`);
      assert.equal(value, value.trim(), `${lang}.${key} has leading or trailing space`);
      if (SAME_AS_ENGLISH[lang].includes(key)) continue;
      assert.notEqual(value, STRINGS[key], `${lang}.${key} is still English`);
    }
  });

  test(`${lang}: the same placeholders as English ({team}, {name}, {wait}, {n})`, () => {
    const strings = table(lang);
    for (const key of Object.keys(STRINGS)) assert.deepEqual(placeholders(strings[key]), placeholders(STRINGS[key]), key);
  });
}

test("the consent step is translated in every language", () => {
  assert.match(table("nl").consent, /voorwaarden/);
  assert.match(table("de").consent, /Nutzungsbedingungen/);
  assert.match(table("fr").consent, /conditions/);
  for (const lang of ["nl", "de", "fr"]) {
    for (const key of ["consent", "terms", "accept", "decline", "declined", "reconsider"]) {
      assert.notEqual(table(lang)[key], STRINGS[key], `${lang}.${key}`);
    }
  }
});

test("the language: data-language, else the page's lang, else the browser's; the primary subtag only", () => {
  assert.equal(pickLanguage(["nl", "de-DE", "fr-FR"]), "nl");
  assert.equal(pickLanguage([null, "de-DE", "fr-FR"]), "de");
  assert.equal(pickLanguage([null, "", "fr-BE"]), "fr");
  assert.equal(pickLanguage(["NL-be", "de", "fr"]), "nl");
  assert.equal(pickLanguage([" en-GB ", "nl", "nl"]), "en");
  assert.equal(pickLanguage(["es", "nl", "nl"]), "es"); // a language the UI lacks still wins: the server may know it
  assert.equal(pickLanguage(["x-klingon", "1234", "de-CH"]), "de"); // unusable tags are skipped
  assert.equal(pickLanguage([undefined, null, ""]), null);
});

test("the widget's own strings: en, nl, de or fr, anything else English", () => {
  for (const lang of ["en", "nl", "de", "fr"]) assert.equal(uiLanguage(lang), lang);
  for (const lang of ["es", "pt", "nl-BE", "", null, undefined]) assert.equal(uiLanguage(lang), "en");
});

test("a string file overrides known keys only; missing, empty or odd values stay English", () => {
  const out = translated(JSON.parse('{"send": "Versturen", "retry": " ", "open": 3, "bogus": "x", "__proto__": {"send": 1}}'));
  assert.equal(out.send, "Versturen");
  assert.equal(out.retry, STRINGS.retry);
  assert.equal(out.open, STRINGS.open);
  assert.equal(out.close, STRINGS.close);
  assert.equal(Object.hasOwn(out, "bogus"), false);
  assert.equal(Object.getPrototypeOf(out), Object.prototype);
  assert.deepEqual(translated(null), { ...STRINGS });
  assert.equal(STRINGS.send, "Send"); // the English table itself is untouched
});

test("waits are spelled in the visitor's language", () => {
  assert.equal(formatWait(45, "en"), "45 seconds");
  assert.equal(formatWait(45, "nl"), "45 seconden");
  assert.equal(formatWait(1, "de"), "1 Sekunde");
  assert.equal(formatWait(600, "de"), "10 Minuten");
  assert.equal(formatWait(43200, "fr").replace(/\s/g, " "), "12 heures"); // ICU puts a no-break space in French
});

test("in Dutch, the texts built from parts read as Dutch", () => {
  const english = { ...STRINGS };
  Object.assign(STRINGS, translated(table("nl")));
  try {
    assert.equal(statusText("human", "Acme", null, false), "Je praat nu met het team van Acme.");
    assert.equal(statusText("human", "", null, false), "Je praat nu met ons team.");
    assert.equal(
      statusText("waiting", "Acme", "binnen één werkdag", true),
      "We hebben het team op de hoogte gebracht. Het team is op dit moment niet bereikbaar. Verwachte reactie: binnen één werkdag"
    );
    assert.equal(problemMessage(0, null, null).text, table("nl").offline);
    assert.match(problemMessage(429, null, 12).text, /^Je stuurt te veel berichten .*Wacht 12 seconden en/);
  } finally {
    Object.assign(STRINGS, english);
  }
});
