"""The ONNX model against a plain numpy forward pass of the published fp32 weights, and
the fusion of rankings."""

from __future__ import annotations

import numpy as np
import pytest

from shared_domain.discovery import embedding
from shared_domain.discovery.embedding import Embedder, text_hash
from shared_domain.discovery.selectors import rrf_fuse
from tests.unit.discovery.reference import forward, load_weights

TEXTS = [
    "red summer dress",
    "crimson sundress",
    "leather boots",
    "Elegant Ankara Maxi Gown. Women. Women > Dresses > Maxi. Made in Nigeria for weddings.",
]


@pytest.fixture(scope="module")
def embedder() -> Embedder:
    return Embedder(threads=1)


def test_onnx_model_matches_a_numpy_forward_pass_of_the_weights(embedder):
    encodings = embedder.tokenizer.encode_batch(TEXTS)
    ids = np.array([e.ids for e in encodings])
    mask = np.array([e.attention_mask for e in encodings])
    reference = forward(load_weights(), ids, mask)
    got = embedder.embed(TEXTS)
    assert got.shape == (len(TEXTS), 384)
    np.testing.assert_allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)
    cosines = (reference * got).sum(axis=1)
    # int8 weights: at least 0.99 alike (they are about 0.9995).
    assert cosines.min() >= 0.99, cosines


def test_a_paraphrase_is_nearer_than_another_garment(embedder):
    dress, sundress, boots, _ = embedder.embed(TEXTS)
    assert dress @ sundress > dress @ boots + 0.1


def test_padding_does_not_change_an_embedding(embedder):
    alone = embedder.embed(["crimson sundress"])[0]
    batched = embedder.embed(["crimson sundress", TEXTS[3]])[0]
    assert float(alone @ batched) > 0.9999


def test_text_hash_depends_on_the_text_and_the_model(monkeypatch):
    assert text_hash("a") == text_hash("a")
    assert text_hash("a") != text_hash("b")
    before = text_hash("a")
    # Another model makes every stored embedding stale.
    monkeypatch.setattr(embedding, "MODEL_ID", "another-model")
    assert text_hash("a") != before


def test_rrf_fuses_by_reciprocal_rank():
    # 8: 1/62 + 1/61; 7: 1/61 + 1/63; 5: 1/62; 9: 1/63.
    assert rrf_fuse([7, 8, 9], [8, 5, 7]) == [8, 7, 5, 9]
    # Equal scores: the higher id first.
    assert rrf_fuse([1, 2], [2, 1]) == [2, 1]
    assert rrf_fuse([], [3, 1]) == [3, 1]
    assert rrf_fuse([1, 2], [], k=60) == [1, 2]
