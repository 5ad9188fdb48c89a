import { test } from "node:test";
import assert from "node:assert/strict";
import { internals } from "./load.mjs";

const { parseRetryAfter, formatWait, problemMessage, configWarning, normalizeConfig, readOptions, buildQuery, sourceView } =
  internals;
const TENANT = "6a1f0c3e-2b4d-4c5e-9f80-1a2b3c4d5e6f";
const NOW = Date.parse("2026-11-24T10:00:00Z");

test("Retry-After as delta seconds", () => {
  assert.equal(parseRetryAfter("30", NOW), 30);
  assert.equal(parseRetryAfter(" 0 ", NOW), 0);
  assert.equal(parseRetryAfter(7, NOW), 7);
});

test("Retry-After as an HTTP date, rounded up, never negative", () => {
  assert.equal(parseRetryAfter("Tue, 24 Nov 2026 10:00:42 GMT", NOW), 42);
  assert.equal(parseRetryAfter(new Date(NOW + 1500).toUTCString(), NOW), 1);
  assert.equal(parseRetryAfter("Tue, 24 Nov 2026 09:00:00 GMT", NOW), 0);
});

test("Retry-After missing or unusable gives null", () => {
  for (const value of [null, undefined, "", "soon", "-5", "1.5", "Not a date GMT"]) {
    assert.equal(parseRetryAfter(value, NOW), null, String(value));
  }
});

test("waits read naturally", () => {
  assert.equal(formatWait(1), "1 second");
  assert.equal(formatWait(45), "45 seconds");
  assert.equal(formatWait(600), "10 minutes");
  assert.equal(formatWait(43200), "12 hours");
});

test("problem responses map to what the visitor is told and what happens next", () => {
  assert.equal(problemMessage(403, { code: "consent_required", detail: "x" }, null).kind, "consent");
  assert.equal(problemMessage(404, { code: "conversation_not_found" }, null).kind, "restart");
  assert.deepEqual(problemMessage(429, { code: "rate_limited" }, 12), {
    kind: "rate",
    wait: 12,
    text: "You're sending messages too quickly. Please wait 12 seconds.",
  });
  assert.equal(problemMessage(429, null, null).wait, 10);
  assert.equal(problemMessage(429, null, 0).wait, 1);
  const offline = problemMessage(0, null, null);
  assert.equal(offline.kind, "retry");
  assert.match(offline.text, /couldn't reach/);
  for (const status of [500, 502, 503, 504]) assert.equal(problemMessage(status, null, null).kind, "retry");
  assert.equal(problemMessage(403, { code: "tenant_suspended" }, null).kind, "fatal");
  assert.equal(problemMessage(403, { code: "origin_not_allowed" }, null).kind, "fatal");
  assert.equal(problemMessage(404, { code: "tenant_not_found" }, null).kind, "fatal");
  assert.equal(problemMessage(422, { code: "invalid_request" }, null).kind, "invalid");
});

test("the server's detail is never shown to the visitor as the chat error (plain words instead)", () => {
  const m = problemMessage(500, { code: "internal", detail: "Traceback: psycopg.OperationalError" }, null);
  assert.doesNotMatch(m.text, /Traceback|psycopg/);
  assert.equal(m.text, "Something went wrong on our side. Please try again.");
});

test("the one config warning names the reason", () => {
  assert.equal(
    configWarning(404, { code: "tenant_not_found", detail: "Tenant not found." }),
    "[TinyEclipse] widget not shown: Tenant not found. (tenant_not_found)"
  );
  assert.equal(configWarning(0, null), "[TinyEclipse] widget not shown: the chat service could not be reached");
  assert.equal(
    configWarning(502, "<html>"),
    "[TinyEclipse] widget not shown: unexpected response from the chat service (HTTP 502)"
  );
  assert.match(configWarning(200, {}), /unusable configuration/);
});

test("config normalisation drops unsafe values and refuses a config without terms version", () => {
  const config = normalizeConfig({
    tenant_id: TENANT,
    name: " Acme ",
    greeting: "Hi!",
    primary_color: "#123456",
    primary_text_color: "expression(alert(1))",
    language: "nl",
    terms_version: "2",
    terms_url: "javascript:alert(1)",
    contact: "help@acme.example",
    expected_reply: " within one working day ",
  });
  assert.deepEqual(config, {
    name: "Acme",
    greeting: "Hi!",
    primaryColor: "#123456",
    primaryTextColor: null,
    language: "nl",
    termsVersion: "2",
    termsUrl: null,
    contact: { kind: "email", text: "help@acme.example", href: "mailto:help@acme.example" },
    expectedReply: "within one working day",
  });
  assert.equal(normalizeConfig({ name: "Acme", terms_version: "1", expected_reply: 3 }).expectedReply, null);
  assert.equal(normalizeConfig({ name: "Acme" }), null);
  assert.equal(normalizeConfig(null), null);
  assert.equal(normalizeConfig("config"), null);
});

test("embed options: defaults from the script's own URL", () => {
  const attrs = { "data-tenant": TENANT.toUpperCase() };
  const options = readOptions((n) => attrs[n] ?? null, "https://cdn.acme.example/widget/v1/widget.js?v=3");
  assert.deepEqual(options, {
    tenant: TENANT,
    position: "bottom-right",
    language: null,
    autoOpen: false,
    api: "https://cdn.acme.example",
    cssUrl: "https://cdn.acme.example/widget/v1/widget.css",
    i18nUrl: "https://cdn.acme.example/widget/v1/i18n/",
  });
});

test("embed options: data-api, data-position, data-language, data-open", () => {
  const attrs = {
    "data-tenant": TENANT,
    "data-api": "https://api.acme.example/",
    "data-position": "bottom-left",
    "data-language": "nl",
    "data-open": "true",
  };
  const options = readOptions((n) => attrs[n] ?? null, "http://localhost:8080/widget/v1/widget.js");
  assert.equal(options.api, "https://api.acme.example");
  assert.equal(options.position, "bottom-left");
  assert.equal(options.language, "nl");
  assert.equal(options.autoOpen, true);
  const odd = { "data-tenant": TENANT, "data-api": "javascript:alert(1)", "data-position": "top", "data-open": "yes" };
  const fallback = readOptions((n) => odd[n] ?? null, "http://localhost:8080/widget/v1/widget.js");
  assert.equal(fallback.api, "http://localhost:8080");
  assert.equal(fallback.position, "bottom-right");
  assert.equal(fallback.autoOpen, false);
});

test("embed options: a missing or malformed tenant is an error, not a request", () => {
  assert.match(readOptions(() => null, "https://a.example/widget/v1/widget.js").error, /data-tenant/);
  assert.match(readOptions(() => "acme", "https://a.example/widget/v1/widget.js").error, /UUID/);
});

test("query strings are encoded and skip missing values", () => {
  assert.equal(buildQuery({ tenant_id: TENANT, session_id: "a b&c", after: null }), `tenant_id=${TENANT}&session_id=a%20b%26c`);
});

test("sources: title, else URL, else 'Source'; links for http(s) only; long snippets clipped", () => {
  assert.deepEqual(sourceView({ title: "Prices", url: "https://acme.example/p", snippet: "From €9." }), {
    label: "Prices",
    href: "https://acme.example/p",
    snippet: "From €9.",
  });
  assert.deepEqual(sourceView({ title: null, url: "https://acme.example/p", snippet: "" }), {
    label: "https://acme.example/p",
    href: "https://acme.example/p",
    snippet: "",
  });
  assert.deepEqual(sourceView({ title: "", url: null, snippet: "x" }), { label: "Source", href: null, snippet: "x" });
  assert.equal(sourceView({ title: "Doc", url: "javascript:alert(1)" }).href, null);
  assert.equal(sourceView({ title: "FAQ", url: "faq.pdf" }).href, null);
  const long = sourceView({ snippet: "word ".repeat(100) }).snippet;
  assert.ok(long.length <= 241 && long.endsWith("…"), long);
  assert.deepEqual(sourceView(null), { label: "Source", href: null, snippet: "" });
});
