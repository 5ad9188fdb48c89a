/*! TinyEclipse chat widget v1: the "Your data" menu (download or delete this chat's data), loaded on first use. */
// ASCII only (\u escapes), like widget.js. Built with widget.js's own helpers, passed in: no HTML from strings.
(function () {
  "use strict";
  if (typeof window === "undefined" || !window.TinyEclipse) return;

  const STRINGS = {
    en: {
      intro: "This chat keeps your consent, your messages and the email address you may have given us. You can download a copy or delete it all.",
      download: "Download my data",
      erase: "Delete my data",
      back: "Back",
      confirm: "Delete your messages, your consent and your email address from this chat? This can't be undone.",
      yes: "Delete",
      no: "Cancel",
      erased: "Your data has been deleted. To chat again, please accept our terms once more.",
      downloaded: "Your data has been downloaded.",
      failed: "That didn't work. Please try again.",
    },
    nl: {
      intro: "Deze chat bewaart je toestemming, je berichten en het e-mailadres dat je eventueel hebt opgegeven. Je kunt een kopie downloaden of alles verwijderen.",
      download: "Mijn gegevens downloaden",
      erase: "Mijn gegevens verwijderen",
      back: "Terug",
      confirm: "Je berichten, je toestemming en je e-mailadres uit deze chat verwijderen? Dit kan niet ongedaan worden gemaakt.",
      yes: "Verwijderen",
      no: "Annuleren",
      erased: "Je gegevens zijn verwijderd. Wil je opnieuw chatten? Accepteer dan eerst opnieuw onze voorwaarden.",
      downloaded: "Je gegevens zijn gedownload.",
      failed: "Dat is niet gelukt. Probeer het opnieuw.",
    },
    de: {
      intro: "Dieser Chat speichert Ihre Einwilligung, Ihre Nachrichten und gegebenenfalls Ihre E-Mail-Adresse. Sie k\u00f6nnen eine Kopie herunterladen oder alles l\u00f6schen.",
      download: "Meine Daten herunterladen",
      erase: "Meine Daten l\u00f6schen",
      back: "Zur\u00fcck",
      confirm: "Ihre Nachrichten, Ihre Einwilligung und Ihre E-Mail-Adresse aus diesem Chat l\u00f6schen? Das kann nicht r\u00fcckg\u00e4ngig gemacht werden.",
      yes: "L\u00f6schen",
      no: "Abbrechen",
      erased: "Ihre Daten wurden gel\u00f6scht. Wenn Sie wieder chatten m\u00f6chten, stimmen Sie bitte erneut unseren Bedingungen zu.",
      downloaded: "Ihre Daten wurden heruntergeladen.",
      failed: "Das hat leider nicht geklappt. Bitte versuchen Sie es erneut.",
    },
    fr: {
      intro: "Ce chat conserve votre consentement, vos messages et, le cas \u00e9ch\u00e9ant, votre adresse e-mail. Vous pouvez en t\u00e9l\u00e9charger une copie ou tout supprimer.",
      download: "T\u00e9l\u00e9charger mes donn\u00e9es",
      erase: "Supprimer mes donn\u00e9es",
      back: "Retour",
      confirm: "Supprimer vos messages, votre consentement et votre adresse e-mail de ce chat\u00a0? Cette action est irr\u00e9versible.",
      yes: "Supprimer",
      no: "Annuler",
      erased: "Vos donn\u00e9es ont \u00e9t\u00e9 supprim\u00e9es. Pour discuter \u00e0 nouveau, veuillez accepter une nouvelle fois nos conditions.",
      downloaded: "Vos donn\u00e9es ont \u00e9t\u00e9 t\u00e9l\u00e9charg\u00e9es.",
      failed: "Cela n'a pas fonctionn\u00e9. Veuillez r\u00e9essayer.",
    },
  };

  /** The JSON export as a file name and text (a pure function, for the unit tests). */
  function exportFile(data, now) {
    return { name: "chat-data-" + now.toISOString().slice(0, 10) + ".json", text: JSON.stringify(data, null, 2) };
  }

  /**
   * Shows the menu in the panel in place of the current view. `c` is what widget.js lends: its strings (T), DOM
   * helpers (el, button), request, options (api, tenant), the state (session), the panel, the views to hide, back()
   * (the widget's current view again) and reset() (a new session: the erased one is gone).
   */
  function show(c) {
    const s = STRINGS[c.T.lang] || STRINGS.en;
    const body = { tenant_id: c.opts.tenant, session_id: c.state.session };
    const view = c.el("div", "te-consent te-privacy");
    const text = c.el("p", null, s.intro);
    const note = c.el("p", "te-privacy-note");
    note.setAttribute("role", "status");
    note.hidden = true;
    const actions = c.el("div", "te-actions");
    const download = c.button("te-accept", s.download);
    const erase = c.button("te-decline", s.erase);
    const back = c.button("te-decline", s.back);
    view.append(text, note, actions);
    for (const hidden of c.views) hidden.hidden = true;
    c.panel.appendChild(view);

    function offer(...buttons) {
      actions.replaceChildren(...buttons);
      buttons[0].focus();
    }
    function busy(on) {
      for (const b of actions.children) b.disabled = on;
    }
    function say(message, fail) {
      note.textContent = message;
      note.hidden = !message;
      note.className = fail ? "te-consent-error" : "te-privacy-note";
      note.setAttribute("role", fail ? "alert" : "status");
    }

    back.addEventListener("click", c.back);
    download.addEventListener("click", () => {
      busy(true);
      c.request(c.opts.api, "POST", "/api/consent/data/export", body).then((res) => {
        busy(false);
        if (!res.ok || !res.data) return say(s.failed, true);
        const file = exportFile(res.data, new Date());
        const url = URL.createObjectURL(new Blob([file.text], { type: "application/json" }));
        const link = c.el("a");
        link.href = url;
        link.download = file.name;
        view.appendChild(link);
        link.click();
        link.remove();
        setTimeout(() => URL.revokeObjectURL(url), 10000);
        say(s.downloaded);
      });
    });
    const yes = c.button("te-decline", s.yes);
    const no = c.button("te-accept", s.no);
    erase.addEventListener("click", () => {
      text.textContent = s.confirm;
      say("");
      offer(no, yes);
    });
    no.addEventListener("click", () => {
      text.textContent = s.intro;
      offer(download, erase, back);
    });
    yes.addEventListener("click", () => {
      busy(true);
      c.request(c.opts.api, "POST", "/api/consent/data/erase", body).then((res) => {
        busy(false);
        if (!res.ok) return say(s.failed, true);
        c.reset();
        text.textContent = s.erased;
        say("");
        offer(back);
      });
    });
    offer(download, erase, back);
  }

  window.TinyEclipse._privacy = show;
  window.TinyEclipse._privacyInternals = { STRINGS, exportFile };
})();
