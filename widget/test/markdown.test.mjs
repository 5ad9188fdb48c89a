import { test } from "node:test";
import assert from "node:assert/strict";
import { internals, fakeDocument, tree } from "./load.mjs";

const { parseMarkdown, parseInline, renderMarkdown, trimUrl } = internals;
const text = (t) => ({ type: "text", text: t });
const link = (href, t = href) => ({ type: "link", href, text: t });

test("plain text is one paragraph of text", () => {
  assert.deepEqual(parseMarkdown("Hello there."), [{ type: "p", inline: [text("Hello there.")] }]);
});

test("blank lines separate paragraphs; single newlines stay inside one; CRLF is normalised", () => {
  assert.deepEqual(parseMarkdown("One\r\ntwo\r\n\r\n\r\nThree"), [
    { type: "p", inline: [text("One\ntwo")] },
    { type: "p", inline: [text("Three")] },
  ]);
});

test("empty, whitespace-only and missing text give no blocks", () => {
  assert.deepEqual(parseMarkdown(""), []);
  assert.deepEqual(parseMarkdown("  \n\n "), []);
  assert.deepEqual(parseMarkdown(null), []);
  assert.deepEqual(parseMarkdown(undefined), []);
});

test("'- ' and '* ' lines are one bullet list, after a paragraph even without a blank line", () => {
  assert.deepEqual(parseMarkdown("You can:\n- pay by card\n* pay by invoice\n  within 30 days\n\nThanks"), [
    { type: "p", inline: [text("You can:")] },
    { type: "ul", items: [[text("pay by card")], [text("pay by invoice\nwithin 30 days")]] },
    { type: "p", inline: [text("Thanks")] },
  ]);
});

test("numbered lists keep their first number", () => {
  assert.deepEqual(parseMarkdown("1. Log in\n2. Open **Billing**"), [
    { type: "ol", start: 1, items: [[text("Log in")], [text("Open "), { type: "strong", children: [text("Billing")] }]] },
  ]);
  assert.equal(parseMarkdown("3. third\n4. fourth")[0].start, 3);
});

test("a bullet list followed by a numbered list gives two lists", () => {
  const blocks = parseMarkdown("- a\n1. b");
  assert.deepEqual(blocks.map((b) => b.type), ["ul", "ol"]);
});

test("**bold** needs text touching both markers; bold can hold a link", () => {
  assert.deepEqual(parseInline("a ** b ** c"), [text("a ** b ** c")]);
  assert.deepEqual(parseInline("**see https://a.example/x**"), [
    { type: "strong", children: [text("see "), link("https://a.example/x")] },
  ]);
  assert.deepEqual(parseInline("**one** and **two**"), [
    { type: "strong", children: [text("one")] },
    text(" and "),
    { type: "strong", children: [text("two")] },
  ]);
});

test("[text](url) becomes a link for http and https only", () => {
  assert.deepEqual(parseInline("See [our prices](https://acme.example/prices)."), [
    text("See "),
    link("https://acme.example/prices", "our prices"),
    text("."),
  ]);
  assert.deepEqual(parseInline("[x](HTTP://A.example)"), [link("HTTP://A.example", "x")]);
});

test("javascript:, data:, vbscript: and relative links stay literal text", () => {
  for (const input of [
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[img](data:text/html;base64,PHNjcmlwdD4=)",
    "[vb](vbscript:msgbox(1))",
    "[rel](/account)",
    "[proto](//evil.example)",
  ]) {
    assert.deepEqual(parseInline(input), [text(input)], input);
  }
});

test("HTML is never interpreted: it is a text token", () => {
  const html = '<img src=x onerror=alert(1)> <script>alert(1)</script>';
  assert.deepEqual(parseMarkdown(html), [{ type: "p", inline: [text(html)] }]);
});

test("bare URLs are linked without the sentence's punctuation or an unbalanced parenthesis", () => {
  assert.deepEqual(parseInline("Go to https://acme.example/help."), [
    text("Go to "),
    link("https://acme.example/help"),
    text("."),
  ]);
  assert.deepEqual(parseInline("(see https://acme.example/a)"), [text("(see "), link("https://acme.example/a"), text(")")]);
  assert.equal(trimUrl("https://en.wikipedia.org/wiki/Foo_(bar)"), "https://en.wikipedia.org/wiki/Foo_(bar)");
  assert.equal(trimUrl("https://a.example/x?!,;:"), "https://a.example/x");
});

test("a link with balanced parentheses in its URL is one link", () => {
  assert.deepEqual(parseInline("[Foo](https://en.wikipedia.org/wiki/Foo_(bar))"), [
    link("https://en.wikipedia.org/wiki/Foo_(bar)", "Foo"),
  ]);
});

test("citation markers like [1] stay text", () => {
  assert.deepEqual(parseInline("Yes, within 30 days [1][2]."), [text("Yes, within 30 days [1][2].")]);
});

test("the DOM builder makes p/ul/li/strong/a and text nodes only, links with target and rel", () => {
  const doc = fakeDocument();
  const out = renderMarkdown(doc, "Hi **there**\n\n- [docs](https://d.example)\n- [bad](javascript:alert(1))\n\n3. x");
  assert.deepEqual(tree(out), [
    "#fragment",
    ["p", "Hi ", ["strong", "there"]],
    [
      "ul",
      ["li", ["a", { href: "https://d.example", target: "_blank", rel: "noopener noreferrer" }, "docs"]],
      ["li", "[bad](javascript:alert(1))"],
    ],
    ["ol", { start: "3" }, ["li", "x"]],
  ]);
});

test("the DOM builder renders an XSS attempt as one inert text node", () => {
  const doc = fakeDocument();
  const out = renderMarkdown(doc, "<img src=x onerror=alert(1)>");
  assert.deepEqual(tree(out), ["#fragment", ["p", "<img src=x onerror=alert(1)>"]]);
});
