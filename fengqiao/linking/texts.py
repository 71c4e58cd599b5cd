"""Near-duplicate texts for 类案串联: character shingles, MinHash signatures (datasketch) and LSH bands.

Chinese has no spaces, so the shingles are overlapping character trigrams of the text with punctuation, digits and
spaces removed (amounts and dates differ between reports of one matter; the words around them do not). Signatures of
NUM_PERM values are cut into BANDS bands of ROWS rows: two texts share some band's bucket with probability
1 − (1 − s^ROWS)^BANDS for Jaccard similarity s — about 0.5 at s = 0.56 and 0.97 at s = 0.8; candidates are then
checked by their exact Jaccard similarity, so the bands only have to find them.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import zlib
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

SHINGLE = 3
BANDS = 8
ROWS = 4
NUM_PERM = BANDS * ROWS
SEED = 20231
# Texts with fewer shingles say too little to be compared ("已处理", "同上").
MIN_SHINGLES = 8
# Below this Jaccard similarity of shingles two texts are not called similar.
SIMILAR = 0.5
_NOISE = re.compile(r"[\W\d_]+", re.UNICODE)


def normalise(text: str) -> str:
    return _NOISE.sub("", unicodedata.normalize("NFKC", text)).lower()


def shingles(text: str) -> set[str]:
    body = normalise(text)
    if len(body) <= SHINGLE:
        return {body} if body else set()
    return {body[i : i + SHINGLE] for i in range(len(body) - SHINGLE + 1)}


def jaccard(a: set[str], b: set[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


# MurmurHash3's 32-bit finaliser: datasketch's "affine32" scheme mixes every input hash with it before permuting.
_FMIX32 = (16, 0x85EBCA6B, 13, 0xC2B2AE35, 16)
# Texts per vectorised step: bounds the (shingles × NUM_PERM) matrix to a few MiB.
_CHUNK_TEXTS = 2_000
_permutations: tuple[np.ndarray, np.ndarray] | None = None


def _affine_permutations() -> tuple[np.ndarray, np.ndarray]:
    """datasketch's permutations for (NUM_PERM, SEED), taken once from a MinHash. datasketch is imported here: its
    package pulls in scipy.integrate (seconds), which processes that never compare texts should not pay for."""
    global _permutations
    if _permutations is None:
        from datasketch import MinHash

        a, b = MinHash(num_perm=NUM_PERM, seed=SEED, hashfunc=zlib.crc32).permutations
        _permutations = (a.astype("uint32"), b.astype("uint32"))
    return _permutations


def signatures(texts: Sequence[str]) -> list[np.ndarray]:
    """MinHash signature of each text (see ``signatures_of``)."""
    return signatures_of([shingles(text) for text in texts])


def signatures_of(shingle_sets: Sequence[set[str]]) -> list[np.ndarray]:
    """MinHash signature of each text, bit for bit what ``datasketch.MinHash.bulk`` gives (crc32 of each shingle,
    the affine32 scheme) but computed for thousands of texts in a few numpy operations instead of a dozen each:
    at a million texts this is the difference between a minute and seconds."""
    import numpy as np

    a, b = _affine_permutations()
    s1, m1, s2, m2, s3 = _FMIX32
    out: list[np.ndarray] = []
    crc32 = zlib.crc32
    for start in range(0, len(shingle_sets), _CHUNK_TEXTS):
        chunk = shingle_sets[start : start + _CHUNK_TEXTS]
        hashes: list[int] = []
        counts: list[int] = []
        for grams in chunk:
            counts.append(len(grams))
            hashes.extend(map(crc32, map(str.encode, grams)))
        hv = np.array(hashes, dtype=np.uint32)
        hv ^= hv >> np.uint32(s1)
        hv *= np.uint32(m1)
        hv ^= hv >> np.uint32(s2)
        hv *= np.uint32(m2)
        hv ^= hv >> np.uint32(s3)
        permuted = hv[:, None] * a[None, :] + b[None, :]
        sizes = np.array(counts, dtype=np.int64)
        filled = sizes > 0
        result = np.full((len(chunk), NUM_PERM), np.iinfo(np.uint32).max, dtype=np.uint32)
        if filled.any():
            starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))[filled]
            result[filled] = np.minimum.reduceat(permuted, starts, axis=0)
        out.extend(result)
    return out


_BAND_PERSONS = tuple(band.to_bytes(2, "little") for band in range(BANDS))
_BAND_BYTES = ROWS * 4


def buckets(signature: np.ndarray) -> list[int]:
    """One bucket per band: a stable 63-bit hash of the band's number and rows (the same in every process)."""
    data = signature.astype("<u4").tobytes()
    blake2b, from_bytes = hashlib.blake2b, int.from_bytes
    return [
        from_bytes(
            blake2b(data[band * _BAND_BYTES : (band + 1) * _BAND_BYTES], digest_size=8, person=person).digest(),
            "little",
        )
        >> 1
        for band, person in enumerate(_BAND_PERSONS)
    ]


def text_of(title: str, content: str) -> str:
    return f"{title}\n{content}"
