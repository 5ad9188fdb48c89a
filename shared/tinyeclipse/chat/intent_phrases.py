"""The data of the small-talk and hand-off recogniser (tinyeclipse.chat.intents): the phrases per language (the
bot's reply texts are in tinyeclipse.chat.replies). No logic here.

Phrases are data: lower-case words separated by single spaces, as `normalise` leaves a message, with small
regular-expression groups for variants. Accents, apostrophes and doubled letters are folded in the phrases the
same way as in messages, so "tschüß", "quelqu'un" and "hello" are written as one would spell them.

To add a phrase: put it in the right field of its language's `Phrases` in SMALL_TALK (a whole message or one part
of one), or, for a request for a person found anywhere in a message, in HANDOFF_REQUESTS; then add a case to
tests/unit/test_intents.py.

To add a language: add its code to LANGUAGES (the order settles ties), a `Phrases` to SMALL_TALK, its patterns to
HANDOFF_REQUESTS and its texts to tinyeclipse.chat.replies (without them, answers fall back to English).
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Phrases:
    """One language's small talk. Each phrase is a whole message or one part of one; a message is small talk
    when it splits into these phrases and fillers, with at least one phrase that is not a filler."""

    greeting: tuple[str, ...] = ()
    thanks: tuple[str, ...] = ()  # also acknowledgements ("ok", "got it"): they get the same answer
    goodbye: tuple[str, ...] = ()
    identity: tuple[str, ...] = ()
    handoff: tuple[str, ...] = ()  # a bare request for a person: "agent please", "medewerker"
    filler: tuple[str, ...] = ()  # words that change nothing: "there", "so much", "allemaal"


LANGUAGES = ("en", "nl", "de", "fr", "es")  # also the order that settles a tie ("hallo" is nl and de)

SMALL_TALK: dict[str | None, Phrases] = {
    None: Phrases(
        greeting=("👋", "🙋", "🤗"),
        thanks=("ok", "okay", "okey", "okidoki", "k", "kk", "🙏", "👍", "👌", "🙌", "super", "top", "perfect"),
        goodbye=("ciao",),
        filler=("[^\\w ]", "please", "pls", "plz"),  # any other emoji
    ),
    "en": Phrases(
        greeting=(
            "hi",
            "hello",
            "hey",
            "heya",
            "hiya",
            "howdy",
            "yo",
            "greetings",
            "good (morning|afternoon|evening|day)",
            "(morning|afternoon|evening)",
            "how are (you|u)( doing)?( today)?",
            "how are things",
            "(hows|how is) it going",
            "(whats|what is) up",
            "sup",
            "nice to meet you",
            "(are you|is anyone|is anybody|is someone|anyone|anybody) (there|here|around)",
            "(i have|ive got|i got|got|have) a (quick |short |small )?question",
            "can i ask (you )?(a question|something)",
            "(can|could) you help( me)?",
            "i need (some )?help",
            "help( me)?",
        ),
        thanks=(
            "thanks",
            "thank (you|u)",
            "thanx",
            "thx",
            "thnx",
            "tnx",
            "ty",
            "tysm",
            "cheers",
            "many thanks",
            "much appreciated",
            "(i )?appreciate (it|that|your help|the help)",
            "(great|good|nice|awesome|cool|brilliant|excellent|wonderful|lovely|helpful|very helpful)",
            "(alright|all right|got it|understood|i see|noted|makes sense|sounds good|fair enough|good to know)",
            "(that|this) (helps|helped|works|worked)",
            "(thats|that is|that was|this is|this was) (great|perfect|helpful|very helpful|clear|good|useful)",
        ),
        goodbye=(
            "bye",
            "bye bye",
            "byebye",
            "goodbye",
            "good bye",
            "see (you|ya|u)( later| soon| around)?",
            "cya",
            "later",
            "laters",
            "take care",
            "(have a )?(nice|good|great|lovely) (day|evening|weekend|one)",
            "good night",
            "(thats|that is|that was) (all|it|everything)( for now| for today)?",
            "nothing else",
            "no (thanks|thank you|thx)",
            "no (thats|that is) (all|it)",
            "(im|i am) done",
            "all (good|set)",
        ),
        identity=(
            "(are|r) (you|u) (a |an )?(real |actual |live )?(bot|robot|chatbot|chat bot|ai|machine|computer|program"
            "|human|person|human being|real)( or (a |an )?(real )?(bot|robot|chatbot|ai|machine|computer|human"
            "|person|human being|not))?",
            "(am i|are we) (talking|speaking|chatting|writing) (to|with) (a |an )?(real |actual |live )?(bot|robot"
            "|chatbot|ai|machine|computer|human|person|human being)( or (a |an )?(bot|robot|human|person|machine))?",
            "is (this|it|that) (a |an )?(real |actual |live )?(bot|robot|chatbot|ai|machine|computer|human|person"
            "|human being)( or (a |an )?(bot|robot|human|person|machine))?",
            "(is this|are you) (chat )?automated",
            "are you (chatgpt|gpt|an llm|a language model)",
            "who (are you|is this|am i (talking|speaking|chatting) (to|with))",
            "what are you",
            "(what is|whats) your name",
            "what (can|do) you do",
            "what can you help( me)? with",
            "(tell me about|introduce) yourself",
        ),
        handoff=(
            "(a |an )?(real |live |actual )?(human|person|agent|operator|representative|rep|human being|someone"
            "|somebody|support agent|manager|supervisor|staff member|employee)",
            "(customer service|customer support|live chat|human support|human help|real support)",
            "escalate( this| it)?",
        ),
        filler=(
            "there",
            "(all|everyone|everybody|guys|folks|team|friend|mate|dear)",
            "(bot|chatbot|assistant)",
            "(so|very) much",
            "a lot",
            "(so|very|really|again)",
            "(oh|ah|um|uhm|hmm|well|and|then|yes|yeah|yep|now)",
            "for now",
            "for (your|the|all the|all your|this|that)( quick| fast| clear| great| kind)? (help|info|information|answer"
            "|answers|reply|support)",
        ),
    ),
    "nl": Phrases(
        greeting=(
            "hoi",
            "hoihoi",
            "hallo",
            "hallootjes",
            "hey",
            "hai",
            "hi",
            "goedemorgen",
            "goedemiddag",
            "goedenavond",
            "goedendag",
            "goeiedag",
            "goede(morgen|middag|navond)",
            "goede (morgen|middag|avond)",
            "(goeie )?(morgen|middag|avond)",
            "dag",
            "moi",
            "hoe gaat het( met je| met jou| met u)?",
            "alles goed",
            "(ik heb|ik had) een (korte |kleine )?vraag",
            "mag ik (je |u )?(iets|een vraag) vragen",
            "(kun|kan|kunt) (je|jij|u) (me |mij )?helpen",
        ),
        thanks=(
            "bedankt",
            "dank (je|jij|u)( wel)?",
            "dankjewel",
            "dankuwel",
            "dank",
            "thanks",
            "thanx",
            "hartelijk dank",
            "(heel )?(erg )?bedankt",
            "prima",
            "oke",
            "helder",
            "duidelijk",
            "fijn",
            "mooi",
            "top",
            "begrepen",
            "(dat|dit) (helpt|hielp|werkt)",
        ),
        goodbye=(
            "doei",
            "dag dag",
            "doeg",
            "tot ziens",
            "tot (de )?volgende (keer)?",
            "tot (later|straks|zo|morgen)",
            "(een )?fijne (dag|avond|middag|dag nog|avond nog|middag nog|weekend)",
            "houdoe",
            "welterusten",
            "(dat was|dat is) (het|alles)",
            "nee (dank je|dank u|bedankt|hoor)",
        ),
        identity=(
            "(ben|bent) (je|jij|u) (een )?(echte |echt )?(bot|robot|chatbot|computer|ai|mens|persoon|machine"
            "|medewerker)( of (een )?(bot|robot|mens|persoon|computer|machine|niet))?",
            "(praat|spreek|chat) ik (met|tegen) (een )?(echte |echt )?(bot|robot|chatbot|computer|ai|mens|persoon"
            "|machine|medewerker)( of (een )?(bot|robot|mens|persoon|computer|machine))?",
            "is dit een (echte |echt )?(bot|robot|chatbot|computer|mens|persoon|machine)( of (een )?(bot|robot"
            "|mens|persoon|computer|machine))?",
            "is dit (geautomatiseerd|automatisch)",
            "wie (ben je|ben jij|bent u|is dit)",
            "wat (ben je|ben jij|bent u)",
            "hoe heet (je|jij|u)",
            "wat is (je|jouw|uw) naam",
            "wat (kun|kan|kunt) (je|jij|u)( allemaal)?( doen)?",
        ),
        handoff=(
            "(een )?(echte |echt )?(mens|medewerker|medewerkster|persoon)",
            "(klantenservice|klantendienst|helpdesk|servicedesk)",
            "iemand( van (jullie|het team|de klantenservice))?",
            "doorverbinden",
        ),
        filler=(
            "(allemaal|iedereen|daar|nog|hoor|wel|even|zeer|erg|heel|veel|nou|ja|en|jullie|nogmaals|graag)",
            "(alstublieft|alsjeblieft|aub|ajb)",
            "voor (de|je|jouw|uw) (hulp|info|informatie|antwoord)",
        ),
    ),
    "de": Phrases(
        greeting=(
            "hallo",
            "hallochen",
            "hi",
            "hey",
            "moin",
            "moin moin",
            "servus",
            "gruss (gott|dich|sie)",
            "gruezi",
            "guten (morgen|tag|abend)",
            "(morgen|tag|abend)",
            "wie gehts",
            "wie geht es (dir|ihnen)",
            "(ich habe|ich hatte|hab) eine (kurze |kleine )?frage",
            "(kannst du|konnen sie) (mir )?helfen",
        ),
        thanks=(
            "danke",
            "danke (schon|sehr)",
            "dankeschon",
            "(vielen|vielen lieben|herzlichen|besten|tausend) dank",
            "prima",
            "alles klar",
            "perfekt",
            "verstanden",
            "klasse",
            "toll",
            "(das|es) (hilft|hat geholfen|funktioniert)",
        ),
        goodbye=(
            "tschuss",
            "tschau",
            "auf wiedersehen",
            "auf wiederhoren",
            "bis (bald|dann|spater|morgen|zum nachsten mal)",
            "(einen )?schonen (tag|abend|feierabend|tag noch|abend noch)",
            "ade",
            "gute nacht",
            "(das wars|das war es|das ist alles)",
            "nein danke",
        ),
        identity=(
            "(bist du|sind sie) (ein |eine )?(echter |echte |richtiger |richtige |echtes )?(bot|roboter|chatbot"
            "|computer|ki|mensch|person|maschine|programm|mitarbeiter)( oder (ein |eine )?(bot|roboter|mensch|person"
            "|computer|maschine|ki|nicht))?",
            "(spreche|rede|chatte|schreibe) ich (gerade )?mit (einem |einer )?(echten |richtigen )?(bot|roboter"
            "|chatbot|computer|ki|mensch|menschen|person|maschine|mitarbeiter)( oder (einem |einer )?(bot|roboter"
            "|menschen|person|computer|maschine|ki))?",
            "ist (das|dies) (ein |eine )?(echter |echte )?(bot|roboter|chatbot|computer|mensch|person|maschine|ki)"
            "( oder (ein |eine )?(bot|roboter|mensch|person|computer|maschine))?",
            "wer (bist du|sind sie|ist da)",
            "was (bist du|sind sie)",
            "wie (heisst du|heissen sie)",
            "was (kannst du|konnen sie)( alles)?( tun| machen)?",
        ),
        handoff=(
            "(ein |einen |eine )?(echter |echten |echte |richtigen )?(mensch|menschen|mitarbeiter|mitarbeiterin"
            "|person|berater|beraterin|kundenberater|ansprechpartner|sachbearbeiter)",
            "(kundenservice|kundendienst)",
        ),
        filler=(
            "(zusammen|allerseits|nochmal|nochmals|vielmals|sehr|ja|und|na|also|bitte|jetzt|sofort)",
            "fur (die|ihre|deine) (hilfe|info|information|antwort)",
        ),
    ),
    "fr": Phrases(
        greeting=(
            "bonjour",
            "bonsoir",
            "salut",
            "coucou",
            "allo",
            "hello",
            "(ca|comment ca|comment) va",
            "comment allez vous",
            "(jai|j ai) une (petite )?question",
            "(pouvez vous|peux tu) (m|me )?aider",
        ),
        thanks=(
            "merci",
            "merci (beaucoup|bien|infiniment)",
            "mille mercis",
            "parfait",
            "(d )?accord",
            "daccord",
            "genial",
            "tres bien",
            "(cest|c est) (gentil|parfait|clair|note)",
            "compris",
            "nickel",
        ),
        goodbye=(
            "au revoir",
            "a (bientot|plus|plus tard|la prochaine|demain)",
            "bonne (journee|soiree|nuit|fin de journee)",
            "adieu",
            "non merci",
            "(cest|c est) tout",
        ),
        identity=(
            "(es tu|tu es|etes vous|vous etes|est ce que tu es|est ce que vous etes) (un |une )?(vrai |vraie "
            "|veritable )?(bot|robot|chatbot|ordinateur|ia|machine|programme|humain|personne|etre humain"
            "|personne reelle)( ou (un |une )?(bot|robot|humain|personne|machine|ia|pas))?",
            "(je parle|est ce que je parle|je discute|je suis en train de parler) (a|avec) (un |une )?(vrai "
            "|vraie )?(bot|robot|chatbot|ordinateur|ia|machine|humain|personne|etre humain)( ou (un |une )?(bot"
            "|robot|humain|personne|machine))?",
            "(est ce|cest) un (vrai )?(bot|robot|chatbot|humain|ordinateur)",
            "qui (es tu|etes vous|est ce)",
            "(tu es|vous etes) qui",
            "quest ce que (tu es|vous etes)",
            "comment (tu tappelles|vous appelez vous)",
            "que (peux tu|pouvez vous) faire",
            "(tu sers|vous servez) a quoi",
        ),
        handoff=(
            "(un |une )?(vrai |vraie |veritable )?(humain|etre humain|personne|conseiller|conseillere|agent"
            "|operateur|operatrice|interlocuteur)",
            "(le |au )?service client(s|ele)?",
            "quelquun",
            "une personne reelle",
        ),
        filler=(
            "(a tous|a toi|a vous|tout le monde|encore|oui|et|bien|beaucoup|maintenant)",
            "(svp|stp|sil vous plait|sil te plait)",
            "pour (votre|ton|l|cette|la) (aide|info|information|reponse)",
        ),
    ),
    "es": Phrases(
        greeting=(
            "hola",
            "buenos dias",
            "buenas( tardes| noches)?",
            "que tal",
            "como (estas|esta)",
            "tengo una (pregunta|duda)",
        ),
        thanks=("gracias", "muchas gracias", "mil gracias", "perfecto", "vale", "genial", "de acuerdo", "entendido"),
        goodbye=("adios", "hasta (luego|pronto|manana)", "chao", "nos vemos", "no gracias", "eso es todo"),
        identity=(
            "(eres|es usted|sos) (un |una )?(bot|robot|chatbot|humano|persona|ia|maquina|persona real|ordenador"
            "|computadora)( o (un |una )?(bot|robot|humano|persona|maquina|ia|no))?",
            "(estoy hablando|hablo) con (un |una )?(bot|robot|chatbot|humano|persona|maquina|ia|persona real)"
            "( o (un |una )?(bot|robot|humano|persona|maquina))?",
            "(quien|que) eres( tu)?",
            "quien es usted",
            "como te llamas",
            "que puedes hacer",
        ),
        handoff=(
            "(un |una )?(humano|persona|agente|asesor|asesora|operador|operadora|persona real|ser humano)",
            "atencion al cliente",
            "alguien",
        ),
        filler=("(a todos|muy|si|y|ahora)", "por favor"),
    ),
}

# Requests for a person inside any message. Built from a few parts per language, so that a verb of talking must
# reach a person: "talk to a human", "een medewerker spreken", "mit einem Menschen sprechen".
_EN_WHO = (
    "(a |an |the |some |your |one of your |a member of (your |the )?)?(real |live |actual |human )?(human|humans"
    "|human being|person|people|someone|somebody|anyone|anybody|agent|operator|representative|rep|staff|staff member"
    "|employee|support agent|manager|supervisor|colleague|advisor|adviser|team|support team|customer service"
    "|customer support|support|tech support|technical support|technician|engineer|specialist|sales|sales team"
    "|billing|billing team)"
)
# Only the visitor's own request: "how can my customers talk to a human?" is a question about the product.
_EN_ASKER = "(^|(i|me|we|us|please|pls|just|lemme|let me)( \\w+){0,4} )"
_NL_WHO = "(mens|mensen|persoon|medewerker|medewerkers|medewerkster|iemand|collega|adviseur)"
_DE_WHO = (
    "(mensch|menschen|person|mitarbeiter|mitarbeiterin|mitarbeitenden|jemand|jemandem|berater|beraterin"
    "|kundenberater|kundenberaterin|ansprechpartner|ansprechpartnerin|sachbearbeiter|kollegen|kollegin|agenten)"
)
_DE_ARTICLE = "(einem |einer |einen |eine |dem |der |den |jemandem )?(echten |echte |richtigen |richtige )?"
_FR_WHO = (
    "(un |une |le |la |l |votre |vos |des )?(vrai |vraie |veritable )?(humain|etre humain|personne|personne reelle"
    "|conseiller|conseillere|agent|operateur|operatrice|employe|quelquun|collaborateur|interlocuteur|technicien"
    "|responsable|service client|membre de (votre |l )?equipe|votre equipe|lequipe)"
)
_ES_WHO = (
    "(un |una |el |la |algun |alguna )?(humano|persona|persona real|agente|asesor|asesora|operador|operadora|alguien"
    "|empleado|representante|ser humano|encargado)"
)

HANDOFF_REQUESTS: dict[str, tuple[str, ...]] = {
    "en": (
        f"{_EN_ASKER}(talk|speak|chat|get through|be put through|be connected|be transferred|get in touch"
        f"|communicate) (to|with) {_EN_WHO}",
        f"(connect|transfer|put|pass|forward|redirect) (me|us)( through| over)? (to|with) {_EN_WHO}",
        "(want|need|prefer|request|get|give me|get me|find me) (a |an |to |some )?(real|live|actual) (human|person"
        "|agent|operator|human being|one)",
        "(want|need|prefer|request|give me|get me|find me) (a |an |some )?(human|human being|humans)",
        "(want|need|like|prefer|request|give me|get me|find me) (a |an |some )?(person|agent|operator|representative"
        "|someone|somebody|staff member|employee)( please| pls| now)?$",
        "(someone|somebody|anyone|anybody|a (real |live )?(person|human)|an? (agent|operator|representative)"
        "|a human being|a member of (your |the )?(team|staff)) (i|we) (can|could|may) (talk|speak|chat|call|phone"
        "|ring|contact|reach|email|write)",
        "(can|could|would|will) (a |an )?(real |live |actual )?(human|person|agent|operator|representative"
        "|human being|member of (your |the )?(team|staff)) (please )?(help|assist|contact|call|email|phone|ring)"
        " (me|us)",
        "(someone|somebody|you) (please )?(call|phone|ring) (me|us)",
        "(call|phone|ring) (me|us) back",
        "(request|want|like|need|get|schedule|book) a (call back|callback)",
        "(dont|do not) want (to (talk|speak|chat) (to|with) )?(a |the |your |this )?(bot|robot|machine|chatbot)",
    ),
    "nl": (
        f"(een |de |met een |met de |met |iemand van |een van )(echte |echt )?{_NL_WHO} (\\w+ ){{0,3}}?(spreken"
        "|praten|chatten|bellen|mailen|te woord staan|aan de lijn|aan de telefoon|contact)",
        "(mens|iemand|medewerker) (\\w+ ){0,3}?(spreken|praten|chatten|bellen|te woord staan|aan de lijn"
        "|aan de telefoon)",
        f"(spreken|praten|chatten|bellen|contact opnemen|in contact komen) (met|tegen) (een |de |iemand van )?"
        f"(echte |echt )?{_NL_WHO}",
        "(doorverbinden|doorverbonden|doorschakelen|doorgeschakeld)",
        "verbind (me|mij|ons) door",
        "(ik wil|ik zou graag|ik wil graag|ik zou liever|liever|graag) (\\w+ )?(een |met een )?(echte |echt )?(mens"
        "|medewerker|medewerkster|persoon)( spreken| graag| aub| alstublieft| alsjeblieft)?$",
        "(wil|zou|graag|liever) (\\w+ ){0,2}echte? (mens|persoon|medewerker)",
        "(mij|me|ons) (\\w+ )?(terugbellen|terug bellen|opbellen)",
        "(bel|belt) (me|mij|ons) (terug|op)",
        "teruggebeld (worden|word)",
        "(wil|hoef) geen (bot|robot|chatbot|computer)",
    ),
    "de": (
        f"mit {_DE_ARTICLE}{_DE_WHO} (\\w+ ){{0,3}}?(sprechen|reden|chatten|telefonieren|verbunden|verbinden"
        "|schreiben|kontakt)",
        f"(sprechen|reden|chatten|telefonieren|verbinden sie mich|verbinde mich|verbunden werden) mit {_DE_ARTICLE}"
        f"{_DE_WHO}",
        "(einen|eine|den|die) (echten |echte |richtigen |richtige )?(menschen|mitarbeiter|mitarbeiterin|berater"
        "|beraterin|person|ansprechpartner|kundenberater) (\\w+ ){0,2}?(sprechen|erreichen|anrufen|kontaktieren)",
        "(will|mochte|brauche|hatte gern|hatte gerne|wurde gern|wurde gerne|bitte) (\\w+ )?(einen |eine )?(echten "
        "|echte |richtigen |richtige )?(menschen|mensch|mitarbeiter|mitarbeiterin|person|berater|ansprechpartner)"
        "( bitte| sprechen)?$",
        "(will|mochte|brauche|hatte gerne|wurde gerne|bitte) (\\w+ ){0,2}(echten|echte|richtigen|richtige|realen)"
        " (menschen|person|mitarbeiter)",
        "(ruckruf|zuruckrufen|zuruckgerufen)",
        "(ruf|rufen) (sie )?mich (\\w+ )?(an|zuruck)",
        "(will|mochte) (\\w+ )?(keinen|keine|nicht mit einem) (bot|roboter|chatbot|maschine|computer)",
    ),
    "fr": (
        f"(parler|discuter|echanger|chatter|communiquer|etre mis en relation|etre mise en relation|etre en contact"
        f"|entrer en contact|prendre contact|etre transfere|etre redirige) (\\w+ ){{0,2}}?(a|avec|au|aux|vers)"
        f" {_FR_WHO}",
        f"(mettre|mettez|mets|transferer|transferez|rediriger|redirigez) (moi |me |nous )?(en (relation|contact) )?"
        f"(avec|a|vers) {_FR_WHO}",
        f"(passez|passe|passer) (moi|me) {_FR_WHO}",
        "(je veux|je voudrais|jaimerais|je souhaite|je souhaiterais|je prefere|je prefererais) (un |une )(vrai "
        "|vraie |veritable )?(humain|etre humain|personne reelle|vraie personne|conseiller|conseillere|agent"
        "|operateur|interlocuteur)",
        "(me|nous) rappeler",
        "(rappelez|rappelle) (moi|nous)",
        "etre rappele(e)?",
        "(pas|plus) (de |d )(bot|robot|chatbot|machine)",
    ),
    "es": (
        f"(hablar|charlar|comunicarme|comunicar|contactar|conversar) (\\w+ ){{0,2}}?(con|a) {_ES_WHO}",
        "(quiero|necesito|quisiera|prefiero) (un |una )(humano|persona real|agente|asesor|operador|ser humano|persona)",
        "(llamenme|llamame|me (pueden|puede|podrian|podria) llamar)",
    ),
}
