import { test } from "node:test";
import assert from "node:assert/strict";
import { internals } from "./load.mjs";

const { handledBy, pageUrl, validEmail, canAskForPerson, statusText } = internals;
const ID = "0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9";

test("who answers: only the API's three states", () => {
  for (const state of ["bot", "waiting", "human"]) assert.equal(handledBy(state), state);
  for (const other of ["operator", "Human", "", null, undefined, 1]) assert.equal(handledBy(other), null);
});

test("the page URL sent with a message drops query and fragment, and only http(s) pages are sent", () => {
  const loc = (href) => {
    const url = new URL(href);
    return { protocol: url.protocol, origin: url.origin, pathname: url.pathname };
  };
  assert.equal(
    pageUrl(loc("https://shop.example/orders/42?token=secret&email=a%40b.c#access_token=x")),
    "https://shop.example/orders/42"
  );
  assert.equal(pageUrl(loc("http://localhost:8080/")), "http://localhost:8080/");
  assert.equal(pageUrl(loc("file:///home/me/page.html")), null);
  assert.equal(pageUrl(null), null);
  assert.equal(pageUrl(loc("https://shop.example/" + "a".repeat(3000))).length, 2000);
});

test("the email form takes a plausible address only", () => {
  assert.equal(validEmail("  ann@shop.example "), "ann@shop.example");
  assert.equal(validEmail("first.last+tag@mail.co.uk"), "first.last+tag@mail.co.uk");
  for (const bad of ["", "ann", "ann@", "@shop.example", "ann@shop", "ann@@shop.example", "a b@shop.example", null]) {
    assert.equal(validEmail(bad), null, String(bad));
  }
  assert.equal(validEmail("a".repeat(250) + "@x.io"), null); // longer than an address can be
});

test('"Talk to a person" shows after the first bot answer, and only while the bot answers', () => {
  const greetingOnly = [{ role: "user", text: "hi" }];
  const answered = [...greetingOnly, { role: "bot", id: ID, text: "Hello" }];
  assert.equal(canAskForPerson([], "bot"), false);
  assert.equal(canAskForPerson(greetingOnly, "bot"), false);
  assert.equal(canAskForPerson([{ role: "bot", text: "the greeting has no id" }], "bot"), false);
  assert.equal(canAskForPerson(answered, "bot"), true);
  assert.equal(canAskForPerson(answered, "waiting"), false);
  assert.equal(canAskForPerson(answered, "human"), false);
});

test("the status line says the team was told, when to expect a reply, and who answers", () => {
  assert.equal(statusText("bot", "Acme", "within a day", false), "");
  assert.equal(statusText("waiting", "Acme", null, false), "We've let the team know.");
  assert.equal(
    statusText("waiting", "Acme", "within one working day", true),
    "We've let the team know. The team is away right now. Expected reply: within one working day"
  );
  assert.equal(statusText("human", "Acme", "within a day", false), "You're talking to the Acme team.");
  assert.equal(statusText("human", "", null, false), "You're talking to our team.");
});
