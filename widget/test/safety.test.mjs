import { test } from "node:test";
import assert from "node:assert/strict";
import { internals, fakeDocument, tree } from "./load.mjs";

const { safeHref, safeColor, contactRoute, renderContact } = internals;

test("safeHref accepts absolute http and https URLs as they are", () => {
  assert.equal(safeHref("https://acme.example/terms"), "https://acme.example/terms");
  assert.equal(safeHref("  http://acme.example:8080/a?b=c#d  "), "http://acme.example:8080/a?b=c#d");
  assert.equal(safeHref("HTTPS://ACME.EXAMPLE"), "HTTPS://ACME.EXAMPLE");
});

test("safeHref refuses every other scheme, relative URLs and tricks", () => {
  for (const url of [
    "javascript:alert(1)",
    " javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "mailto:a@b.example",
    "/relative",
    "//protocol-relative.example",
    "https:/one-slash.example",
    "https:///no-host",
    "https://",
    "java\nscript:alert(1)",
    "https://a.example/\u0000",
    "https://a .example",
    "https:\\\\evil.example",
    "https://a.example/" + "x".repeat(2100),
    "",
    null,
    undefined,
    42,
  ]) {
    assert.equal(safeHref(url), null, String(url));
  }
});

test("safeColor allows hex colours only (no url() or expressions from config)", () => {
  assert.equal(safeColor("#4f46e5"), "#4f46e5");
  assert.equal(safeColor("#FFF"), "#FFF");
  assert.equal(safeColor("red; background: url(https://x)"), null);
  assert.equal(safeColor("url(https://tracker.example/p.gif)"), null);
  assert.equal(safeColor(null), null);
});

test("contact routes: email, mailto:, http(s) URL, else plain text; nothing for empty", () => {
  assert.deepEqual(contactRoute("help@acme.example"), {
    kind: "email",
    text: "help@acme.example",
    href: "mailto:help@acme.example",
  });
  assert.deepEqual(contactRoute("mailto:Help.Desk+nl@acme.co.uk"), {
    kind: "email",
    text: "Help.Desk+nl@acme.co.uk",
    href: "mailto:Help.Desk+nl@acme.co.uk",
  });
  assert.deepEqual(contactRoute(" https://acme.example/contact "), {
    kind: "url",
    text: "https://acme.example/contact",
    href: "https://acme.example/contact",
  });
  assert.deepEqual(contactRoute("+31 20 123 4567 (weekdays 9-17)"), { kind: "text", text: "+31 20 123 4567 (weekdays 9-17)" });
  assert.deepEqual(contactRoute("javascript:alert(1)"), { kind: "text", text: "javascript:alert(1)" });
  assert.deepEqual(contactRoute("a@b.example?bcc=x@evil.example"), { kind: "text", text: "a@b.example?bcc=x@evil.example" });
  assert.equal(contactRoute(""), null);
  assert.equal(contactRoute("   "), null);
  assert.equal(contactRoute(null), null);
});

test("contact routes render as mailto link, external link or a text node", () => {
  const doc = fakeDocument();
  assert.deepEqual(tree(renderContact(doc, contactRoute("help@acme.example"))), [
    "a",
    { class: "te-contact-link", href: "mailto:help@acme.example" },
    "help@acme.example",
  ]);
  assert.deepEqual(tree(renderContact(doc, contactRoute("https://acme.example/c"))), [
    "a",
    { class: "te-contact-link", href: "https://acme.example/c", target: "_blank", rel: "noopener noreferrer" },
    "https://acme.example/c",
  ]);
  assert.equal(tree(renderContact(doc, contactRoute("<b>Call</b> us"))), "<b>Call</b> us");
});
