"""Small talk and requests for a person are recognised in five languages; real questions are left to retrieval."""

import pytest

from tinyeclipse.chat.intents import Detected, Intent, detect, has_content, normalise, reply
from tinyeclipse.chat.language import visitor_language

GREETING, THANKS, GOODBYE, IDENTITY, HANDOFF = (
    Intent.greeting,
    Intent.thanks,
    Intent.goodbye,
    Intent.identity,
    Intent.handoff,
)

SMALL_TALK = [
    # English
    ("hi!", GREETING, "en"),
    ("Hello there", GREETING, "en"),
    ("good morning", GREETING, "en"),
    ("hiiii", GREETING, "en"),
    ("Hi there! 😊", GREETING, "en"),
    ("hey, got a question", GREETING, "en"),
    ("thanks!", THANKS, "en"),
    ("Thank you so much", THANKS, "en"),
    ("thaaanks", THANKS, "en"),
    ("Thank you so much for the quick answer!!", THANKS, "en"),
    ("bye", GOODBYE, "en"),
    ("ok thanks, bye", GOODBYE, "en"),
    ("no thanks, that's all", GOODBYE, "en"),
    ("Are you a bot?", IDENTITY, "en"),
    ("who are you", IDENTITY, "en"),
    ("Am I talking to a human?", IDENTITY, "en"),
    ("Is this a real person?", IDENTITY, "en"),
    ("hi, are you a robot?", IDENTITY, "en"),
    ("talk to a human", HANDOFF, "en"),
    ("Can I speak to someone?", HANDOFF, "en"),
    ("I want a real person", HANDOFF, "en"),
    ("agent please", HANDOFF, "en"),
    ("HUMAN!!", HANDOFF, "en"),
    ("My site is down and I want to talk to a human", HANDOFF, "en"),
    ("hi, can you put me through to someone from billing?", HANDOFF, "en"),
    # Dutch
    ("hoi", GREETING, "nl"),
    ("Goedemiddag!", GREETING, "nl"),
    ("hallo", GREETING, "nl"),  # Dutch and German alike: the first of the two
    ("Goedemorgen allemaal", GREETING, "nl"),
    ("bedankt", THANKS, "nl"),
    ("Dank je wel!", THANKS, "nl"),
    ("dankjewel 🙏", THANKS, "nl"),
    ("tot ziens", GOODBYE, "nl"),
    ("doei!", GOODBYE, "nl"),
    ("ben je een robot?", IDENTITY, "nl"),
    ("Wie ben jij?", IDENTITY, "nl"),
    ("mens spreken", HANDOFF, "nl"),
    ("Kan ik iemand spreken?", HANDOFF, "nl"),
    ("medewerker", HANDOFF, "nl"),
    ("Kan ik een medewerker spreken over mijn factuur?", HANDOFF, "nl"),
    ("Kunt u mij terugbellen?", HANDOFF, "nl"),
    # German
    ("moin", GREETING, "de"),
    ("Guten Tag", GREETING, "de"),
    ("Hallo zusammen", GREETING, "de"),
    ("Danke schön", THANKS, "de"),
    ("Vielen Dank für die Hilfe", THANKS, "de"),
    ("tschüss", GOODBYE, "de"),
    ("Tschüß!", GOODBYE, "de"),
    ("Auf Wiedersehen", GOODBYE, "de"),
    ("Bist du ein Bot?", IDENTITY, "de"),
    ("Spreche ich mit einem Menschen?", IDENTITY, "de"),
    ("Mitarbeiter", HANDOFF, "de"),
    ("Ich möchte mit einem Menschen sprechen", HANDOFF, "de"),
    ("Kann ich bitte mit einem Mitarbeiter sprechen?", HANDOFF, "de"),
    # French
    ("Bonjour", GREETING, "fr"),
    ("bonsoir à tous", GREETING, "fr"),
    ("Merci beaucoup !", THANKS, "fr"),
    ("merci", THANKS, "fr"),
    ("Au revoir", GOODBYE, "fr"),
    ("Bonne journée !", GOODBYE, "fr"),
    ("Es-tu un robot ?", IDENTITY, "fr"),
    ("Qui êtes-vous ?", IDENTITY, "fr"),
    ("Je voudrais parler à un conseiller", HANDOFF, "fr"),
    ("un humain", HANDOFF, "fr"),
    ("Je peux parler à quelqu'un ?", HANDOFF, "fr"),
    # Spanish
    ("¡Hola!", GREETING, "es"),
    ("muchas gracias", THANKS, "es"),
    ("adiós", GOODBYE, "es"),
    ("¿Eres un robot?", IDENTITY, "es"),
    ("Quiero hablar con una persona", HANDOFF, "es"),
    # No language in particular
    ("👋", GREETING, None),
    ("👍", THANKS, None),
    ("ok", THANKS, None),
]


@pytest.mark.parametrize(("message", "intent", "language"), SMALL_TALK)
def test_small_talk_and_requests_for_a_person_are_recognised(
    message: str, intent: Intent, language: str | None
) -> None:
    assert detect(message) == Detected(intent, language)


QUESTIONS = [
    "hi, how do I transfer a domain?",
    "Hello, what are your opening hours?",
    "Good morning, my email is not working",
    "thanks, but how do I renew my certificate?",
    "Thank you for the invoice, when is it due?",
    "Can I get my money back if I'm not happy?",
    "How do I transfer a domain?",
    "Who is the CEO?",
    "Are you open on Sundays?",
    "Who are your customers?",
    "Can you help me with DNS?",
    "Can I add a person to my account?",
    "How can my customers talk to a human?",
    "Do you have live chat support?",
    "What is a human-readable URL?",
    "Hoi, hoe verhuis ik mijn domein?",
    "Bedankt, maar hoe stel ik mijn e-mail in?",
    "Hoe voeg ik een medewerker toe?",
    "Hoeveel mensen kunnen tegelijk chatten?",
    "Hallo, wie kann ich meine Domain umziehen?",
    "Ich möchte einen Mitarbeiter anlegen",
    "Bonjour, comment transférer un domaine ?",
    "Comment ajouter un agent à mon compte ?",
    "Gracias, ¿cómo cambio mi contraseña?",
    "yes",
]


@pytest.mark.parametrize("message", QUESTIONS)
def test_a_real_question_is_not_small_talk(message: str) -> None:
    assert detect(message) is None


def test_asking_for_a_person_to_call_is_a_request_for_a_person() -> None:
    # The visitor asks for a human; the hand-off answer carries the tenant's contact route, which answers it.
    assert detect("Is there a person I can call about DNS?") == Detected(HANDOFF, "en")
    # Asking how to reach a channel is a question for the help pages.
    assert detect("How do I contact support?") is None


def test_a_request_for_a_person_wins_over_small_talk() -> None:
    assert detect("Thanks! Can I talk to a human now?") == Detected(HANDOFF, "en")
    assert detect("Hallo, ik wil graag een medewerker spreken") == Detected(HANDOFF, "nl")


def test_messages_are_normalised_before_matching() -> None:
    assert normalise("  Héllo!!! Thaaanks… 👋🏽  ") == "helo thanks 👋"
    assert normalise("Qu'est-ce que c'est ?") == "quest ce que cest"
    assert normalise("Tschüß") == normalise("tschüss") == "tschus"


@pytest.mark.parametrize(
    ("message", "content"),
    [("5", True), ("ok", True), ("👋", True), ("é", True), ("", False), ("...", False), ("¿?", False), ("  - ", False)],
)
def test_content_is_a_letter_a_digit_or_an_emoji(message: str, content: bool) -> None:
    assert has_content(message) is content


GREETING_SETTING = "Welkom bij Demo Hosting! Waarmee kan ik helpen?"


@pytest.mark.parametrize(
    ("message", "language", "expected"),
    [
        ("thanks!", None, "You're welcome! Anything else I can help with?"),
        ("bedankt", None, "Graag gedaan! Kan ik je nog ergens anders mee helpen?"),
        ("danke", None, "Gern geschehen! Kann ich Ihnen sonst noch helfen?"),
        ("merci", None, "Je vous en prie ! Puis-je vous aider avec autre chose ?"),
        ("gracias", None, "¡De nada! ¿Puedo ayudarle con algo más?"),
        # "thanks" is English and Dutch: the widget's language tells
        ("thanks!", "nl-BE", "Graag gedaan! Kan ik je nog ergens anders mee helpen?"),
        ("👍", None, "You're welcome! Anything else I can help with?"),
        ("thanks!", "ja", "You're welcome! Anything else I can help with?"),  # no Japanese texts: English
        ("bedankt", "ja", "Graag gedaan! Kan ik je nog ergens anders mee helpen?"),
    ],
)
def test_thanks_are_answered_in_the_visitors_language(message: str, language: str | None, expected: str) -> None:
    detected = detect(message)
    assert detected is not None
    assert detected.intent is THANKS
    answer_in = visitor_language(message, language, "en")
    assert reply(THANKS, greeting=GREETING_SETTING, team="Demo Hosting", language=answer_in) == expected


def test_a_greeting_is_answered_with_the_tenants_own_greeting() -> None:
    answer = reply(GREETING, greeting=GREETING_SETTING, team="Demo Hosting", language="fr")
    assert answer == GREETING_SETTING


def test_the_built_in_greeting_is_in_the_visitors_language() -> None:
    built_in = "Hi! How can I help you today?"
    assert reply(GREETING, greeting=built_in, team=None, language="nl") == "Hoi! Waarmee kan ik je helpen?"
    assert reply(GREETING, greeting=built_in, team=None, language="de-AT") == "Hallo! Wie kann ich Ihnen helfen?"
    assert reply(GREETING, greeting=built_in, team=None, language="ja") == built_in


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("bye", "Goodbye!"),
        ("tot ziens", "Tot ziens!"),
        ("tschüss", "Auf Wiedersehen!"),
        ("au revoir", "Au revoir !"),
        ("adiós", "¡Hasta luego!"),
    ],
)
def test_goodbyes_are_short_and_in_the_visitors_language(message: str, expected: str) -> None:
    answer = reply(
        GOODBYE, greeting=GREETING_SETTING, team="Demo Hosting", language=visitor_language(message, None, "en")
    )
    assert answer.startswith(expected)


def test_the_bot_says_whose_assistant_it_is() -> None:
    english = reply(IDENTITY, greeting="", team="Demo Hosting", language=visitor_language("are you a bot?", None, "en"))
    assert english == (
        "I'm Demo Hosting's virtual assistant: I answer from Demo Hosting's own help pages. "
        "Ask for a person at any time."
    )
    dutch = reply(
        IDENTITY, greeting="", team="Demo Hosting", language=visitor_language("ben je een robot?", None, "en")
    )
    assert dutch.startswith("Ik ben de virtuele assistent van Demo Hosting")
    german = reply(IDENTITY, greeting="", team="Demo Hosting", language=visitor_language("bist du ein Bot", None, "en"))
    assert german.startswith("Ich bin der virtuelle Assistent von Demo Hosting")
    nameless = reply(IDENTITY, greeting="", team=None, language="en")
    assert nameless.startswith("I'm a virtual assistant: I answer from this website's own help pages.")


def test_a_hand_off_says_a_person_follows_up_and_gives_the_contact_route() -> None:
    with_contact = reply(
        HANDOFF,
        greeting="",
        team="Demo Hosting",
        language=visitor_language("mens spreken", None, "en"),
        contact="support@demo.example",
    )
    assert with_contact == (
        "Ik geef dit door aan ons team; een medewerker neemt contact met je op. "
        "Je kunt ons ook direct bereiken via support@demo.example."
    )
    without = reply(HANDOFF, greeting="", team="Demo Hosting", language=visitor_language("talk to a human", None, "en"))
    assert without == "I'll pass this on to our team, and a person will get back to you."
    french = reply(
        HANDOFF, greeting="", team=None, language=visitor_language("un humain", None, "en"), contact="+33 1 23 45 67 89"
    )
    assert french.startswith("Je transmets votre demande à notre équipe") and french.endswith("+33 1 23 45 67 89.")
