"""Each confidence feature on small hand-made cases, and the fitted model's arithmetic."""

import json
from importlib import resources
from uuid import uuid4

import pytest

from tinyeclipse.chat.confidence import MODEL_FILES, Model, assess, fitted_model, no_answer
from tinyeclipse.chat.features import (
    NAMES,
    expected_answer_type,
    extract,
    has_answer_type,
    question_terms,
    weighted_coverage,
)
from tinyeclipse.chat.llm import ContextChunk
from tinyeclipse.chat.passages import split
from tinyeclipse.chat.reading import Reading, ScoredSentence
from tinyeclipse.chat.retrieval import Retrieved
from tinyeclipse.embeddings.names import MODELS

NORMANS = (
    "The Normans were descended from Norse raiders who, under their leader Rollo, agreed to swear fealty to "
    "King Charles III of West Francia. They gave their name to Normandy in the 10th century."
)


def _hit(text: str, similarity: float, vector_rank: int | None = 1, keyword_rank: int | None = 1) -> Retrieved:
    return Retrieved(1, uuid4(), text, "Normans #1", None, None, None, similarity, 0.03, vector_rank, keyword_rank)


def _reading(question: str, text: str, meanings: list[float], wordings: list[float]) -> Reading:
    chunk = ContextChunk(number=1, source_id=uuid4(), title=None, url=None, text=text)
    sentences = tuple(split(text))
    scored = [
        ScoredSentence(chunk, sentences, i, meaning, wording, 0.6 * meaning + 0.4 * wording)
        for i, (meaning, wording) in enumerate(zip(meanings, wordings, strict=True))
    ]
    scored.sort(key=lambda s: -s.score)
    return Reading(question, tuple(scored))


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("How many people live in Fresno?", "number"),
        ("How much does the Starter plan cost?", "number"),
        ("When were the Normans in Normandy?", "date"),
        ("In which year did the war end?", "date"),
        ("Who was the Norse leader?", "name"),
        ("Where is the data centre?", "name"),
        ("Hoeveel kost een domein?", "number"),
        ("Wann endet der Vertrag?", "date"),
        ("What is France a region of?", None),
    ],
)
def test_the_kind_of_answer_a_question_asks_for(question: str, kind: str | None) -> None:
    assert expected_answer_type(question) == kind


def test_an_answer_type_counts_only_when_the_text_adds_it() -> None:
    assert has_answer_type("number", "How many mailboxes are included?", "It includes 5 mailboxes.")
    # The number the question itself mentions is no answer.
    assert not has_answer_type("number", "How many mailboxes does plan 5 include?", "Plan 5 includes mailboxes.")
    assert has_answer_type("date", "When did the Normans arrive?", "They arrived in 911.")
    assert not has_answer_type("date", "When did the Normans arrive?", "They arrived by ship.")
    assert has_answer_type("name", "Who was the Norse leader?", "Their leader was Rollo.")
    assert not has_answer_type("name", "Who was the Norse leader?", "Their leader was strong.")


def test_rare_question_terms_weigh_more_than_common_ones() -> None:
    weights = question_terms("Which registrar handles the transfer of my domain?", "en")
    assert weights["registrar"] > weights["domain"] > weights.get("handle", 0)
    # The same number of words found, but the rare one found weighs more.
    assert weighted_coverage(weights, "Ask your registrar.") > weighted_coverage(weights, "Handle it.")
    assert weighted_coverage({}, "anything") == 1.0


def test_a_swapped_entity_shows_as_a_missing_rare_term_and_name() -> None:
    right = "Who did the Normans swear fealty to?"
    swapped = "Who did the Vikings swear fealty to?"
    hits = [_hit(NORMANS, 0.7)]
    values = [extract(q, hits, _reading(q, NORMANS, [0.7, 0.4], [0.8, 0.2]), []).values for q in (right, swapped)]
    assert values[0]["missing_rare"] == 0.0 and values[0]["missing_names"] == 0.0
    assert values[1]["missing_rare"] > 0.4 and values[1]["missing_names"] == 1.0
    assert values[1]["weighted_coverage"] < values[0]["weighted_coverage"]


def test_retrieval_features_margin_agreement_and_keyword_match() -> None:
    q = "Who was the Norse leader?"
    reading = _reading(q, NORMANS, [0.6, 0.3], [0.5, 0.0])
    clear = extract(q, [_hit(NORMANS, 0.72), _hit("Other", 0.30, 2, None)], reading, []).values
    vague = extract(q, [_hit(NORMANS, 0.41, 2, None), _hit("Other", 0.40, 1, 2)], reading, []).values
    assert clear["similarity_margin"] == pytest.approx(0.42) and vague["similarity_margin"] == pytest.approx(0.01)
    assert clear["vector_keyword_agree"] == 1.0 and vague["vector_keyword_agree"] == 0.0
    assert clear["best_similarity"] == pytest.approx(0.72)


def test_a_number_the_passage_contradicts() -> None:
    q = "What happens after three days?"
    text = "The domain is restored after two days."
    assert extract(q, [_hit(text, 0.7)], _reading(q, text, [0.7], [0.8]), []).values["numbers_disagree"] == 1.0
    q = "What happens after two days?"
    assert extract(q, [_hit(text, 0.7)], _reading(q, text, [0.7], [0.8]), []).values["numbers_disagree"] == 0.0


def test_the_pronoun_i_is_no_name() -> None:
    q = "Can I get my money back if I'm not happy?"
    text = "Yes, every plan has a 30-day money-back guarantee."
    assert extract(q, [_hit(text, 0.5)], _reading(q, text, [0.5], [0.5]), []).values["missing_names"] == 0.0


def test_nothing_to_rest_on() -> None:
    q = "Who did not swear fealty?"
    features = extract(q, [], Reading(q, ()), []).values
    assert features["weighted_coverage"] == 0.0 and features["missing_rare"] == 1.0
    assert set(features) == set(NAMES)


def test_the_model_is_a_logistic_regression_over_standardised_features() -> None:
    model = Model(names=("best_similarity",), mean=(0.5,), scale=(0.1,), coef=(2.0,), intercept=-1.0)
    q = "Who was the Norse leader?"
    features = extract(q, [_hit(NORMANS, 0.6)], _reading(q, NORMANS, [0.6, 0.3], [0.5, 0.0]), [])
    # z = (0.6 - 0.5) / 0.1 = 1; P = 1 / (1 + e^-(-1 + 2·1)) = 0.731
    assert model.probability(features) == pytest.approx(0.7311, abs=1e-4)
    generated = assess(features, "all-MiniLM-L6-v2", coherence=0.9, groundedness=0.5, model=model)
    assert generated.score == pytest.approx(0.7311 / 2, abs=1e-3)
    assert generated.answer_coherence == 0.9 and set(generated.parts()["features"]) == set(NAMES)


@pytest.mark.parametrize("embedding_model", MODELS)
def test_each_embedding_model_ships_a_model_reading_only_features_the_code_computes(embedding_model: str) -> None:
    data = json.loads(resources.files("tinyeclipse.chat").joinpath(MODEL_FILES[embedding_model]).read_text())
    fitted = fitted_model(embedding_model)
    assert tuple(data["model"]["names"]) == fitted.names and set(fitted.names) <= set(NAMES)
    assert 0 < data["thresholds"]["refuse"] <= data["thresholds"]["escalate"] < 1
    with pytest.raises(ValueError, match="does not compute"):
        Model.from_json({**data["model"], "names": ["made_up", *data["model"]["names"][1:]]})


def test_an_answer_is_scored_by_the_model_fitted_for_its_embedding_model() -> None:
    q = "Who was the Norse leader?"
    # Related text as each model sees it: MiniLM's cosines spread wide, e5's sit high in a narrow band.
    features = extract(q, [_hit(NORMANS, 0.84)], _reading(q, NORMANS, [0.86, 0.8], [0.5, 0.0]), [])
    minilm = assess(features, "all-MiniLM-L6-v2", coherence=0.86)
    e5 = assess(features, "multilingual-e5-small", coherence=0.86)
    assert minilm.score == pytest.approx(fitted_model("all-MiniLM-L6-v2").probability(features), abs=1e-4)
    assert e5.score == pytest.approx(fitted_model("multilingual-e5-small").probability(features), abs=1e-4)
    assert fitted_model("all-MiniLM-L6-v2") != fitted_model("multilingual-e5-small")
    # 0.84 is near the top of MiniLM's band and mid-way in e5's.
    assert minilm.retrieval_similarity == 1.0 and 0.3 < e5.retrieval_similarity < 0.7
    assert e5.parts()["embedding_model"] == "multilingual-e5-small"
    assert no_answer(features, "multilingual-e5-small").score == 0.0
    with pytest.raises(ValueError, match="no confidence model"):
        assess(features, "bert-base-uncased", coherence=0.5)
