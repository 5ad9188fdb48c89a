"""Gap questions grouped by meaning with each embedding model: paraphrases land in one group, different topics
in different groups."""

import numpy
import pytest

from tinyeclipse.embeddings.registry import get_chat_embedder
from tinyeclipse.insights.clustering import cluster, merge_threshold, representative

TOPICS = {
    "password": [
        "How do I reset my password?",
        "I forgot my password, what now?",
        "How can I change my login password?",
        "password reset not working",
        "Can't log in, need a new password",
    ],
    "refund": [
        "Can I get my money back?",
        "How do I request a refund?",
        "What is your refund policy?",
        "I want a refund for my order",
    ],
    "ssh": ["Do you support SSH access?", "How do I connect with SSH?", "Is ssh available on shared hosting?"],
    "php": ["Which PHP versions do you offer?", "Can I switch to PHP 8.3?", "How do I change the PHP version?"],
    "invoice": [
        "Where can I download my invoice?",
        "I need a copy of my invoice",
        "How do I get an invoice for last month?",
    ],
}
QUESTIONS = [question for questions in TOPICS.values() for question in questions]
LABELS = [topic for topic, questions in TOPICS.items() for _ in questions]


@pytest.mark.parametrize("model", ["all-MiniLM-L6-v2", "multilingual-e5-small"])
def test_paraphrases_group_together_and_topics_apart(model: str) -> None:
    embedder = get_chat_embedder(model)
    vectors = numpy.stack([embedder.encode_query(question) for question in QUESTIONS])
    groups = cluster(vectors, merge_threshold(model))
    assert sorted([LABELS[i] for i in group] for group in groups) == sorted([[t] * len(q) for t, q in TOPICS.items()])


def test_unit_vectors_merge_by_mean_similarity() -> None:
    a, b, c = numpy.eye(3, dtype=numpy.float32)
    near_a = (a + 0.2 * b) / numpy.linalg.norm(a + 0.2 * b)
    vectors = numpy.stack([a, c, near_a])
    assert cluster(vectors, 0.9) == [[0, 2], [1]]
    assert cluster(vectors, 0.99) == [[0], [1], [2]]
    assert cluster(vectors, -1.0) == [[0, 1, 2]]
    assert cluster(numpy.zeros((0, 3), dtype=numpy.float32), 0.5) == []


def test_the_representative_is_the_most_central_member() -> None:
    a, b = numpy.eye(2, dtype=numpy.float32)
    middle = (a + b) / numpy.sqrt(2)
    assert representative(numpy.stack([a, b, middle]), [0, 1, 2]) == 2
