"""Which language a visitor writes in, which one the bot answers in, and the bot's texts in each."""

import re
import string
from dataclasses import fields

import pytest

from tinyeclipse.chat.language import (
    detect,
    document_language,
    primary,
    tenant_languages,
    text_search_config,
    visitor_language,
)
from tinyeclipse.chat.replies import REPLIES, Replies, replies

SUPPORTED = ("en", "nl", "de", "fr", "es")


@pytest.mark.parametrize(
    ("message", "language"),
    [
        # The shortest ones are settled by the small-talk phrases of one language.
        ("hoi", "nl"),
        ("bedankt", "nl"),
        ("doei!", "nl"),
        ("danke", "de"),
        ("tschüss", "de"),
        ("Vielen Dank!", "de"),
        ("merci", "fr"),
        ("au revoir", "fr"),
        ("gracias", "es"),
        ("thank you", "en"),
        ("goodbye", "en"),
        # Questions, short and long.
        ("Hoe kan ik mijn wachtwoord resetten?", "nl"),
        ("Wat kost het Starter pakket?", "nl"),
        ("ik kan niet inloggen", "nl"),
        ("SSL werkt niet", "nl"),
        ("Wie kann ich mein Passwort zurücksetzen?", "de"),
        ("Rechnungsadresse ändern", "de"),
        ("Was kostet Hosting?", "de"),
        ("Comment réinitialiser mon mot de passe ?", "fr"),
        ("mot de passe oublié", "fr"),
        ("How do I reset my password?", "en"),
        ("my website is down", "en"),
        ("¿Cómo puedo restablecer mi contraseña?", "es"),
        # Greeting first, question after: the question tells.
        ("hallo, waar vind ik mijn facturen?", "nl"),
        ("hallo, wo finde ich meine Rechnungen?", "de"),
        ("hallo, where can I find my invoices?", "en"),
        # A request for a person inside a longer message.
        ("Mijn site ligt eruit en ik wil een medewerker spreken", "nl"),
    ],
)
def test_a_message_s_language(message: str, language: str) -> None:
    assert detect(message, SUPPORTED) == language


@pytest.mark.parametrize(
    "message",
    [
        "",
        "   ",
        "ok",  # every language's
        "👍",
        "hallo",  # Dutch and German
        "hi",  # English and Dutch
        "VPS",
        "123 456",
        "upgrade",  # a loanword in each
    ],
)
def test_unsure_is_none(message: str) -> None:
    assert detect(message, SUPPORTED) is None


def test_the_tenant_s_languages_restrict_the_answer() -> None:
    assert detect("hallo", ["de", "en"]) == "de"
    assert detect("hallo", ["nl-BE", "fr"]) == "nl"
    assert detect("¿Cómo puedo restablecer mi contraseña?", ["es-ES"]) == "es"
    assert detect("¿Cómo puedo restablecer mi contraseña?", ["en", "de"]) != "es"
    assert detect("Hoe kan ik mijn wachtwoord resetten?", ["xx"]) is None  # none the model knows
    # Unrestricted, any of the model's languages.
    assert detect("Come posso reimpostare la mia password?") == "it"


@pytest.mark.parametrize(
    ("message", "widget", "tenant", "expected"),
    [
        ("Hoe kan ik mijn wachtwoord resetten?", "en", "de", "nl"),  # the message tells
        ("ok", "nl-BE", "de", "nl"),  # else the widget's (its primary subtag)
        ("ok", None, "de-CH", "de"),  # else the tenant's
        ("hallo", "de", "en", "de"),  # Dutch or German: the widget settles it
        ("hallo", None, "nl", "nl"),
        ("ok", "ja", "en", "ja"),  # a language without bot texts still reaches the LLM
    ],
)
def test_the_visitor_s_language(message: str, widget: str | None, tenant: str, expected: str) -> None:
    assert visitor_language(message, widget, tenant, tenant_languages(tenant)) == expected


def test_a_tenant_s_languages_are_the_bot_s_and_its_own() -> None:
    assert set(tenant_languages("en")) == set(SUPPORTED)
    assert set(tenant_languages("it-IT")) == {*SUPPORTED, "it"}
    assert primary("nl-BE") == "nl" and primary("DE") == "de" and primary(None) is None and primary("") is None


@pytest.mark.parametrize(
    ("code", "config"),
    [
        ("nl", "dutch"),
        ("nl-BE", "dutch"),
        ("de", "german"),
        ("fr", "french"),
        ("en", "english"),
        ("es", "spanish"),
        ("it", "italian"),
        ("pt", "portuguese"),
        ("da", "danish"),
        ("sv", "swedish"),
        ("no", "norwegian"),
        ("nb", "norwegian"),
        ("fi", "finnish"),
        ("ru", "russian"),
        ("ja", "simple"),  # Postgres has no Japanese configuration
        ("pl", "simple"),
        (None, "simple"),
    ],
)
def test_the_text_search_configuration_of_a_language(code: str | None, config: str) -> None:
    assert text_search_config(code) == config


DOCUMENTS = {
    "nl": "Je kunt je wachtwoord op elk moment wijzigen in het klantenportaal. Ga naar Instellingen en kies "
    "Wachtwoord wijzigen. We sturen je een e-mail ter bevestiging.",
    "de": "Sie können Ihr Passwort jederzeit im Kundenportal ändern. Gehen Sie zu Einstellungen und wählen Sie "
    "Passwort ändern. Wir senden Ihnen eine Bestätigung per E-Mail.",
    "fr": "Vous pouvez modifier votre mot de passe à tout moment dans l'espace client. Allez dans Paramètres et "
    "choisissez Modifier le mot de passe. Nous vous envoyons un e-mail de confirmation.",
    "en": "You can change your password at any time in the customer portal. Go to Settings and choose Change "
    "password. We send you a confirmation email.",
}


@pytest.mark.parametrize(("language", "text"), DOCUMENTS.items())
def test_a_document_s_language(language: str, text: str) -> None:
    assert document_language(text) == language


def test_a_short_faq_answer_s_language() -> None:
    assert (
        document_language("Onze supportdesk is bereikbaar van maandag tot en met vrijdag van 08:00 tot 20:00 uur.")
        == "nl"
    )
    assert document_language("Het Starter pakket kost 4,95 euro per maand bij jaarlijkse betaling.") == "nl"


def test_a_document_too_short_to_tell_has_no_language() -> None:
    assert document_language("Prijzen") is None
    assert document_language("") is None
    assert document_language("12345 67890 " * 20) is None


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("language", [code for code in REPLIES if code != "en"])
def test_every_bot_text_is_written_in_every_language(language: str) -> None:
    english, texts = REPLIES["en"], REPLIES[language]
    for field in fields(Replies):
        text, original = getattr(texts, field.name), getattr(english, field.name)
        assert text.strip() and text != original, f"{language}.{field.name}"
        assert _placeholders(text) == _placeholders(original), f"{language}.{field.name}"
        # The same leading space where a text is appended to another.
        assert text.startswith(" ") == original.startswith(" "), f"{language}.{field.name}"


def test_the_bot_speaks_at_least_english_dutch_german_and_french() -> None:
    assert {"en", "nl", "de", "fr"} <= set(REPLIES)
    assert replies("nl-BE") is REPLIES["nl"] and replies("ja") is REPLIES["en"] and replies(None) is REPLIES["en"]
    # Dutch web chat says "je", German "Sie", French "vous".
    assert re.search(r"\bje\b", REPLIES["nl"].cannot_answer + REPLIES["nl"].unavailable)
    assert re.search(r"\bu\b", " ".join(str(getattr(REPLIES["nl"], f.name)) for f in fields(Replies))) is None
    assert "Ihre" in REPLIES["de"].unavailable and "vous" in REPLIES["fr"].passed_on
