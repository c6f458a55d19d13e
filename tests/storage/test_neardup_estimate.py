"""The near-duplicate signature estimates the Jaccard similarity of two texts' shingle sets.

The store's LSH banding (``storage.neardup.params``) is tuned for signatures whose slots
agree with probability equal to that similarity; a signature that drifts from it finds
fewer copies or pairs unrelated articles. Measured on generated English and Chinese
articles (``benchmarks.sitegen``) edited into pairs of every similarity, long and short.
"""

from __future__ import annotations

import random
import statistics

import pytest

from benchmarks.sitegen import en_paragraph, lexicon, zh_paragraph
from storage import neardup

# The first four slots of one signature, as computed when version 4 was introduced.
EXPECTED_PREFIX = "6456a87f631ffb425e0f03b45e0f03b4"


def _jaccard(a: str, b: str) -> float:
    first, second = neardup.shingles(a), neardup.shingles(b)
    return len(first & second) / len(first | second)


def _pairs(count: int, seed: int = 11) -> list[tuple[str, str]]:
    """Pairs of texts: one article and an edited copy (sentences dropped, another text's
    paragraphs added), or two unrelated articles; some cut short (a few dozen characters)."""
    rng = random.Random(seed)
    lex = lexicon(seed)
    pairs = []
    for i in range(count):
        paragraph = zh_paragraph if i % 2 else en_paragraph
        article = [paragraph(rng, lex) for _ in range(rng.randint(1, 8))]
        other = [paragraph(rng, lex) for _ in range(rng.randint(0, 6))]
        if i % 5 == 0:
            pairs.append(("\n".join(article), "\n".join(other) or paragraph(rng, lex)))
            continue
        drop = rng.random()
        kept = [p for p in article if rng.random() >= drop] or article[:1]
        copy = kept + other[: rng.randint(0, len(other))]
        rng.shuffle(copy)
        a, b = "\n".join(article), "\n".join(copy)
        if i % 7 == 0:
            a, b = a[: rng.randint(20, 120)], a[: rng.randint(20, 120)]
        pairs.append((a, b))
    return pairs


def test_signatures_agree_on_about_the_jaccard_share_of_slots() -> None:
    errors = []
    for a, b in _pairs(300):
        estimate = neardup.similarity(neardup.signature(a), neardup.signature(b))
        errors.append(estimate - _jaccard(a, b))
    # 128 slots: a binomial estimate's standard error is at most 0.044 (at J = 0.5)
    assert abs(statistics.fmean(errors)) < 0.01
    assert statistics.fmean(e * e for e in errors) ** 0.5 < 0.045
    assert max(map(abs, errors)) < 0.16  # 3.5 standard errors


@pytest.mark.parametrize("text", ["短文", "Hi", "ab", "新闻一则"])
def test_a_text_shorter_than_a_shingle_signs_to_the_same_slots_everywhere(text: str) -> None:
    # one shingle: every slot holds its hash (the empty bins copy the only filled one)
    values = set(neardup._values(neardup.signature(text)))
    assert len(values) == 1
    assert neardup.similarity(neardup.signature(text), neardup.signature(text + "!")) == 1.0


def test_the_signature_is_stable_across_machines_and_versions() -> None:
    """A signature stored today must equal one computed next year: the constants come from
    blake2b, not from numpy's random streams. Changing the scheme needs a VERSION bump."""
    sig = neardup.signature("The quick brown fox jumps over the lazy dog near the river bank.")
    assert sig is not None and len(sig) == 4 * neardup.NUM_PERM
    assert neardup.params().tag.startswith("minhash-v4:")
    assert sig.hex()[:32] == EXPECTED_PREFIX

