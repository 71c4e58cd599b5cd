"""Near-duplicate texts for 类案串联: character shingles, MinHash signatures (datasketch) and LSH bands.

Chinese has no spaces, so the shingles are overlapping character trigrams of the text with punctuation, digits and
spaces removed (amounts and dates differ between reports of one matter; the words around them do not). Signatures of
NUM_PERM values are cut into BANDS bands of ROWS rows: two texts share some band with probability
1 − (1 − s^ROWS)^BANDS for Jaccard similarity s — about 0.5 at s = 0.56 and 0.97 at s = 0.8. Signatures are stored
packed (the low 16 bits of each value) and compared a block at a time in memory (``candidates``): a text is a
candidate when it shares a band or when the share of equal values — an estimate of the Jaccard similarity — reaches
CANDIDATE_ESTIMATE, which finds nearly all texts of similarity ≥ SIMILAR that the bands alone miss. Candidates are
then checked by their exact Jaccard similarity, so this step only has to find them.
"""

from __future__ import annotations

import re
import unicodedata
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
    """Without punctuation, digits and spaces, NFKC, lower case. The noise goes first: most of what NFKC would change
    in a Chinese text is its full-width punctuation, and the rest is then usually normalised already."""
    body = _NOISE.sub("", text)
    if not unicodedata.is_normalized("NFKC", body):
        body = _NOISE.sub("", unicodedata.normalize("NFKC", body))
    return body.lower()


def shingles(text: str, *, normalised: bool = False) -> set[str]:
    body = text if normalised else normalise(text)
    if len(body) <= SHINGLE:
        return {body} if body else set()
    return {body[i : i + SHINGLE] for i in range(len(body) - SHINGLE + 1)}


def jaccard(a: set[str], b: set[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


# MurmurHash3's 32-bit finaliser: datasketch's "affine32" scheme mixes every input hash with it before permuting.
_FMIX32 = (16, 0x85EBCA6B, 13, 0xC2B2AE35, 16)
# A shingle's hash: its characters' code points folded as h·P + c (mod 2³²) — computed for all the trigrams of
# thousands of texts at once in numpy; the finaliser then spreads it.
_P = 0x01000193
# Texts per vectorised step: the (shingles × NUM_PERM) matrix then stays in the processor's cache (a few hundred KiB),
# which makes the step several times faster than with thousands of texts at once.
_CHUNK_TEXTS = 128
_permutations: tuple[np.ndarray, np.ndarray] | None = None


def shingle_hash(gram: bytes) -> int:
    """The hash of one shingle (UTF-8), as ``signatures_of`` computes it for all at once: datasketch's MinHash with
    this ``hashfunc`` gives the same signatures."""
    h = 0
    for ch in gram.decode("utf-8"):
        h = (h * _P + ord(ch)) & 0xFFFFFFFF
    return h


def _affine_permutations() -> tuple[np.ndarray, np.ndarray]:
    """datasketch's affine32 permutations for (NUM_PERM, SEED), drawn as datasketch draws them (importing datasketch
    would pull in scipy.integrate, seconds that processes comparing texts need not pay)."""
    global _permutations
    if _permutations is None:
        import numpy as np

        generator = np.random.RandomState(SEED)
        a = generator.randint(0, 1 << 31, NUM_PERM, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
        b = generator.randint(0, 1 << 32, NUM_PERM, dtype=np.uint32)
        _permutations = (a, b)
    return _permutations


def long_enough(body: str) -> bool:
    """Whether a normalised text has enough shingle positions to be compared."""
    return len(body) - SHINGLE + 1 >= MIN_SHINGLES


def signatures(texts: Sequence[str]) -> np.ndarray:
    """MinHash signature of each text, one row each."""
    return signatures_of([normalise(text) for text in texts])


def signatures_of(bodies: Sequence[str]) -> np.ndarray:
    """MinHash signatures of normalised texts (``normalise``), one row each: what ``datasketch.MinHash.bulk`` gives
    for their shingles with ``shingle_hash`` and the affine32 scheme, but with no Python work per shingle — the
    trigrams of thousands of texts are hashed, mixed, permuted and reduced in a few numpy operations."""
    import numpy as np

    a, b = _affine_permutations()
    s1, m1, s2, m2, s3 = _FMIX32
    p = np.uint32(_P)
    out = np.full((len(bodies), NUM_PERM), np.iinfo(np.uint32).max, dtype=np.uint32)
    for start in range(0, len(bodies), _CHUNK_TEXTS):
        chunk = bodies[start : start + _CHUNK_TEXTS]
        long_rows = [i for i, body in enumerate(chunk) if len(body) >= SHINGLE]
        parts: list[np.ndarray] = []
        rows: list[int] = []
        counts: list[int] = []
        if long_rows:
            joined = "".join(chunk[i] for i in long_rows)
            codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
            lengths = np.array([len(chunk[i]) for i in long_rows], dtype=np.int64)
            ends = np.cumsum(lengths)
            grams = codes[:-2] * p * p + codes[1:-1] * p + codes[2:]
            # Trigram positions that do not run into the next text.
            valid = np.ones(len(grams), dtype=bool)
            valid[ends[:-1] - 2] = False
            valid[ends[:-1] - 1] = False
            parts.append(grams[valid])
            rows.extend(long_rows)
            counts.extend((lengths - SHINGLE + 1).tolist())
        for i, body in enumerate(chunk):
            if 0 < len(body) < SHINGLE:
                parts.append(np.array([shingle_hash(body.encode())], dtype=np.uint32))
                rows.append(i)
                counts.append(1)
        if not parts:
            continue
        hv = np.concatenate(parts)
        hv ^= hv >> np.uint32(s1)
        hv *= np.uint32(m1)
        hv ^= hv >> np.uint32(s2)
        hv *= np.uint32(m2)
        hv ^= hv >> np.uint32(s3)
        permuted = hv[:, None] * a[None, :] + b[None, :]
        starts = np.concatenate(([0], np.cumsum(counts)[:-1])).astype(np.int64)
        out[start + np.array(rows, dtype=np.int64)] = np.minimum.reduceat(permuted, starts, axis=0)
    return out


# A text sharing no band is still a candidate when this share of its signature's values equals the other's: at
# similarity 0.5 the estimate falls below it about one time in a hundred.
CANDIDATE_ESTIMATE = 0.3
PACKED_BYTES = NUM_PERM * 2


def pack(signatures: np.ndarray) -> list[bytes]:
    """Each row's values cut to their low 16 bits (b-bit MinHash): two different values agree there once in 65,536,
    which moves the estimate by nothing that matters, and a signature takes 64 bytes."""
    import numpy as np

    data = (signatures & np.uint32(0xFFFF)).astype("<u2").tobytes()
    return [data[i : i + PACKED_BYTES] for i in range(0, len(data), PACKED_BYTES)]


def unpack(blobs: Sequence[bytes]) -> np.ndarray:
    """Packed signatures → one (n, NUM_PERM) array."""
    import numpy as np

    return np.frombuffer(b"".join(blobs), dtype="<u2").reshape(-1, NUM_PERM)


def candidates(own: bytes, block: np.ndarray, *, limit: int) -> list[int]:
    """Rows of ``block`` (packed signatures, see ``unpack``) worth checking against ``own``: those sharing a band or
    with an estimated similarity ≥ CANDIDATE_ESTIMATE, the most alike first, at most ``limit``."""
    import numpy as np

    if not len(block):
        return []
    mine = np.frombuffer(own, dtype="<u2")
    equal = block == mine
    estimate = equal.sum(axis=1)
    banded = equal.reshape(len(block), BANDS, ROWS).all(axis=2).any(axis=1)
    chosen = np.flatnonzero(banded | (estimate >= CANDIDATE_ESTIMATE * NUM_PERM))
    if len(chosen) > limit:
        order = np.argsort(-estimate[chosen], kind="stable")[:limit]
        chosen = chosen[order]
    else:
        chosen = chosen[np.argsort(-estimate[chosen], kind="stable")]
    return [int(i) for i in chosen]


def text_of(title: str, content: str) -> str:
    return f"{title}\n{content}"
