// An answer's [n] markers, its numbered sources and the visitor's thumbs.
import { test } from "node:test";
import assert from "node:assert/strict";
import { internals, fakeDocument, tree } from "./load.mjs";

const { parseInline, parseMarkdown, renderMarkdown, sourceView, rateable, feedbackClick, feedbackDone } = internals;
const text = (t) => ({ type: "text", text: t });
const cite = (n) => ({ type: "cite", n });
const MESSAGE = "0b7f3c1e-9a2d-4c6b-8e5f-1a2b3c4d5e6f";
const REL = "noopener noreferrer";

test("with sources, [n] markers become cite tokens and take the space before them", () => {
  assert.deepEqual(parseInline("Unlock the domain [1]. Then order a transfer [2].", 2), [
    text("Unlock the domain"),
    cite(1),
    text(". Then order a transfer"),
    cite(2),
    text("."),
  ]);
  assert.deepEqual(parseInline("Yes [1][2]", 2), [text("Yes"), cite(1), cite(2)]);
});

test("markers without a matching source are dropped, with their space", () => {
  assert.deepEqual(parseInline("Within 30 days [3]. See [0] and [1].", 2), [
    text("Within 30 days. See and"),
    cite(1),
    text("."),
  ]);
  assert.deepEqual(parseInline("Sorry, I don't know [1].", 0), [text("Sorry, I don't know.")]);
});

test("without sources (operator replies, snippets, the greeting) markers stay text", () => {
  assert.deepEqual(parseInline("See [1] and [2].", undefined), [text("See [1] and [2].")]);
});

test("markers are found in bold text and list items; [text](url) links still win", () => {
  assert.deepEqual(parseMarkdown("- **Free** [1]\n- paid [2]", 1), [
    { type: "ul", items: [[{ type: "strong", children: [text("Free")] }, cite(1)], [text("paid")]] },
  ]);
  assert.deepEqual(parseInline("**30 days [1]**", 1), [{ type: "strong", children: [text("30 days"), cite(1)] }]);
  assert.deepEqual(parseInline("[1](https://a.example)", 1), [{ type: "link", href: "https://a.example", text: "1" }]);
});

test("marker n links to the n-th source: its page in a new tab, else a button that shows it in the list", () => {
  const sources = [
    { title: "Domains", url: "https://demo.example/domains", snippet: "x" },
    { title: "FAQ", url: null, snippet: "" },
    { title: "Sneaky", url: "javascript:alert(1)", snippet: "" },
  ].map(sourceView);
  const out = renderMarkdown(fakeDocument(), "Transfer it [2], unlock first [1] [3].", sources);
  assert.deepEqual(tree(out), [
    "#fragment",
    [
      "p",
      "Transfer it",
      ["sup", ["button", { class: "te-cite", type: "button", "data-source": "2", "aria-label": "Source 2" }, "2"]],
      ", unlock first",
      [
        "sup",
        [
          "a",
          { class: "te-cite", href: "https://demo.example/domains", target: "_blank", rel: REL, "aria-label": "Source 1" },
          "1",
        ],
      ],
      ["sup", ["button", { class: "te-cite", type: "button", "data-source": "3", "aria-label": "Source 3" }, "3"]],
      ".",
    ],
  ]);
});

test("an answer with markers and HTML still renders the HTML as inert text", () => {
  const sources = [sourceView({ title: "A", url: "https://a.example" })];
  const out = renderMarkdown(fakeDocument(), "<img src=x onerror=alert(1)> [1] [2]", sources);
  assert.deepEqual(tree(out)[1][1], "<img src=x onerror=alert(1)>");
  assert.equal(tree(out)[1].length, 3); // p, the text, one marker: [2] has no source
});

test("snippets: the API's snippet when there is one, nothing when it is empty", () => {
  assert.equal(sourceView({ title: "FAQ", snippet: "  Refunds within 30 days.  " }).snippet, "Refunds within 30 days.");
  assert.equal(sourceView({ title: "FAQ", snippet: "" }).snippet, "");
  assert.equal(sourceView({ title: "FAQ" }).snippet, "");
});

test("thumbs go under knowledge answers only: not small talk, refusals, the greeting or other roles", () => {
  assert.equal(rateable({ role: "bot", id: MESSAGE, text: "a", intent: null }), true);
  assert.equal(rateable({ role: "bot", id: MESSAGE, text: "a", escalated: true }), true);
  assert.equal(rateable({ role: "bot", id: MESSAGE, text: "Hi!", intent: "greeting" }), false);
  assert.equal(rateable({ role: "bot", id: MESSAGE, text: "A person will help", intent: "handoff" }), false);
  assert.equal(rateable({ role: "bot", id: MESSAGE, text: "Sorry", refused: true }), false);
  assert.equal(rateable({ role: "bot", text: "Welcome!" }), false);
  assert.equal(rateable({ role: "operator", id: MESSAGE, text: "x" }), false);
  assert.equal(rateable({ role: "user", id: MESSAGE, text: "x" }), false);
});

const idle = (vote) => ({ value: vote, saved: vote, busy: false });

test("one click votes; the other thumb changes the vote; the pressed one again clears it", () => {
  assert.deepEqual(feedbackClick(idle(null), "up"), { value: "up", saved: null, busy: true, send: true });
  assert.deepEqual(feedbackClick(idle("up"), "down"), { value: "down", saved: "up", busy: true, send: true });
  assert.deepEqual(feedbackClick(idle("down"), "down"), { value: null, saved: "down", busy: true, send: true });
});

test("a saved vote shows the server's value; a failed one reverts the pressed state", () => {
  const sending = feedbackClick(idle(null), "down");
  assert.deepEqual(feedbackDone(sending, "down", true, "down"), { ...idle("down"), send: false });
  assert.deepEqual(feedbackDone(sending, "down", false, undefined), { ...idle(null), send: false });
  const changing = feedbackClick(idle("up"), "down");
  assert.deepEqual(feedbackDone(changing, "down", false, undefined), { ...idle("up"), send: false });
});

test("clicks while a vote is being saved are not lost: the newest choice is sent next", () => {
  let s = feedbackClick(idle(null), "up"); // posts "up"
  s = feedbackClick(s, "down"); // while out: shown, not posted yet
  assert.deepEqual(s, { value: "down", saved: null, busy: true, send: false });
  s = feedbackDone(s, "up", true, "up");
  assert.deepEqual(s, { value: "down", saved: "up", busy: true, send: true }); // now post "down"
  s = feedbackDone(s, "down", true, "down");
  assert.deepEqual(s, { ...idle("down"), send: false });

  let back = feedbackClick(idle("up"), "up"); // posts null
  back = feedbackClick(back, "up"); // up again before the reply
  back = feedbackDone(back, null, true, null);
  assert.deepEqual(back, { value: "up", saved: null, busy: true, send: true });
});
