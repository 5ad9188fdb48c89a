"""Every text the bot itself says to a visitor, per language: small-talk answers, refusals, hand-offs, the default
greeting. No logic beyond picking a language's texts.

The tenant's own texts (greeting, expected_reply, contact) are used as the tenant wrote them; only the built-in
defaults are here. A language without texts gets English.

To add a language: add a `Replies` to REPLIES (every field), then a case to tests/unit/test_language.py.
"""

from dataclasses import dataclass

from tinyeclipse.tenants.settings import TenantSettings


@dataclass(frozen=True)
class Replies:
    # The built-in greeting, shown when the tenant kept the default.
    greeting: str
    # Small talk (tinyeclipse.chat.intents).
    thanks: str
    goodbye: str
    identity: str  # {team}: the tenant's name
    identity_unnamed: str
    handoff: str  # the visitor asked for a person
    contact: str  # appended to the hand-off answer when the tenant has a contact route; {contact}
    # Refusals (tinyeclipse.chat.escalation): the first sentence, then what to do next.
    cannot_answer: str
    contact_team: str  # {contact}
    ask_for_person: str
    passed_on: str  # the conversation now waits for the team
    also_reach: str  # {contact}, after `passed_on`
    # The provider failed: the question goes to the team.
    unavailable: str
    # When to expect an answer from the team, when the tenant did not say.
    expected_reply: str
    # The tenant's monthly message quota is used up: the conversation goes to the team.
    quota_reached: str


DEFAULT = "en"

REPLIES: dict[str, Replies] = {
    "en": Replies(
        greeting="Hi! How can I help you today?",
        thanks="You're welcome! Anything else I can help with?",
        goodbye="Goodbye! Feel free to come back with any other question.",
        identity="I'm {team}'s virtual assistant: I answer from {team}'s own help pages. Ask for a person at any time.",
        identity_unnamed="I'm a virtual assistant: I answer from this website's own help pages. "
        "Ask for a person at any time.",
        handoff="I'll pass this on to our team, and a person will get back to you.",
        contact=" You can also reach them directly at {contact}.",
        cannot_answer="I'm sorry, I can't answer that from the information I have.",
        contact_team="Please contact our team at {contact}.",
        ask_for_person="Please ask to speak to a member of our team.",
        passed_on="I've passed your question on to our team, and a person will answer here.",
        also_reach=" You can also reach them at {contact}.",
        unavailable="I'm sorry, I can't answer right now. I've passed your question on to our team, "
        "and someone will follow up.",
        expected_reply="as soon as possible",
        quota_reached="Our virtual assistant has reached its limit for this month, so I've passed your question "
        "on to our team. A person will answer you here.",
    ),
    "nl": Replies(
        greeting="Hoi! Waarmee kan ik je helpen?",
        thanks="Graag gedaan! Kan ik je nog ergens anders mee helpen?",
        goodbye="Tot ziens! Je kunt altijd terugkomen met een nieuwe vraag.",
        identity="Ik ben de virtuele assistent van {team}: ik antwoord op basis van de eigen hulppagina's van "
        "{team}. Je kunt altijd vragen om een medewerker.",
        identity_unnamed="Ik ben een virtuele assistent: ik antwoord op basis van de eigen hulppagina's van deze "
        "website. Je kunt altijd vragen om een medewerker.",
        handoff="Ik geef dit door aan ons team; een medewerker neemt contact met je op.",
        contact=" Je kunt ons ook direct bereiken via {contact}.",
        cannot_answer="Sorry, daar kan ik met de informatie die ik heb geen antwoord op geven.",
        contact_team="Neem contact op met ons team via {contact}.",
        ask_for_person="Vraag gerust om een medewerker van ons team.",
        passed_on="Ik heb je vraag doorgegeven aan ons team; een medewerker antwoordt je hier.",
        also_reach=" Je kunt ons ook bereiken via {contact}.",
        unavailable="Sorry, ik kan je vraag nu niet beantwoorden. Ik heb hem doorgegeven aan ons team; "
        "er neemt iemand contact met je op.",
        expected_reply="zo snel mogelijk",
        quota_reached="Onze virtuele assistent heeft zijn limiet voor deze maand bereikt. Ik heb je vraag "
        "doorgegeven aan ons team; een medewerker antwoordt je hier.",
    ),
    "de": Replies(
        greeting="Hallo! Wie kann ich Ihnen helfen?",
        thanks="Gern geschehen! Kann ich Ihnen sonst noch helfen?",
        goodbye="Auf Wiedersehen! Sie können jederzeit mit einer neuen Frage wiederkommen.",
        identity="Ich bin der virtuelle Assistent von {team}: Ich antworte anhand der eigenen Hilfeseiten von "
        "{team}. Sie können jederzeit nach einem Menschen fragen.",
        identity_unnamed="Ich bin ein virtueller Assistent: Ich antworte anhand der eigenen Hilfeseiten dieser "
        "Website. Sie können jederzeit nach einem Menschen fragen.",
        handoff="Ich leite Ihr Anliegen an unser Team weiter; ein Mitarbeiter meldet sich bei Ihnen.",
        contact=" Sie erreichen uns auch direkt unter {contact}.",
        cannot_answer="Das kann ich anhand der mir vorliegenden Informationen leider nicht beantworten.",
        contact_team="Bitte wenden Sie sich an unser Team: {contact}.",
        ask_for_person="Fragen Sie gern nach einem Mitarbeiter unseres Teams.",
        passed_on="Ich habe Ihre Frage an unser Team weitergeleitet; ein Mitarbeiter antwortet Ihnen hier.",
        also_reach=" Sie erreichen uns auch unter {contact}.",
        unavailable="Ich kann Ihre Frage gerade leider nicht beantworten. Ich habe sie an unser Team "
        "weitergeleitet; jemand meldet sich bei Ihnen.",
        expected_reply="so bald wie möglich",
        quota_reached="Unser virtueller Assistent hat sein Kontingent für diesen Monat erreicht. Ich habe Ihre "
        "Frage an unser Team weitergeleitet; ein Mitarbeiter antwortet Ihnen hier.",
    ),
    "fr": Replies(
        greeting="Bonjour ! Comment puis-je vous aider ?",
        thanks="Je vous en prie ! Puis-je vous aider avec autre chose ?",
        goodbye="Au revoir ! N'hésitez pas à revenir si vous avez une autre question.",
        identity="Je suis l'assistant virtuel de {team} : je réponds à partir des pages d'aide de {team}. "
        "Vous pouvez demander à parler à une personne à tout moment.",
        identity_unnamed="Je suis un assistant virtuel : je réponds à partir des pages d'aide de ce site. "
        "Vous pouvez demander à parler à une personne à tout moment.",
        handoff="Je transmets votre demande à notre équipe ; une personne vous répondra.",
        contact=" Vous pouvez aussi nous joindre directement : {contact}.",
        cannot_answer="Désolé, je ne peux pas répondre à cette question avec les informations dont je dispose.",
        contact_team="Veuillez contacter notre équipe : {contact}.",
        ask_for_person="N'hésitez pas à demander à parler à un membre de notre équipe.",
        passed_on="J'ai transmis votre question à notre équipe ; une personne vous répondra ici.",
        also_reach=" Vous pouvez aussi nous joindre : {contact}.",
        unavailable="Désolé, je ne peux pas répondre pour le moment. J'ai transmis votre question à notre "
        "équipe ; quelqu'un reviendra vers vous.",
        expected_reply="dès que possible",
        quota_reached="Notre assistant virtuel a atteint sa limite pour ce mois-ci. J'ai transmis votre question "
        "à notre équipe ; une personne vous répondra ici.",
    ),
    "es": Replies(
        greeting="¡Hola! ¿En qué puedo ayudarle?",
        thanks="¡De nada! ¿Puedo ayudarle con algo más?",
        goodbye="¡Hasta luego! Vuelva cuando quiera si tiene otra pregunta.",
        identity="Soy el asistente virtual de {team}: respondo a partir de las páginas de ayuda de {team}. "
        "Puede pedir hablar con una persona en cualquier momento.",
        identity_unnamed="Soy un asistente virtual: respondo a partir de las páginas de ayuda de este sitio. "
        "Puede pedir hablar con una persona en cualquier momento.",
        handoff="Paso su consulta a nuestro equipo; una persona se pondrá en contacto con usted.",
        contact=" También puede contactarnos directamente en {contact}.",
        cannot_answer="Lo siento, no puedo responder a eso con la información que tengo.",
        contact_team="Póngase en contacto con nuestro equipo: {contact}.",
        ask_for_person="Puede pedir hablar con una persona de nuestro equipo.",
        passed_on="He pasado su pregunta a nuestro equipo; una persona le responderá aquí.",
        also_reach=" También puede contactarnos en {contact}.",
        unavailable="Lo siento, ahora mismo no puedo responder. He pasado su pregunta a nuestro equipo "
        "y alguien se pondrá en contacto con usted.",
        expected_reply="lo antes posible",
        quota_reached="Nuestro asistente virtual ha alcanzado su límite de este mes. He pasado su pregunta a "
        "nuestro equipo; una persona le responderá aquí.",
    ),
}

LANGUAGES = tuple(REPLIES)

# What a tenant's greeting is until the tenant writes its own.
_BUILT_IN_GREETING = TenantSettings.model_fields["greeting"].default


def replies(language: str | None) -> Replies:
    """The texts of a language (a BCP 47 tag; its primary subtag counts), English when there are none."""
    primary = (language or DEFAULT).split("-")[0].lower()
    return REPLIES.get(primary, REPLIES[DEFAULT])


def greeting(own: str, language: str | None) -> str:
    """The tenant's greeting as written, or the built-in one in `language` when the tenant kept it."""
    return replies(language).greeting if own == _BUILT_IN_GREETING else own


def expected_reply(own: str | None, language: str | None) -> str:
    return own or replies(language).expected_reply
