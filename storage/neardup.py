"""Near-duplicate detection: MinHash signatures and LSH band keys over character shingles.

Two copies of one article rarely hash the same (a prefix, a footer, another script), so
besides the exact ``content_hash`` the store compares texts by the Jaccard similarity of
their character 4-gram shingles, taken from ``fold_for_hash`` (simplified script, no
case, spaces or punctuation). FACTS.md: on the seed and its copies, 4-grams after
conversion gave 0.88-0.97 for a clean republication, ~0 for unrelated articles, and
MinHash LSH with a threshold of 0.5-0.7 found every spun copy with no false pair.

datasketch computes the signatures (``NUM_PERM`` permutations, deterministic seed and a
stable hash, so a signature computed today matches one computed next year) and chooses
the banding (``b`` bands of ``r`` rows) that minimises errors at ``THRESHOLD``. Instead of
datasketch's in-memory index, the band keys go to the ``lsh_bands`` table: a lookup is one
indexed query, the index survives restarts, is shared by every crawl process writing to
the same database, and costs the crawler no memory. A signature is stored as
``NUM_PERM`` little-endian uint32 (datasketch keeps 32-bit values in 64-bit slots), 512
bytes at 128 permutations.

Template articles (a weather report, "Story 1" and "Story 4" of a generated site, results
tables) share almost every shingle yet are different articles; copies keep the facts.
So a near-duplicate must also agree on its numbers: ``same_facts`` wants at least half of
the smaller text's distinct numbers in the other one (a text without numbers agrees).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from crawler.parsing.clean import fold_for_hash

NUM_PERM = 128
THRESHOLD = 0.6
SHINGLE = 4
SEED = 1
VERSION = 2
MIN_SHARED_NUMBERS = 0.5
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


@dataclass(frozen=True)
class LshParams:
    """Everything a stored signature or band key depends on; stored in ``store_meta`` so a
    change of parameters triggers a rebuild instead of silently missing duplicates."""

    num_perm: int = NUM_PERM
    threshold: float = THRESHOLD
    shingle: int = SHINGLE
    seed: int = SEED
    bands: int = 0
    rows: int = 0

    @property
    def tag(self) -> str:
        return (f"minhash-v{VERSION}:perm={self.num_perm}:shingle={self.shingle}:seed={self.seed}"
                f":b={self.bands}:r={self.rows}")


@lru_cache(maxsize=4)
def params(num_perm: int = NUM_PERM, threshold: float = THRESHOLD) -> LshParams:
    """The parameters in force, with datasketch's optimal banding for the threshold."""
    from datasketch import MinHashLSH  # imported on first use: it pulls in scipy (~0.5 s)

    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    return LshParams(num_perm=num_perm, threshold=threshold, bands=lsh.b, rows=lsh.r)


@lru_cache(maxsize=4)
def _template(num_perm: int, seed: int):  # noqa: ANN202 - a datasketch MinHash
    # Building the permutations is the slow part of MinHash(); copies reuse them.
    from datasketch import MinHash

    return MinHash(num_perm=num_perm, seed=seed)


def shingles(text: str, size: int = SHINGLE) -> set[bytes]:
    """Character ``size``-grams of the folded text (the whole text when shorter)."""
    folded = fold_for_hash(text)
    if not folded:
        return set()
    if len(folded) <= size:
        return {folded.encode("utf-8")}
    return {folded[i:i + size].encode("utf-8") for i in range(len(folded) - size + 1)}


def signature(text: str, p: LshParams | None = None) -> bytes | None:
    """The MinHash signature of ``text`` as compact bytes (None for a text with no words)."""
    p = p or params()
    grams = shingles(text, p.shingle)
    if not grams:
        return None
    mh = _template(p.num_perm, p.seed).copy()
    mh.update_batch(list(grams))
    return mh.hashvalues.astype("<u4").tobytes()


def _values(sig: bytes) -> np.ndarray:
    return np.frombuffer(sig, dtype="<u4")


def similarity(a: bytes, b: bytes) -> float:
    """Estimated Jaccard similarity of two signatures (share of equal slots)."""
    va, vb = _values(a), _values(b)
    if va.shape != vb.shape:
        return 0.0
    return float(np.count_nonzero(va == vb)) / len(va)


def band_keys(sig: bytes, p: LshParams | None = None) -> list[tuple[int, int]]:
    """``(band, key)`` pairs: each band's number and rows hashed to a signed 64-bit key
    (BIGINT on both backends). Two signatures share a key when they agree on every row of
    that band; keys of different bands never meet, since the band number is hashed in."""
    p = p or params()
    keys = []
    for band in range(p.bands):
        chunk = sig[band * p.rows * 4:(band + 1) * p.rows * 4]
        digest = hashlib.blake2b(band.to_bytes(2, "little") + chunk, digest_size=8, person=b"newscrawl-lsh").digest()
        keys.append((band, int.from_bytes(digest, "little", signed=True)))
    return keys


def numbers(text: str) -> set[str]:
    """The distinct numbers in a text (full-width digits read as ASCII)."""
    return set(_NUMBER.findall(unicodedata.normalize("NFKC", text or "")))


def same_facts(a: str, b: str) -> bool:
    """True unless the two texts disagree on their numbers (see the module docstring)."""
    na, nb = numbers(a), numbers(b)
    if not na or not nb:
        return True  # no numbers on one side: no evidence against
    return len(na & nb) / min(len(na), len(nb)) >= MIN_SHARED_NUMBERS
