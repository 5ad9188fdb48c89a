/*! TinyEclipse chat widget v1: vanilla JS, no dependencies, all UI inside one Shadow DOM. */
// ASCII only (\u escapes): host pages may decode this script in any charset.
(function () {
  "use strict";
  if (typeof window === "undefined" || window.TinyEclipse) return; // loaded twice: the first copy wins
  // Only set while this script first runs: capture it before anything else.
  const currentScript = typeof document !== "undefined" ? document.currentScript : null;

  const VERSION = "1.0.0";
  const POLL_OPEN_MS = 5000; // new operator replies while the panel is open
  const POLL_CLOSED_MS = 30000; // unread badge while it is closed
  const MAX_STORED_MESSAGES = 50;
  const MAX_MESSAGE_CHARS = 2000; // the API's CHAT_MAX_MESSAGE_CHARS
  const MAX_SNIPPET_CHARS = 240;
  const MAX_URL_CHARS = 2000; // the API's page_url cap
  const ASK_AGAIN_MS = 60000; // while waiting: ask the API again whether to offer the email form
  const DEFAULT_RETRY_SECONDS = 10; // a 429 without a usable Retry-After
  const CHAT_TIMEOUT_MS = 60000; // an LLM answer can take a while
  const REQUEST_TIMEOUT_MS = 15000;
  const SCRIPT_PATH = "/widget/v1/widget.js";
  const LINK_REL = "noopener noreferrer";
  const WARN_PREFIX = "[TinyEclipse] widget not shown: ";

  // English; i18n/<lang>.json (same keys) is fetched for nl, de and fr before the widget shows.
  const LANGUAGES = ["en", "nl", "de", "fr"];
  const T = {
    lang: "en",
    open: "Open chat",
    title: "Chat with us",
    dialog: "Chat with {name}",
    close: "Close chat",
    newChat: "New chat",
    newChatTitle: "Start a new conversation",
    consent: "To chat with us, please accept our terms.",
    terms: "Read our terms",
    accept: "Accept",
    decline: "Decline",
    consentFailed: "We couldn't save your choice. Please try again.",
    consentNeeded: "Please accept our terms to continue chatting.",
    declined: "No problem. Without accepting our terms we can't chat here.",
    reconsider: "Review the terms again",
    reach: "You can reach our team directly:",
    operator: "Support team",
    followUp: "Our team will check this answer. Need a person now? Just ask.",
    sources: "Sources",
    source: "Source",
    rate: "Rate this answer",
    up: "Helpful",
    down: "Not helpful",
    typing: "Typing\u2026",
    message: "Message",
    placeholder: "Type your message\u2026",
    send: "Send",
    retry: "Retry",
    messages: "Messages",
    offline: "We couldn't reach the chat service. Please check your connection and try again.",
    serverError: "Something went wrong on our side. Please try again.",
    unavailable: "Chat is not available right now.",
    invalid: "Your message could not be sent. Please shorten or rephrase it and try again.",
    talk: "Talk to a person",
    waiting: "We've let the team know.",
    away: "The team is away right now.",
    expected: "Expected reply:",
    human: "You're talking to {team}.",
    team: "the {name} team",
    ourTeam: "our team",
    emailWhy: "Leave your email so we can reply even after you close this page. We use it only for this conversation.",
    email: "Email (optional)",
    emailBad: "Please enter a valid email address.",
    emailFailed: "We couldn't save your email. Please try again.",
    emailSaved: "We'll also reply by email.",
    skip: "No thanks",
    tooFast: "You're sending messages too quickly. Please wait {wait}.",
    unreadOne: "{n} new message",
    unreadMany: "{n} new messages",
    data: "Your data",
  };

  // ---- Pure functions (no DOM; exported as TinyEclipse._internals for the unit tests) ----

  const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
  const SESSION_RE = /^[A-Za-z0-9_-]{1,128}$/;
  const EMAIL_RE = /^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$/;
  const COLOR_RE = /^#([0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})$/i;
  const LANG_RE = /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/i;

  function isUuid(value) {
    return typeof value === "string" && UUID_RE.test(value);
  }

  function isValidSessionId(value) {
    return typeof value === "string" && SESSION_RE.test(value);
  }

  /** A UUID when the browser can make one, else 32 random hex chars. */
  function newSessionId(cryptoApi) {
    if (cryptoApi && typeof cryptoApi.randomUUID === "function") {
      try {
        return cryptoApi.randomUUID();
      } catch (e) {
        // insecure context: fall through
      }
    }
    const bytes = new Uint8Array(16);
    if (cryptoApi && typeof cryptoApi.getRandomValues === "function") cryptoApi.getRandomValues(bytes);
    else for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(Math.random() * 256);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  /** The URL when it is an absolute http(s) URL safe for href, else null. */
  function safeHref(url) {
    if (typeof url !== "string") return null;
    const value = url.trim();
    if (value.length > 2048 || !/^https?:\/\/[^/?#]/i.test(value)) return null;
    // Browsers drop or reinterpret whitespace, controls and backslashes: refuse rather than guess.
    if (/[\s\u0000-\u001f\u007f-\u009f\\]/.test(value)) return null;
    return value;
  }

  function safeColor(value) {
    return typeof value === "string" && COLOR_RE.test(value.trim()) ? value.trim() : null;
  }

  /** How to reach a human: {kind: "email"|"url"|"text", text, href?}, or null when there is no contact. */
  function contactRoute(contact) {
    if (typeof contact !== "string" || !contact.trim()) return null;
    const text = contact.trim();
    const address = text.replace(/^mailto:/i, "");
    if (EMAIL_RE.test(address)) return { kind: "email", text: address, href: "mailto:" + address };
    const href = safeHref(text);
    if (href) return { kind: "url", text, href };
    return { kind: "text", text };
  }

  /** Seconds to wait from a Retry-After header (delta-seconds or an HTTP date), or null. */
  function parseRetryAfter(value, nowMs) {
    if (value == null) return null;
    const text = String(value).trim();
    if (/^\d+$/.test(text)) return Number(text);
    if (!/[a-z]/i.test(text)) return null;
    const at = Date.parse(text);
    if (isNaN(at)) return null;
    return Math.max(0, Math.ceil((at - nowMs) / 1000));
  }

  function formatWait(seconds, lang) {
    const [n, unit] =
      seconds < 120
        ? [seconds, "second"]
        : seconds < 7200
          ? [Math.ceil(seconds / 60), "minute"]
          : [Math.ceil(seconds / 3600), "hour"];
    try {
      return new Intl.NumberFormat(lang || T.lang, { style: "unit", unit, unitDisplay: "long" }).format(n);
    } catch (e) {
      return n + " " + unit + (n === 1 ? "" : "s"); // no Intl units (old browsers)
    }
  }

  /**
   * What the visitor is told about a failed POST /api/chat, and what the widget does next (kind):
   * consent (show the consent step), restart (new conversation, resend), rate (retry after `wait` s),
   * retry (retry now), invalid (let them edit), fatal (nothing to do).
   */
  function problemMessage(status, body, retryAfterSeconds) {
    const code = body && typeof body.code === "string" ? body.code : "";
    if (status === 403 && code === "consent_required") return { kind: "consent", text: T.consentNeeded };
    if (status === 404 && code === "conversation_not_found") return { kind: "restart", text: T.serverError };
    if (status === 429) {
      const wait = retryAfterSeconds == null ? DEFAULT_RETRY_SECONDS : Math.max(1, retryAfterSeconds);
      return {
        kind: "rate",
        wait,
        text: T.tooFast.replace("{wait}", formatWait(wait)),
      };
    }
    if (status === 0) return { kind: "retry", text: T.offline };
    if (status >= 500) return { kind: "retry", text: T.serverError };
    if (code === "tenant_not_found" || code === "tenant_suspended" || code === "origin_not_allowed") {
      return { kind: "fatal", text: T.unavailable };
    }
    if (status === 422 || status === 413) return { kind: "invalid", text: T.invalid };
    return { kind: "retry", text: T.serverError };
  }

  /** The one console warning when the config cannot be loaded. */
  function configWarning(status, body) {
    let detail;
    if (body && typeof body.detail === "string" && body.detail.trim()) {
      detail = body.detail.trim() + (body && typeof body.code === "string" ? " (" + body.code + ")" : "");
    } else if (status === 0) detail = "the chat service could not be reached";
    else if (status >= 200 && status < 300) detail = "the chat service sent an unusable configuration";
    else detail = "unexpected response from the chat service (HTTP " + status + ")";
    return WARN_PREFIX + detail;
  }

  /** The config with the fields the widget relies on, or null when it is unusable. */
  function normalizeConfig(data) {
    if (!data || typeof data !== "object" || typeof data.terms_version !== "string" || !data.terms_version) {
      return null;
    }
    const str = (v) => (typeof v === "string" ? v.trim() : "");
    return {
      name: str(data.name),
      greeting: str(data.greeting),
      primaryColor: safeColor(data.primary_color),
      primaryTextColor: safeColor(data.primary_text_color),
      language: LANG_RE.test(str(data.language)) ? str(data.language) : null,
      termsVersion: data.terms_version,
      termsUrl: safeHref(data.terms_url),
      contact: contactRoute(data.contact),
      expectedReply: str(data.expected_reply) || null,
    };
  }

  /** Embed options from the script tag's data attributes and src. */
  function readOptions(attr, src) {
    const tenant = (attr("data-tenant") || "").trim();
    if (!tenant) return { error: "the data-tenant attribute is missing" };
    if (!isUuid(tenant)) return { error: "data-tenant is not a tenant id (a UUID)" };
    let base;
    try {
      base = new URL(src);
    } catch (e) {
      return { error: "cannot tell where widget.js was loaded from" };
    }
    const api = safeHref(attr("data-api") || "") || base.origin;
    const language = (attr("data-language") || "").trim();
    return {
      i18nUrl: new URL("i18n/", base).href,
      tenant: tenant.toLowerCase(),
      position: attr("data-position") === "bottom-left" ? "bottom-left" : "bottom-right",
      language: LANG_RE.test(language) ? language : null,
      autoOpen: attr("data-open") === "true",
      api: api.replace(/\/+$/, ""),
      cssUrl: new URL("widget.css", base).href,
    };
  }

  /** The first usable language tag's primary subtag, lowercased ("nl-BE" -> "nl"), or null. */
  function pickLanguage(tags) {
    for (const tag of tags) {
      const m = /^([a-z]{2,3})(-|$)/i.exec(String(tag || "").trim());
      if (m) return m[1].toLowerCase();
    }
    return null;
  }

  /** The language the widget's own strings are shown in: one it has, else English. */
  function uiLanguage(code) {
    return LANGUAGES.indexOf(code) !== -1 ? code : "en";
  }

  /** The strings with a language file's translations; unknown keys and empty values are ignored. */
  function translated(table) {
    const out = {};
    for (const key in T) {
      out[key] = table && typeof table[key] === "string" && table[key].trim() ? table[key] : T[key];
    }
    return out;
  }

  function buildQuery(params) {
    return Object.keys(params)
      .filter((key) => params[key] != null)
      .map((key) => encodeURIComponent(key) + "=" + encodeURIComponent(params[key]))
      .join("&");
  }

  function clip(text, max) {
    if (text.length <= max) return text;
    const cut = text.slice(0, max);
    const space = cut.lastIndexOf(" ");
    return (space > max * 0.6 ? cut.slice(0, space) : cut).trimEnd() + "\u2026";
  }

  /** A source's label (title, URL or "Source"), safe href or null, and clipped snippet. */
  function sourceView(source) {
    const s = source && typeof source === "object" ? source : {};
    const title = typeof s.title === "string" ? s.title.trim() : "";
    const url = typeof s.url === "string" ? s.url.trim() : "";
    const snippet = typeof s.snippet === "string" ? s.snippet.trim() : "";
    return { label: title || url || T.source, href: safeHref(url), snippet: clip(snippet, MAX_SNIPPET_CHARS) };
  }

  function capTranscript(entries, max) {
    return entries.length > max ? entries.slice(entries.length - max) : entries;
  }

  function isEntry(entry) {
    return (
      !!entry &&
      typeof entry === "object" &&
      (entry.role === "user" || entry.role === "bot" || entry.role === "operator") &&
      typeof entry.text === "string"
    );
  }

  /** The stored per-tenant state, validated (anything unusable is replaced). */
  function restoreState(raw, makeSessionId) {
    const s = raw && typeof raw === "object" ? raw : {};
    const transcript = Array.isArray(s.transcript) ? s.transcript.filter(isEntry) : [];
    const h = s.handoff;
    const str = (v) => (typeof v === "string" ? v : null);
    return {
      session: isValidSessionId(s.session) ? s.session : makeSessionId(),
      conversation: isUuid(s.conversation) ? s.conversation : null,
      lastId: isUuid(s.lastId) ? s.lastId : null,
      transcript: capTranscript(transcript, MAX_STORED_MESSAGES),
      handled: handledBy(s.handled) || "bot",
      // the hand-off's answer: {askEmail, away, expected}; email: "given" | "skipped" | null
      handoff: h && typeof h === "object" ? { askEmail: h.askEmail === true, away: h.away === true, expected: str(h.expected) } : null,
      email: s.email === "given" || s.email === "skipped" ? s.email : null,
    };
  }

  /** Who answers the conversation: "bot", "waiting" (for a person) or "human"; else null. */
  function handledBy(value) {
    return value === "bot" || value === "waiting" || value === "human" ? value : null;
  }

  // Without query and fragment: they can hold tokens, email addresses or searches the operator needs not see.
  function pageUrl(loc) {
    return loc && /^https?:$/.test(loc.protocol) ? (loc.origin + loc.pathname).slice(0, MAX_URL_CHARS) : null;
  }

  function validEmail(text) {
    const t = String(text || "").trim();
    return t.length <= 254 && EMAIL_RE.test(t) ? t : null;
  }

  /** "Talk to a person": after the first bot answer, while the bot answers. */
  function canAskForPerson(transcript, handled) {
    return handled === "bot" && transcript.some((e) => e.role === "bot" && !!e.id);
  }

  /** The status line while a person answers or is asked for ("" for the bot). */
  function statusText(handled, team, expected, away) {
    if (handled === "human") return T.human.replace("{team}", team ? T.team.replace("{name}", team) : T.ourTeam);
    if (handled !== "waiting") return "";
    return [T.waiting, away ? T.away : "", expected ? T.expected + " " + expected : ""].filter(Boolean).join(" ");
  }

  /** A poll's operator messages not shown yet, as transcript entries. */
  function newOperatorMessages(messages, shownIds) {
    const seen = new Set(shownIds);
    const fresh = [];
    for (const m of Array.isArray(messages) ? messages : []) {
      if (!m || m.role !== "operator" || typeof m.content !== "string" || typeof m.id !== "string") continue;
      if (seen.has(m.id)) continue;
      seen.add(m.id);
      fresh.push({ role: "operator", id: m.id, text: m.content });
    }
    return fresh;
  }

  /** Thumbs under knowledge answers only: no small talk (intent), refusal or greeting. */
  function rateable(entry) {
    return entry.role === "bot" && !!entry.id && !entry.refused && !entry.intent;
  }

  // A vote: {value shown, saved, busy: a post is out, send: post value now}.
  function feedbackClick(s, thumb) {
    const value = s.value === thumb ? null : thumb;
    const send = !s.busy && value !== s.saved;
    return { value, saved: s.saved, busy: s.busy || send, send };
  }

  function feedbackDone(s, sent, ok, saved) {
    if (!ok) saved = s.saved;
    const send = ok && s.value !== sent && s.value !== saved;
    return { value: send ? s.value : saved, saved, busy: send, send };
  }

  /** localStorage, else memory (Safari private mode throws). */
  function createStore(getStorage, key) {
    let memory = null;
    return {
      load() {
        try {
          const raw = getStorage().getItem(key);
          if (raw) return JSON.parse(raw);
        } catch (e) {
          // unreadable: use what this page stored
        }
        return memory;
      },
      save(value) {
        memory = JSON.parse(JSON.stringify(value));
        try {
          getStorage().setItem(key, JSON.stringify(value));
        } catch (e) {
          // full or forbidden: memory only
        }
      },
    };
  }

  // ---- Safe markdown: a pure parser, then a DOM builder ----

  const BULLET_RE = /^\s{0,3}[-*]\s+(.*)$/;
  const NUMBERED_RE = /^\s{0,3}(\d{1,9})[.)]\s+(.*)$/;
  // **bold** | [text](url with one level of parentheses) | [n] marker | bare http(s) URL
  const INLINE_SOURCE =
    /\*\*(?=\S)([\s\S]*?\S)\*\*|\[([^[\]\n]+)\]\(([^()\s]*(?:\([^()\s]*\)[^()\s]*)*)\)|[ \t]*\[(\d{1,3})\](?!\()|\bhttps?:\/\/[^\s<>"'`]+/
      .source;

  function count(text, char) {
    return text.split(char).length - 1;
  }

  /** A bare URL without the punctuation that ends the sentence around it. */
  function trimUrl(url) {
    let end = url.length;
    while (end > 0) {
      const c = url[end - 1];
      const head = url.slice(0, end);
      if (".,;:!?*_~".indexOf(c) !== -1) end--;
      else if (c === ")" && count(head, "(") < count(head, ")")) end--;
      else break;
    }
    return url.slice(0, end);
  }

  function pushText(tokens, text) {
    if (!text) return;
    const last = tokens[tokens.length - 1];
    if (last && last.type === "text") last.text += text;
    else tokens.push({ type: "text", text });
  }

  /**
   * Inline tokens: {type: "text", text} | {type: "strong", children} | {type: "link", href, text} | {type: "cite", n}.
   * Cites only given `cites` (the number of sources); other markers are dropped.
   */
  function parseInline(text, cites) {
    const tokens = [];
    const re = new RegExp(INLINE_SOURCE, "gi");
    let done = 0;
    let m;
    while ((m = re.exec(text))) {
      let raw = m[0];
      let token = null;
      if (m[1] != null) token = { type: "strong", children: parseInline(m[1], cites) };
      else if (m[4] != null) {
        if (cites != null) token = m[4] > 0 && m[4] <= cites ? { type: "cite", n: +m[4] } : [];
      } else if (m[2] != null) {
        const href = safeHref(m[3]);
        if (href) token = { type: "link", href, text: m[2] };
      } else {
        raw = trimUrl(raw);
        re.lastIndex = m.index + Math.max(1, raw.length);
        const href = safeHref(raw);
        if (href) token = { type: "link", href, text: raw };
      }
      // An unsafe link stays in the text, character for character.
      if (token) {
        pushText(tokens, text.slice(done, m.index));
        tokens.push(...[].concat(token));
        done = m.index + raw.length;
      }
    }
    pushText(tokens, text.slice(done));
    return tokens;
  }

  /** Blocks: {type: "p", inline} | {type: "ul", items} | {type: "ol", start, items}; items are inline arrays. */
  function parseMarkdown(text, cites) {
    const blocks = [];
    let current = null;
    const lines = String(text == null ? "" : text)
      .replace(/\r\n?/g, "\n")
      .split("\n");
    for (const line of lines) {
      if (!line.trim()) {
        current = null;
        continue;
      }
      const bullet = BULLET_RE.exec(line);
      const numbered = bullet ? null : NUMBERED_RE.exec(line);
      if (bullet || numbered) {
        const type = bullet ? "ul" : "ol";
        if (!current || current.type !== type) {
          current = type === "ol" ? { type, start: Number(numbered[1]), items: [] } : { type, items: [] };
          blocks.push(current);
        }
        current.items.push([bullet ? bullet[1] : numbered[2]]);
      } else if (current && current.type !== "p" && /^\s/.test(line)) {
        current.items[current.items.length - 1].push(line.trim()); // an indented line continues the item
      } else if (current && current.type === "p") {
        current.lines.push(line.trim());
      } else {
        current = { type: "p", lines: [line.trim()] };
        blocks.push(current);
      }
    }
    return blocks.map((block) => {
      if (block.type === "p") return { type: "p", inline: parseInline(block.lines.join("\n"), cites) };
      const items = block.items.map((lines) => parseInline(lines.join("\n").trim(), cites));
      return block.type === "ol" ? { type: "ol", start: block.start, items } : { type: "ul", items };
    });
  }

  function appendInline(doc, parent, tokens, sources) {
    for (const token of tokens) {
      if (token.type === "text") parent.appendChild(doc.createTextNode(token.text));
      else if (token.type === "strong") {
        const strong = doc.createElement("strong");
        appendInline(doc, strong, token.children, sources);
        parent.appendChild(strong);
      } else if (token.type === "link") {
        parent.appendChild(externalLink(doc, token.href, token.text, null));
      } else if (token.type === "cite") {
        // source n's page, else a button that shows it in the list
        const href = sources[token.n - 1].href;
        const cite = href ? externalLink(doc, href, token.n, "te-cite") : doc.createElement("button");
        if (!href) {
          cite.setAttribute("class", "te-cite");
          cite.setAttribute("type", "button");
          cite.setAttribute("data-source", token.n);
          cite.textContent = token.n;
        }
        cite.setAttribute("aria-label", T.source + " " + token.n);
        parent.appendChild(doc.createElement("sup")).appendChild(cite);
      }
    }
  }

  function externalLink(doc, href, text, className) {
    const a = doc.createElement("a");
    if (className) a.setAttribute("class", className);
    a.setAttribute("href", href);
    a.setAttribute("target", "_blank");
    a.setAttribute("rel", LINK_REL);
    a.textContent = text;
    return a;
  }

  /** Untrusted text as a fragment of p/ul/ol/li/strong/a/sup elements and text nodes; never HTML. */
  function renderMarkdown(doc, text, sources) {
    const fragment = doc.createDocumentFragment();
    for (const block of parseMarkdown(text, sources && sources.length)) {
      if (block.type === "p") {
        const p = doc.createElement("p");
        appendInline(doc, p, block.inline, sources);
        fragment.appendChild(p);
        continue;
      }
      const list = doc.createElement(block.type);
      if (block.type === "ol" && block.start !== 1) list.setAttribute("start", String(block.start));
      for (const item of block.items) {
        const li = doc.createElement("li");
        appendInline(doc, li, item, sources);
        list.appendChild(li);
      }
      fragment.appendChild(list);
    }
    return fragment;
  }

  function renderContact(doc, route) {
    if (route.kind === "text") return doc.createTextNode(route.text);
    if (route.kind === "url") return externalLink(doc, route.href, route.text, "te-contact-link");
    const a = doc.createElement("a");
    a.setAttribute("class", "te-contact-link");
    a.setAttribute("href", route.href);
    a.textContent = route.text;
    return a;
  }

  const internals = {
    POLL_OPEN_MS,
    POLL_CLOSED_MS,
    MAX_STORED_MESSAGES,
    LANGUAGES,
    STRINGS: T,
    pickLanguage,
    uiLanguage,
    translated,
    MAX_MESSAGE_CHARS,
    isUuid,
    isValidSessionId,
    newSessionId,
    safeHref,
    safeColor,
    contactRoute,
    parseRetryAfter,
    formatWait,
    problemMessage,
    configWarning,
    normalizeConfig,
    readOptions,
    buildQuery,
    sourceView,
    capTranscript,
    restoreState,
    newOperatorMessages,
    handledBy,
    pageUrl,
    validEmail,
    canAskForPerson,
    statusText,
    rateable,
    feedbackClick,
    feedbackDone,
    createStore,
    trimUrl,
    parseInline,
    parseMarkdown,
    renderMarkdown,
    renderContact,
  };

  // ---- window.TinyEclipse, the one global ----

  let ui = null;
  let pendingOpen = false;
  window.TinyEclipse = {
    version: VERSION,
    open() {
      if (ui) ui.open(true);
      else pendingOpen = true;
    },
    close() {
      if (ui) ui.close();
      else pendingOpen = false;
    },
    toggle() {
      if (ui) ui.toggle();
    },
    newConversation() {
      if (ui) ui.newConversation();
    },
    _internals: internals,
  };

  if (typeof document === "undefined") return; // loaded by the unit tests: pure functions only

  const script = findScript();
  const options = script ? readOptions((name) => script.getAttribute(name), script.src) : null;
  if (!options) console.warn(WARN_PREFIX + "cannot find its script tag (" + SCRIPT_PATH + ")");
  else if (options.error) console.warn(WARN_PREFIX + options.error);
  else {
    const language = pickLanguage([options.language, document.documentElement.lang, navigator.language]);
    const uiLang = uiLanguage(language);
    Promise.all([
      request(options.api, "GET", "/api/chat/config?" + buildQuery({ tenant_id: options.tenant, language })),
      // a missing file leaves the strings in English
      uiLang === "en"
        ? null
        : request(options.i18nUrl, "GET", uiLang + ".json").then((res) => res.ok && Object.assign(T, translated(res.data))),
    ]).then(([res]) => {
      const config = res.ok ? normalizeConfig(res.data) : null;
      if (!config) console.warn(configWarning(res.status, res.data));
      else whenBodyReady(() => start(options, config, language));
    });
  }

  function findScript() {
    if (currentScript && currentScript.src) return currentScript;
    const scripts = document.getElementsByTagName("script");
    for (let i = scripts.length - 1; i >= 0; i--) {
      if ((scripts[i].src || "").indexOf(SCRIPT_PATH) !== -1) return scripts[i];
    }
    return null;
  }

  function whenBodyReady(run) {
    if (document.body) run();
    else document.addEventListener("DOMContentLoaded", run, { once: true });
  }

  /** fetch that never rejects: {ok, status (0: no response), data, retryAfter}. */
  function request(api, method, path, body, timeoutMs) {
    const controller = typeof AbortController === "function" ? new AbortController() : null;
    const timer = controller ? setTimeout(() => controller.abort(), timeoutMs || REQUEST_TIMEOUT_MS) : null;
    const init = { method, credentials: "omit", headers: { Accept: "application/json" } };
    if (controller) init.signal = controller.signal;
    if (body) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    return fetch(api + path, init)
      .then((res) =>
        res.text().then((text) => {
          let data = null;
          try {
            data = text ? JSON.parse(text) : null;
          } catch (e) {
            // not JSON (a proxy's error page): status says enough
          }
          return { ok: res.ok, status: res.status, data, retryAfter: res.headers.get("Retry-After") };
        })
      )
      .catch(() => ({ ok: false, status: 0, data: null, retryAfter: null }))
      .finally(() => clearTimeout(timer));
  }

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text != null) node.textContent = text;
    return node;
  }

  function button(className, text, label) {
    const b = el("button", className, text);
    b.type = "button";
    if (label) b.setAttribute("aria-label", label);
    return b;
  }

  function icon(d) {
    const ns = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    const path = document.createElementNS(ns, "path");
    path.setAttribute("d", d);
    svg.appendChild(path);
    return svg;
  }

  function start(opts, config, language) {
    const store = createStore(() => window.localStorage, "tinyeclipse:" + opts.tenant);
    const state = restoreState(store.load(), () => newSessionId(window.crypto));
    const title = config.name || T.title;
    let termsVersion = config.termsVersion;
    let consented = false;
    let declined = false;
    let isOpen = false;
    let sending = false;
    let unread = 0;
    let pending = null; // a message to resend once consent is given
    let retryText = null;
    let retryTimer = null;
    let pollTimer = null;
    let polling = false;
    let asking = false;
    let askedAt = 0;

    function save() {
      state.transcript = capTranscript(state.transcript, MAX_STORED_MESSAGES);
      store.save(state);
    }
    save();

    // The page's one element; the rest lives in its shadow root.
    const host = el("div");
    host.id = "tinyeclipse-widget";
    host.setAttribute("data-position", opts.position);
    host.lang = T.lang;
    if (config.primaryColor) host.style.setProperty("--te-primary", config.primaryColor);
    if (config.primaryTextColor) host.style.setProperty("--te-on-primary", config.primaryTextColor);
    const root = host.attachShadow({ mode: "open" });
    const stylesheet = el("link");
    stylesheet.rel = "stylesheet";
    stylesheet.href = opts.cssUrl;
    const cssLoaded = new Promise((resolve) => {
      stylesheet.addEventListener("load", () => resolve(true));
      stylesheet.addEventListener("error", () => resolve(false));
    });

    const panel = el("div", "te-panel");
    panel.id = "te-panel";
    panel.hidden = true;
    panel.setAttribute("role", "dialog");
    panel.setAttribute("aria-label", config.name ? T.dialog.replace("{name}", config.name) : T.title);
    panel.setAttribute("aria-modal", "false");

    const header = el("div", "te-header");
    const newButton = button("te-new", T.newChat);
    newButton.title = T.newChatTitle;
    const closeButton = button("te-close", "\u00d7", T.close);
    const dataButton = button("te-data", T.data);
    header.append(el("h2", "te-title", title), newButton, dataButton, closeButton);

    const consentView = el("div", "te-consent");
    const consentError = el("p", "te-consent-error");
    consentError.setAttribute("role", "alert");
    consentError.hidden = true;
    const acceptButton = button("te-accept", T.accept);
    const declineButton = button("te-decline", T.decline);
    const consentActions = el("div", "te-actions");
    consentActions.append(acceptButton, declineButton);
    consentView.append(el("p", "te-consent-text", T.consent));
    if (config.termsUrl) {
      const termsLine = el("p");
      termsLine.appendChild(externalLink(document, config.termsUrl, T.terms, "te-terms"));
      consentView.appendChild(termsLine);
    }
    consentView.append(consentError, consentActions);

    const declinedView = el("div", "te-declined");
    const reconsiderButton = button("te-reconsider", T.reconsider);
    declinedView.appendChild(el("p", null, T.declined));
    const declinedContact = contactNote();
    if (declinedContact) declinedView.appendChild(declinedContact);
    declinedView.appendChild(reconsiderButton);

    const chatView = el("div", "te-chat");
    const list = el("div", "te-messages");
    list.setAttribute("role", "log");
    list.setAttribute("aria-live", "polite");
    list.setAttribute("aria-label", T.messages);
    list.tabIndex = 0; // a scrollable region must be reachable by keyboard
    const typing = el("div", "te-typing");
    typing.appendChild(el("span", "te-sr", T.typing));
    for (let i = 0; i < 3; i++) typing.appendChild(el("span", "te-dot")).setAttribute("aria-hidden", "true");
    // Who answers, "Talk to a person" and the optional email form.
    const handoffBar = el("div", "te-handoff");
    const statusLine = el("p", "te-status");
    statusLine.setAttribute("role", "status");
    const talkButton = button("te-talk", T.talk);
    handoffBar.append(statusLine, talkButton);
    const emailForm = el("form", "te-email");
    emailForm.noValidate = true;
    const emailInput = el("input", "te-email-input");
    emailInput.type = "email";
    emailInput.maxLength = 254;
    emailInput.autocomplete = "email";
    emailInput.placeholder = T.email;
    emailInput.setAttribute("aria-label", T.email);
    const emailError = el("p", "te-email-error");
    emailError.setAttribute("role", "alert");
    emailError.hidden = true;
    const emailSend = el("button", "te-email-send", T.send);
    const emailSkip = button("te-email-skip", T.skip);
    const emailRow = el("div", "te-actions");
    emailRow.append(emailInput, emailSend, emailSkip);
    emailForm.append(el("p", "te-email-why", T.emailWhy), emailRow, emailError);
    const errorBox = el("div", "te-error");
    errorBox.setAttribute("role", "alert");
    errorBox.hidden = true;
    const errorText = el("span", "te-error-text");
    const retryButton = button("te-retry", T.retry);
    errorBox.append(errorText, retryButton);
    const form = el("form", "te-composer");
    const input = el("textarea", "te-input");
    input.maxLength = MAX_MESSAGE_CHARS;
    input.rows = 1;
    input.placeholder = T.placeholder;
    input.setAttribute("aria-label", T.message);
    const sendButton = el("button", "te-send", T.send);
    sendButton.type = "submit";
    form.append(input, sendButton);
    chatView.append(list, handoffBar, emailForm, errorBox, form);
    panel.append(header, consentView, declinedView, chatView);

    // Launcher, hidden until the stylesheet is in (no unstyled flash).
    const launcher = button("te-launcher", null, T.open);
    launcher.hidden = true;
    launcher.setAttribute("aria-expanded", "false");
    launcher.setAttribute("aria-controls", "te-panel");
    launcher.setAttribute("aria-describedby", "te-unread");
    const badge = el("span", "te-badge");
    badge.hidden = true;
    badge.setAttribute("aria-hidden", "true");
    const unreadText = el("span", "te-sr");
    unreadText.id = "te-unread";
    launcher.append(icon("M4 3h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2z"), badge, unreadText);

    root.append(stylesheet, panel, launcher);
    document.body.appendChild(host);

    // ---- Rendering ----

    function contactNote() {
      if (!config.contact) return null;
      const note = el("p", "te-note te-contact", T.reach + " ");
      note.appendChild(renderContact(document, config.contact));
      return note;
    }

    function renderSources(views) {
      const box = el("div", "te-sources");
      box.appendChild(el("p", "te-sources-title", T.sources));
      const ol = el("ol");
      for (const view of views) {
        const li = el("li");
        li.tabIndex = -1;
        li.appendChild(
          view.href ? externalLink(document, view.href, view.label, "te-source") : el("span", "te-source", view.label)
        );
        if (view.snippet) {
          const snippet = el("div", "te-snippet");
          snippet.appendChild(renderMarkdown(document, view.snippet));
          li.appendChild(snippet);
        }
        ol.appendChild(li);
      }
      box.appendChild(ol);
      return box;
    }

    function renderFeedback(entry) {
      const box = el("div", "te-rate");
      box.setAttribute("role", "group");
      box.setAttribute("aria-label", T.rate);
      let s = { value: entry.feedback || null, saved: entry.feedback || null };
      const thumbs = ["up", "down"].map((k) => {
        const b = box.appendChild(button("te-" + k, null, T[k]));
        b.appendChild(icon("M2 10h4v11H2zM8 10l4-8a3 3 0 0 1 3 3v3h7l-2 13H8z"));
        b.addEventListener("click", () => update(feedbackClick(s, k)));
        return b;
      });
      function update(next) {
        s = next;
        thumbs.forEach((b, i) => b.setAttribute("aria-pressed", s.value === (i ? "down" : "up")));
        if (!s.send) return;
        const sent = s.value;
        const body = { tenant_id: opts.tenant, session_id: state.session, value: sent };
        request(opts.api, "POST", "/api/chat/messages/" + entry.id + "/feedback", body).then((res) => {
          update(feedbackDone(s, sent, res.ok, res.data ? res.data.feedback : sent));
          entry.feedback = s.saved;
          save();
        });
      }
      update(s);
      return box;
    }

    function renderEntry(entry) {
      const role = entry.role === "user" ? "te-user" : entry.role === "operator" ? "te-operator" : "te-bot";
      const item = el("div", "te-message " + role);
      if (entry.id) item.setAttribute("data-message-id", entry.id);
      if (entry.role === "operator") item.appendChild(el("span", "te-label", T.operator));
      const bubble = el("div", "te-bubble");
      const views = entry.role === "bot" && entry.id ? [].concat(entry.sources || []).map(sourceView) : undefined;
      if (entry.role === "user") bubble.textContent = entry.text;
      else {
        if (language) bubble.lang = language;
        bubble.appendChild(renderMarkdown(document, entry.text, views));
      }
      item.appendChild(bubble);
      if (entry.refused) {
        const note = contactNote();
        if (note) item.appendChild(note);
      } else {
        if (views && views.length) item.appendChild(renderSources(views));
        if (entry.escalated) item.appendChild(el("p", "te-note te-note-escalated", T.followUp));
      }
      if (rateable(entry)) item.appendChild(renderFeedback(entry));
      return item;
    }

    function scrollToEnd() {
      list.scrollTop = list.scrollHeight;
    }

    function renderAll() {
      list.textContent = "";
      if (config.greeting) list.appendChild(renderEntry({ role: "bot", text: config.greeting }));
      for (const entry of state.transcript) list.appendChild(renderEntry(entry));
      renderHandoff();
      scrollToEnd();
    }

    function addEntry(entry) {
      state.transcript.push(entry);
      save();
      list.insertBefore(renderEntry(entry), typing.parentNode === list ? typing : null);
      renderHandoff();
      scrollToEnd();
    }

    function renderHandoff() {
      const h = state.handled;
      const info = state.handoff || {};
      const text = statusText(h, config.name, info.expected || config.expectedReply, info.away);
      statusLine.textContent = text + (text && state.email === "given" ? " " + T.emailSaved : "");
      statusLine.hidden = !text;
      talkButton.hidden = !canAskForPerson(state.transcript, h);
      handoffBar.hidden = statusLine.hidden && talkButton.hidden;
      emailForm.hidden = !(h === "waiting" && info.askEmail && !state.email);
      panel.setAttribute("data-handled-by", h);
    }

    // ---- Hand-off to a person ----

    function setHandled(value) {
      const h = handledBy(value);
      if (!h || h === state.handled) return;
      state.handled = h;
      if (h === "bot") state.handoff = null;
      save();
      renderHandoff();
      // moved to waiting by the chat (a request for a person, an escalation): learn office hours and the email ask
      if (h === "waiting" && !state.handoff) askForPerson();
    }

    function askForPerson() {
      if (asking || !state.conversation) return;
      asking = true;
      askedAt = Date.now();
      talkButton.disabled = true;
      const path = "/api/chat/conversations/" + encodeURIComponent(state.conversation) + "/handoff";
      const ask = { tenant_id: opts.tenant, session_id: state.session };
      if (language) ask.language = language;
      request(opts.api, "POST", path, ask).then((res) => {
        asking = false;
        talkButton.disabled = false;
        const d = res.ok && res.data;
        if (!d) return showError(problemMessage(res.status, res.data, null).text, null, 0);
        state.handoff = {
          askEmail: d.ask_email === true,
          away: d.office_open === false,
          expected: typeof d.expected_reply === "string" ? d.expected_reply : null,
        };
        state.handled = handledBy(d.handled_by) || state.handled;
        save();
        renderHandoff();
        schedulePoll();
      });
    }

    function sendEmail() {
      const email = validEmail(emailInput.value);
      emailError.hidden = !!email;
      emailError.textContent = T.emailBad;
      if (!email || !state.conversation) return;
      emailSend.disabled = true;
      const path = "/api/chat/conversations/" + encodeURIComponent(state.conversation) + "/contact";
      request(opts.api, "POST", path, { tenant_id: opts.tenant, session_id: state.session, email }).then((res) => {
        emailSend.disabled = false;
        if (!res.ok) {
          emailError.textContent = res.status === 422 ? T.emailBad : T.emailFailed;
          emailError.hidden = false;
          return;
        }
        state.email = "given";
        save();
        renderHandoff();
        if (isOpen) input.focus();
      });
    }

    function setUnread(n) {
      unread = n;
      badge.textContent = n > 9 ? "9+" : n ? String(n) : "";
      badge.hidden = n === 0;
      unreadText.textContent = n ? (n === 1 ? T.unreadOne : T.unreadMany).replace("{n}", n) : "";
    }

    function currentView() {
      return consented ? "chat" : declined ? "declined" : "consent";
    }

    function showView(name) {
      for (const view of panel.querySelectorAll(".te-privacy")) view.remove();
      consentView.hidden = name !== "consent";
      declinedView.hidden = name !== "declined";
      chatView.hidden = name !== "chat";
      newButton.hidden = name !== "chat";
    }

    function focusView() {
      const name = currentView();
      if (name === "chat") input.focus();
      else if (name === "consent") acceptButton.focus();
      else (declinedView.querySelector("a") || reconsiderButton).focus();
    }

    // ---- Open / close ----

    function open(moveFocus) {
      if (isOpen) return;
      isOpen = true;
      panel.hidden = false;
      host.setAttribute("data-open", "");
      launcher.setAttribute("aria-expanded", "true");
      setUnread(0);
      showView(currentView());
      scrollToEnd();
      if (moveFocus) focusView();
      pollNow();
    }

    function close(returnFocus) {
      if (!isOpen) return;
      const focusWasInside = panel.contains(root.activeElement);
      isOpen = false;
      panel.hidden = true;
      host.removeAttribute("data-open");
      launcher.setAttribute("aria-expanded", "false");
      if (returnFocus || focusWasInside) launcher.focus();
      schedulePoll();
    }

    // ---- Consent ----

    function refreshConsent() {
      const query = buildQuery({ tenant_id: opts.tenant, session_id: state.session });
      return request(opts.api, "GET", "/api/consent/check?" + query).then((res) => {
        if (!res.ok || !res.data) return;
        consented = res.data.consented === true;
        if (typeof res.data.current_terms_version === "string") termsVersion = res.data.current_terms_version;
        if (isOpen && !sending) showView(currentView());
      });
    }

    function recordConsent(accepted) {
      return request(opts.api, "POST", "/api/consent", {
        tenant_id: opts.tenant,
        session_id: state.session,
        accepted,
        terms_version: termsVersion,
      });
    }

    function setConsentBusy(busy) {
      acceptButton.disabled = busy;
      declineButton.disabled = busy;
    }

    acceptButton.addEventListener("click", () => {
      setConsentBusy(true);
      consentError.hidden = true;
      recordConsent(true).then((res) => {
        setConsentBusy(false);
        if (!res.ok) {
          consentError.textContent = T.consentFailed;
          consentError.hidden = false;
          refreshConsent(); // the terms may have changed meanwhile
          return;
        }
        consented = true;
        declined = false;
        showView("chat");
        input.focus();
        if (pending) {
          const text = pending;
          pending = null;
          send(text, false);
        }
      });
    });

    declineButton.addEventListener("click", () => {
      setConsentBusy(true);
      // Declining is recorded; without a response there is still no chat.
      recordConsent(false).then(() => {
        setConsentBusy(false);
        consented = false;
        declined = true;
        pending = null;
        consentError.hidden = true;
        showView("declined");
        focusView();
      });
    });

    reconsiderButton.addEventListener("click", () => {
      declined = false;
      showView("consent");
      acceptButton.focus();
    });

    // ---- Sending ----

    let refocus = false;
    function setSending(on) {
      if (on) refocus = panel.contains(root.activeElement);
      sending = on;
      input.disabled = on;
      sendButton.disabled = on;
      newButton.disabled = on;
      if (on) {
        list.appendChild(typing);
        scrollToEnd();
        return;
      }
      if (typing.parentNode) typing.remove();
      // Disabling the textarea dropped focus: give it back unless the visitor moved on.
      const active = document.activeElement;
      const inside = root.activeElement;
      const idle =
        !active || active === document.body || (active === host && (!inside || inside === input || inside === sendButton));
      if (refocus && idle && isOpen && consented) input.focus();
    }

    function showError(text, retry, waitSeconds) {
      clearTimeout(retryTimer);
      errorText.textContent = text;
      errorBox.hidden = false;
      retryText = retry;
      retryButton.hidden = retry == null;
      retryButton.disabled = waitSeconds > 0;
      if (waitSeconds > 0) retryTimer = setTimeout(() => (retryButton.disabled = false), waitSeconds * 1000);
    }

    function clearError() {
      clearTimeout(retryTimer);
      errorBox.hidden = true;
      retryText = null;
    }

    function submit() {
      const text = input.value.trim().slice(0, MAX_MESSAGE_CHARS);
      if (!text || sending) return;
      input.value = "";
      autosize();
      addEntry({ role: "user", text });
      send(text, false);
    }

    function send(text, restarted) {
      clearError();
      setSending(true);
      const body = { tenant_id: opts.tenant, session_id: state.session, message: text };
      if (state.conversation) body.conversation_id = state.conversation;
      if (language) body.language = language;
      const page = pageUrl(window.location);
      if (page) body.page_url = page;
      request(opts.api, "POST", "/api/chat", body, CHAT_TIMEOUT_MS).then((res) => {
        setSending(false);
        if (res.ok && res.data && isUuid(res.data.conversation_id)) return receive(res.data);
        const problem = problemMessage(res.status, res.data, parseRetryAfter(res.retryAfter, Date.now()));
        if (problem.kind === "consent") {
          consented = false;
          pending = text;
          showView("consent");
          consentError.textContent = problem.text;
          consentError.hidden = false;
          if (isOpen) acceptButton.focus();
        } else if (problem.kind === "restart" && !restarted) {
          state.conversation = null;
          state.lastId = null;
          save();
          send(text, true);
        } else if (problem.kind === "rate") showError(problem.text, text, problem.wait);
        else if (problem.kind === "retry" || problem.kind === "restart") showError(problem.text, text, 0);
        else {
          showError(problem.text, null, 0);
          if (problem.kind === "invalid" && !input.value) input.value = text;
        }
      });
    }

    function receive(data) {
      const changed = data.conversation_id !== state.conversation;
      state.conversation = data.conversation_id;
      if (isUuid(data.message_id)) state.lastId = data.message_id;
      // the cited ones (listed first, so [n] stays the n-th), else all
      const all = Array.isArray(data.sources) ? data.sources : [];
      const cited = all.filter((s) => s && s.cited);
      const sources = cited.length ? cited : all;
      // while a person answers (or is asked for) the message is only stored: no bot turn
      if (data.answer) addEntry({
        role: "bot",
        id: typeof data.message_id === "string" ? data.message_id : undefined,
        text: typeof data.answer === "string" ? data.answer : "",
        sources: sources.map((s) => ({ title: s && s.title, url: s && s.url, snippet: sourceView(s).snippet })),
        escalated: data.escalated === true,
        refused: data.refused === true,
        intent: data.intent || null,
      });
      setHandled(data.handled_by);
      if (changed || !pollTimer) schedulePoll();
    }

    function newConversation() {
      if (sending) return;
      state.conversation = null;
      state.lastId = null;
      state.transcript = [];
      state.handled = "bot";
      state.handoff = null;
      state.email = null;
      save();
      clearError();
      pending = null;
      clearTimeout(pollTimer);
      pollTimer = null;
      renderAll();
      if (isOpen && consented) input.focus();
    }

    function autosize() {
      input.style.height = "auto";
      input.style.height = Math.min(input.scrollHeight, 120) + "px";
    }

    // ---- Polling for operator replies ----

    function schedulePoll(delay) {
      clearTimeout(pollTimer);
      pollTimer = null;
      if (!state.conversation) return;
      pollTimer = setTimeout(pollNow, delay != null ? delay : isOpen ? POLL_OPEN_MS : POLL_CLOSED_MS);
    }

    function pollNow() {
      if (polling || !state.conversation) return;
      if (document.hidden) return schedulePoll();
      polling = true;
      const conversation = state.conversation;
      const query = buildQuery({ tenant_id: opts.tenant, session_id: state.session, after: state.lastId });
      const path = "/api/chat/conversations/" + encodeURIComponent(conversation) + "/messages?" + query;
      request(opts.api, "GET", path).then((res) => {
        polling = false;
        if (conversation === state.conversation) {
          if (res.ok && res.data && Array.isArray(res.data.messages)) {
            takeMessages(res.data.messages);
            setHandled(res.data.handled_by);
            // nobody took it yet: the API may now ask for an email (ask_email_after_minutes)
            const info = state.handoff;
            if (state.handled === "waiting" && info && !info.askEmail && !state.email && Date.now() - askedAt > ASK_AGAIN_MS) {
              askForPerson();
            }
          }
          else if (res.status === 404) {
            // the conversation is gone: the next message starts a new one
            state.conversation = null;
            state.lastId = null;
            save();
            return;
          } else if (res.status >= 400 && res.status < 500 && res.status !== 429) return;
        }
        schedulePoll();
      });
    }

    function takeMessages(messages) {
      if (!messages.length) return;
      const last = messages[messages.length - 1];
      if (last && isUuid(last.id)) state.lastId = last.id;
      const shown = state.transcript.map((entry) => entry.id).filter(Boolean);
      const fresh = newOperatorMessages(messages, shown);
      for (const entry of fresh) addEntry(entry);
      if (fresh.length && !isOpen) setUnread(unread + fresh.length);
      save();
    }

    // ---- Events ----

    launcher.addEventListener("click", () => (isOpen ? close(true) : open(true)));
    closeButton.addEventListener("click", () => close(true));
    newButton.addEventListener("click", newConversation);
    // "Download my data" / "Delete my data": privacy.js, loaded the first time (it is not in the size budget).
    dataButton.addEventListener("click", () => {
      const show = () =>
        window.TinyEclipse._privacy({
          T, el, button, request, opts, state, panel,
          views: [consentView, declinedView, chatView, newButton],
          back: () => showView(currentView()),
          reset() {
            state.session = newSessionId(window.crypto);
            consented = declined = false;
            newConversation();
          },
        });
      if (window.TinyEclipse._privacy) return show();
      const code = el("script");
      code.src = opts.cssUrl.replace(/widget\.css$/, "privacy.js");
      code.addEventListener("load", show);
      document.head.appendChild(code);
    });
    talkButton.addEventListener("click", askForPerson);
    emailForm.addEventListener("submit", (event) => {
      event.preventDefault();
      sendEmail();
    });
    emailSkip.addEventListener("click", () => {
      state.email = "skipped";
      save();
      renderHandoff();
    });
    retryButton.addEventListener("click", () => {
      if (retryText != null && !sending) send(retryText, false);
    });
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      submit();
    });
    input.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        submit();
      }
    });
    input.addEventListener("input", autosize);
    list.addEventListener("click", (event) => {
      const cite = event.target.closest("button.te-cite");
      const li = cite && cite.closest(".te-message").querySelectorAll(".te-sources li")[cite.dataset.source - 1];
      if (li) li.focus();
    });
    root.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && isOpen) {
        event.stopPropagation();
        close(true);
      }
    });

    renderAll();
    showView(currentView());

    Promise.all([cssLoaded, refreshConsent()]).then(([css]) => {
      if (!css) {
        host.remove();
        console.warn(WARN_PREFIX + "the stylesheet " + opts.cssUrl + " could not be loaded");
        return;
      }
      ui = {
        open,
        close: () => close(false),
        toggle: () => (isOpen ? close(false) : open(true)),
        newConversation,
      };
      launcher.hidden = false;
      // data-open leaves the page's focus alone; an early TinyEclipse.open() takes it.
      if (pendingOpen) open(true);
      else if (opts.autoOpen) open(false);
      else schedulePoll();
    });
  }
})();
