"""Near-duplicate detection: MinHash signatures and LSH band keys over character shingles.

Two copies of one article rarely hash the same (a prefix, a footer, another script), so
besides the exact ``content_hash`` the store compares texts by the Jaccard similarity of
their character 4-gram shingles, taken from ``fold_for_hash`` (simplified script, no
case, spaces or punctuation). FACTS.md: on the seed and its copies, 4-grams after
conversion gave 0.88-0.97 for a clean republication, ~0 for unrelated articles, and
MinHash LSH with a threshold of 0.5-0.7 found every spun copy with no false pair.

The signatures are computed here, vectorised with numpy, by one-permutation hashing
(Li, Owen & Zhang 2012) with optimal densification (Shrivastava 2017): each distinct
shingle gets a 32-bit hash (its code points combined and mixed in 64-bit arithmetic); the
32-bit range is cut into ``NUM_PERM`` equal bins and each slot of the signature is the
smallest hash in its bin. A bin no shingle fell into takes the value of the first filled
bin in a fixed pseudo-random order of its own (constants derived from ``SEED`` with
blake2b, so a signature computed today matches one computed next year on any machine).
Two texts then agree on a slot with probability their Jaccard similarity, as with
``NUM_PERM`` independent hash functions, but every shingle is hashed once instead of
``NUM_PERM`` times. Version 2 used datasketch's per-shingle SHA-1 (~4 ms for a
5,000-character article); version 3 applied 128 hash functions ``a_k * x + b_k mod 2**32``
to every shingle (0.32 ms a bench-site article in the parse worker, its text already
folded); version 4 takes 0.12 ms with the same error against the true Jaccard similarity
(tests/storage/test_neardup_estimate.py). A version change alters ``LshParams.tag``, so
``Repository.ensure_neardup_index`` rebuilds a stored index.
The banding (``b`` bands of ``r`` rows) is the one that minimises errors at
``THRESHOLD``. Instead of datasketch's in-memory index, the band keys go to the
``lsh_bands`` table: a lookup is one indexed query, the index survives restarts, is shared
by every crawl process writing to the same database, and costs the crawler no memory. A
signature is stored as ``NUM_PERM`` little-endian uint32, 512 bytes at 128 permutations.

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

from storage.textfold import fold_for_hash

NUM_PERM = 128
THRESHOLD = 0.6
SHINGLE = 4
SEED = 1
VERSION = 4  # 4: one-permutation hashing, densified (3: 128 hash functions; 2: datasketch, SHA-1 per shingle)
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


def optimal_banding(num_perm: int, threshold: float, points: int = 1001) -> tuple[int, int]:
    """The (bands, rows) split of ``num_perm`` hash values that minimises the expected false
    positives below ``threshold`` plus false negatives above it, equally weighted (the usual
    LSH banding choice). Integrated numerically; a few milliseconds, no scipy needed."""
    best, best_error = (1, 1), float("inf")
    below = np.linspace(0.0, threshold, points)
    above = np.linspace(threshold, 1.0, points)
    for bands in range(1, num_perm + 1):
        for rows in range(1, num_perm // bands + 1):
            fp = np.trapezoid(1.0 - (1.0 - below ** rows) ** bands, below)
            fn = np.trapezoid((1.0 - above ** rows) ** bands, above)
            error = float(0.5 * fp + 0.5 * fn)
            if error < best_error:
                best, best_error = (bands, rows), error
    return best


# optimal_banding for the defaults, so no process pays 0.3 s to recompute it (a test checks it).
KNOWN_BANDING = {(128, 0.6): (18, 7)}


@lru_cache(maxsize=4)
def params(num_perm: int = NUM_PERM, threshold: float = THRESHOLD) -> LshParams:
    """The parameters in force, with the optimal banding for the threshold."""
    bands, rows = KNOWN_BANDING.get((num_perm, threshold)) or optimal_banding(num_perm, threshold)
    return LshParams(num_perm=num_perm, threshold=threshold, bands=bands, rows=rows)


_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)


def _constants(label: bytes, count: int, seed: int) -> np.ndarray:
    """``count`` stable pseudo-random 64-bit constants (blake2b in counter mode)."""
    raw = b"".join(hashlib.blake2b(label + seed.to_bytes(8, "little") + i.to_bytes(4, "little"), digest_size=8,
                                   person=b"newscrawl-mh").digest() for i in range(count))
    return np.frombuffer(raw, dtype="<u8").astype(np.uint64)


@lru_cache(maxsize=4)
def _bins(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The smallest 32-bit hash of each of ``num_perm`` equal bins, and for each bin the
    order (a fixed pseudo-random permutation of the bins) in which an empty one looks for
    a filled one to copy. Bin ``i`` holds the hashes ``h`` with ``h * num_perm >> 32 == i``."""
    starts = np.array([-(-(i << 32) // num_perm) for i in range(num_perm)], dtype=np.uint64).astype(np.uint32)
    donors = np.stack([np.argsort(_constants(b"d" + i.to_bytes(4, "little"), num_perm, seed), kind="stable")
                       for i in range(num_perm)])
    return starts, donors


@lru_cache(maxsize=4)
def _position_weights(size: int, seed: int) -> np.ndarray:
    """Odd 64-bit multipliers, one per position in a shingle."""
    return _constants(b"w", size, seed) | np.uint64(1)


def shingle_hashes(text: str, size: int = SHINGLE, seed: int = SEED) -> np.ndarray:
    """32-bit hashes of the character ``size``-grams of the folded text (the whole text when
    shorter), one per shingle, repeats kept (a bin's smallest hash does not change with
    them), as a sorted uint32 array; empty for a text with no words.

    A shingle's code points are combined with odd 64-bit multipliers (distinct shingles
    collide only by a one-in-2**64 accident) and mixed with the splitmix64 finaliser, whose
    upper 32 bits are the hash."""
    return np.sort(_unsorted_hashes(text, size, seed).astype(np.uint32))


def _unsorted_hashes(text: str, size: int, seed: int) -> np.ndarray:
    """``shingle_hashes`` in shingle order, each in the low 32 bits of a uint64 (what
    ``signature`` reads them as)."""
    folded = fold_for_hash(text)
    if not folded:
        return np.empty(0, dtype=np.uint64)
    points = np.frombuffer(folded.encode("utf-32-le"), dtype="<u4").astype(np.uint64)
    if len(points) < size:  # one shingle, the whole text, padded with zeros (never a code point here)
        points = np.concatenate([points, np.zeros(size - len(points), dtype=np.uint64)])
    weights = _position_weights(size, seed)
    count = len(points) - size + 1
    h = points[:count] * weights[0]
    for i in range(1, size):
        h += points[i:i + count] * weights[i]
    h ^= h >> np.uint64(30)
    h *= _MIX1
    h ^= h >> np.uint64(27)
    h *= _MIX2
    h ^= h >> np.uint64(31)
    h >>= np.uint64(32)
    return h


def shingles(text: str, size: int = SHINGLE) -> set[bytes]:
    """Character ``size``-grams of the folded text (the whole text when shorter), as UTF-8."""
    folded = fold_for_hash(text)
    if not folded:
        return set()
    if len(folded) <= size:
        return {folded.encode("utf-8")}
    return {folded[i:i + size].encode("utf-8") for i in range(len(folded) - size + 1)}


def signature(text: str, p: LshParams | None = None) -> bytes | None:
    """The MinHash signature of ``text`` as compact bytes (None for a text with no words).

    Each bin's smallest hash is taken by ``np.minimum.at`` over the unsorted hashes, a
    bin's number being ``h * num_perm >> 32`` (the bins ``_bins`` cuts): sorting the
    hashes, as ``_signature_plain`` does to find each bin's first, cost 70 of the 240 us
    a bench-site article's signature took, and ``minimum.at`` 15."""
    p = p or params()
    hashes = _unsorted_hashes(text, p.shingle, p.seed)
    if not len(hashes):
        return None
    _, donors = _bins(p.num_perm, p.seed)
    # 2**32 (above every hash) marks a bin no shingle fell into
    values = np.full(p.num_perm, _EMPTY_BIN, dtype=np.uint64)
    np.minimum.at(values, (hashes * np.uint64(p.num_perm)) >> np.uint64(32), hashes)
    filled = values < _EMPTY_BIN
    return _densified(values, filled, donors)


def _densified(values: np.ndarray, filled: np.ndarray, donors: np.ndarray) -> bytes:
    """The signature's bytes, each empty bin given the value of the first filled bin in its
    donor order (``_bins``): the densification that makes one-permutation hashing usable
    for short texts."""
    if not filled.all():
        empty = np.flatnonzero(~filled)
        order = donors[empty]
        donor = order[np.arange(len(empty)), filled[order].argmax(axis=1)]  # the first filled bin in its order
        values[empty] = values[donor]
    return values.astype("<u4").tobytes()


_EMPTY_BIN = np.uint64(1 << 32)


def _signature_plain(text: str, p: LshParams | None = None) -> bytes | None:
    """The readable form; signature must equal it, see tests/perf/test_parse_speed_equivalence.py."""
    p = p or params()
    hashes = shingle_hashes(text, p.shingle, p.seed)
    if not len(hashes):
        return None
    starts, donors = _bins(p.num_perm, p.seed)
    # The hashes are sorted: the first one at or after a bin's start is its smallest, when
    # it comes before the next bin's first.
    first = np.searchsorted(hashes, starts)
    filled = first < np.append(first[1:], len(hashes))
    values = hashes[np.minimum(first, len(hashes) - 1)]
    return _densified(values, filled, donors)


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
