import { test } from "node:test";
import assert from "node:assert/strict";
import { webcrypto } from "node:crypto";
import { internals } from "./load.mjs";

const { newSessionId, isValidSessionId, restoreState, capTranscript, createStore, newOperatorMessages } = internals;
const CONVERSATION = "3f2b8c1e-9a4d-4e5f-8a7b-1c2d3e4f5a6b";
const MESSAGE = "0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9";

test("session ids: randomUUID when available, else 32 hex chars; always valid for the API", () => {
  const uuid = newSessionId(webcrypto);
  assert.match(uuid, /^[0-9a-f-]{36}$/);
  const hex = newSessionId({ getRandomValues: (a) => webcrypto.getRandomValues(a) });
  assert.match(hex, /^[0-9a-f]{32}$/);
  const fallback = newSessionId(null);
  assert.match(fallback, /^[0-9a-f]{32}$/);
  const throwing = newSessionId({
    randomUUID() {
      throw new Error("insecure context");
    },
  });
  assert.match(throwing, /^[0-9a-f]{32}$/);
  for (const id of [uuid, hex, fallback, throwing]) assert.ok(isValidSessionId(id));
  assert.notEqual(newSessionId(null), newSessionId(null));
});

test("session id validation: [A-Za-z0-9_-], 1 to 128 chars", () => {
  assert.ok(isValidSessionId("abc_DEF-123"));
  assert.ok(isValidSessionId("a".repeat(128)));
  assert.ok(!isValidSessionId("a".repeat(129)));
  assert.ok(!isValidSessionId(""));
  assert.ok(!isValidSessionId("has space"));
  assert.ok(!isValidSessionId("semi;colon"));
  assert.ok(!isValidSessionId(12345));
});

test("transcript capping keeps the newest entries", () => {
  const entries = Array.from({ length: 60 }, (_, i) => ({ role: "user", text: String(i) }));
  const capped = capTranscript(entries, 50);
  assert.equal(capped.length, 50);
  assert.equal(capped[0].text, "10");
  assert.equal(capped[49].text, "59");
  const few = entries.slice(0, 3);
  assert.equal(capTranscript(few, 50), few);
});

test("restoring state keeps what is valid and replaces the rest", () => {
  const restored = restoreState(
    {
      session: "kept-session",
      conversation: CONVERSATION,
      lastId: MESSAGE,
      transcript: [
        { role: "user", text: "hi" },
        { role: "bot", text: "hello", id: MESSAGE, sources: [] },
        { role: "admin", text: "no" },
        { role: "bot" },
        null,
        "text",
      ],
      handled: "waiting",
      handoff: { askEmail: true, away: "yes", expected: "soon", extra: 1 },
      email: "given",
    },
    () => "new-session"
  );
  assert.deepEqual(restored, {
    session: "kept-session",
    conversation: CONVERSATION,
    lastId: MESSAGE,
    transcript: [
      { role: "user", text: "hi" },
      { role: "bot", text: "hello", id: MESSAGE, sources: [] },
    ],
    handled: "waiting",
    handoff: { askEmail: true, away: false, expected: "soon" },
    email: "given",
  });
  const fresh = restoreState(
    { session: "bad id!", conversation: "x", lastId: 3, transcript: "no", handled: "operator", handoff: "x", email: "a@b.c" },
    () => "new-session"
  );
  assert.deepEqual(fresh, {
    session: "new-session",
    conversation: null,
    lastId: null,
    transcript: [],
    handled: "bot",
    handoff: null,
    email: null,
  });
  assert.equal(restoreState(null, () => "s").session, "s");
  const long = { transcript: Array.from({ length: 80 }, (_, i) => ({ role: "user", text: String(i) })) };
  assert.equal(restoreState(long, () => "s").transcript.length, internals.MAX_STORED_MESSAGES);
});

test("the store round-trips through localStorage", () => {
  const data = new Map();
  const storage = { getItem: (k) => data.get(k) ?? null, setItem: (k, v) => data.set(k, v) };
  const store = createStore(() => storage, "tinyeclipse:t");
  assert.equal(store.load(), null);
  store.save({ session: "s", transcript: [{ role: "user", text: "hi" }] });
  assert.deepEqual(JSON.parse(data.get("tinyeclipse:t")), { session: "s", transcript: [{ role: "user", text: "hi" }] });
  assert.deepEqual(createStore(() => storage, "tinyeclipse:t").load().session, "s");
});

test("the store falls back to memory when localStorage throws (Safari private mode) or holds junk", () => {
  const broken = {
    getItem() {
      throw new Error("SecurityError");
    },
    setItem() {
      throw new Error("QuotaExceededError");
    },
  };
  const store = createStore(() => broken, "k");
  assert.equal(store.load(), null);
  store.save({ session: "s" });
  assert.deepEqual(store.load(), { session: "s" });
  const noStorage = createStore(() => {
    throw new Error("localStorage is not available");
  }, "k");
  noStorage.save({ session: "m" });
  assert.deepEqual(noStorage.load(), { session: "m" });
  const junk = createStore(() => ({ getItem: () => "{not json", setItem() {} }), "k");
  assert.equal(junk.load(), null);
});

test("polled messages: only operator messages not shown yet, once each", () => {
  const polled = [
    { id: "u1", role: "user", content: "question", created_at: "2026-01-01T00:00:00Z" },
    { id: "a1", role: "assistant", content: "answer", created_at: "2026-01-01T00:00:01Z" },
    { id: "o1", role: "operator", content: "Hi, Sam here.", created_at: "2026-01-01T00:01:00Z" },
    { id: "o2", role: "operator", content: "Anything else?", created_at: "2026-01-01T00:02:00Z" },
    { id: "o2", role: "operator", content: "Anything else?", created_at: "2026-01-01T00:02:00Z" },
    { id: "o3", role: "operator", content: 42 },
  ];
  assert.deepEqual(newOperatorMessages(polled, ["o1"]), [{ role: "operator", id: "o2", text: "Anything else?" }]);
  assert.deepEqual(newOperatorMessages(polled, []).map((m) => m.id), ["o1", "o2"]);
  assert.deepEqual(newOperatorMessages(undefined, []), []);
});
