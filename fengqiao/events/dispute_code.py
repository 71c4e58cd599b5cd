"""The dispute code (解纷码, B5): one code follows a dispute from intake to closure.

Short enough to read over the phone, unguessable (40 random bits, not a sequence) and self-checking: ``WL`` +
8 Crockford base-32 characters + 1 check character, shown as ``WL-XXXX-XXXX-C``. Letters that are easy to confuse
(I, L, O, U) never appear; when typed they are read as 1, 1, 0 and V.
"""

from __future__ import annotations

import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
PREFIX = "WL"
_BODY_LENGTH = 8
_CONFUSABLES = str.maketrans({"I": "1", "L": "1", "O": "0", "U": "V"})


def _check_char(body: str) -> str:
    total = sum((i + 1) * ALPHABET.index(ch) for i, ch in enumerate(body))
    return ALPHABET[total % len(ALPHABET)]


def new_dispute_code() -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(_BODY_LENGTH))
    return f"{PREFIX}{body}{_check_char(body)}"


def normalise(typed: str) -> str | None:
    """The stored form of a code typed by a person (any case, dashes, spaces, confusable letters), or None when it
    cannot be a dispute code (wrong length, wrong prefix or a failed check character)."""
    compact = "".join(typed.split()).replace("-", "").upper()
    if not compact.startswith(PREFIX):
        return None
    body = compact[len(PREFIX) :].translate(_CONFUSABLES)
    if len(body) != _BODY_LENGTH + 1 or any(ch not in ALPHABET for ch in body):
        return None
    if _check_char(body[:-1]) != body[-1]:
        return None
    return PREFIX + body


def display(code: str) -> str:
    body = code[len(PREFIX) :]
    return f"{PREFIX}-{body[:4]}-{body[4:8]}-{body[8:]}"


def qr_svg(url: str, *, scale: int = 4) -> bytes:
    """A QR code (segno) that opens ``url`` — the progress page for this code — as SVG for printing on receipts."""
    import io

    import segno

    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="svg", scale=scale, border=2)
    return buffer.getvalue()
