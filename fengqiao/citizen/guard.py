"""The captcha-free abuse guard of the citizen report form.

Layers, cheapest first (the web layer adds a per-address rate limit in front):

- a honeypot field, hidden from people (CSS, ``aria-hidden``, no tab stop) but filled in by form-filling bots;
- a signed form token issued with the form: it binds the form to its place code, must be at least
  ``MIN_FILL_SECONDS`` old (no person writes a report in two seconds) and at most ``MAX_AGE_SECONDS``; its random
  nonce becomes the event's source id, so a double submit of one form registers one event;
- per place and per sender limits counted in the database (so they hold across server processes);
- the same text from the same sender at the same place within ``DUPLICATE_WINDOW`` answers with the first
  report's dispute code instead of registering a new event.

Refused submissions get a clear Chinese message and the form back with what was typed; soft signals (links in
the text, a sender with many reports today) do not refuse: the report is kept and flagged for the dispatcher.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import secrets
import tempfile
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from fengqiao.core.errors import FengqiaoError, InvalidInput

MIN_FILL_SECONDS = 3
MAX_AGE_SECONDS = 2 * 3600
DUPLICATE_WINDOW = timedelta(minutes=10)
PLACE_LIMIT_PER_HOUR = 30
CLIENT_LIMIT_PER_DAY = 20
# From this many reports a day one sender's next reports are flagged (still kept).
CLIENT_FLAG_FROM = 5

HONEYPOT_FIELD = "website"
_SECRET_FILE = "citizen-form.key"
_LINK = re.compile(r"(https?://|www\.|\.com\b|\.cn\b)", re.IGNORECASE)


class Throttled(FengqiaoError):
    status_code = 429
    code = "too_many_reports"


class FormRefused(InvalidInput):
    """The form did not pass the guard; the page shows the form again, with what was typed and a fresh token."""


def load_secret(data_dir: Path) -> bytes:
    """The signing key, kept beside the uploaded files so that every server sharing the data folder accepts the
    forms the others issued; made on first use."""
    folder = data_dir / "secrets"
    path = folder / _SECRET_FILE
    if path.is_file():
        return path.read_bytes()
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=folder, delete=False) as handle:
        handle.write(secrets.token_bytes(32))
        handle.flush()
        os.fsync(handle.fileno())
    os.chmod(handle.name, 0o600)
    try:
        # link() fails if another process made the file meanwhile: then theirs is the key.
        os.link(handle.name, path)
    except FileExistsError:
        pass
    finally:
        os.unlink(handle.name)
    return path.read_bytes()


def _sign(secret: bytes, message: str) -> str:
    digest = hmac.new(secret, message.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:18]).decode()


def issue_form_token(*, secret: bytes, place_token: str, now: float) -> str:
    nonce = secrets.token_urlsafe(12)
    issued = str(int(now))
    return f"{issued}.{nonce}.{_sign(secret, f'{place_token}.{issued}.{nonce}')}"


@dataclass(frozen=True)
class FormTicket:
    nonce: str
    issued_at: int


def check_form(*, secret: bytes, place_token: str, form_token: str, honeypot: str, now: float) -> FormTicket:
    """The nonce of a genuine, human-paced form for this place, or ``FormRefused`` with a Chinese message."""
    if honeypot.strip():
        raise FormRefused("提交未通过校验，请刷新页面后重新填写", code="form_honeypot")
    parts = form_token.split(".")
    if len(parts) != 3 or not parts[0].isdigit():
        raise FormRefused("表单无效，请刷新页面后重新填写", code="form_token_invalid")
    issued, nonce, signature = parts
    if not hmac.compare_digest(signature, _sign(secret, f"{place_token}.{issued}.{nonce}")):
        raise FormRefused("表单无效，请刷新页面后重新填写", code="form_token_invalid")
    age = now - int(issued)
    if age > MAX_AGE_SECONDS:
        raise FormRefused("表单已过期，请确认内容后重新提交", code="form_expired")
    if age < MIN_FILL_SECONDS:
        raise FormRefused("提交太快了，请确认内容后再次点击提交", code="form_too_fast")
    return FormTicket(nonce=nonce, issued_at=int(issued))


def client_hash(*, secret: bytes, client: str) -> str:
    """A keyed hash of the sender's address: repeats are recognisable, the address itself is not stored."""
    return hmac.new(secret, f"client:{client}".encode(), hashlib.sha256).hexdigest()


def text_hash(text: str) -> str:
    compact = "".join(text.split()).lower()
    return hashlib.sha256(compact.encode()).hexdigest()


def soft_flags(*, content: str, client_reports_today: int) -> list[str]:
    flags = []
    if _LINK.search(content):
        flags.append("contains_link")
    if client_reports_today >= CLIENT_FLAG_FROM:
        flags.append("frequent_sender")
    return flags


FLAG_LABELS = {"contains_link": "内容含网址", "frequent_sender": "同一来源当日反映较多"}
