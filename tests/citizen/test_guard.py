"""The form guard: a honeypot, a signed token bound to its place with a minimum fill time and an expiry."""

from __future__ import annotations

from pathlib import Path

import pytest

from fengqiao.citizen import guard

SECRET = b"k" * 32
NOW = 1_800_000_000.0


def _check(form_token: str, *, now: float, place: str = "place-a", honeypot: str = "") -> guard.FormTicket:
    return guard.check_form(secret=SECRET, place_token=place, form_token=form_token, honeypot=honeypot, now=now)


def test_a_human_paced_form_passes_and_yields_its_nonce() -> None:
    token = guard.issue_form_token(secret=SECRET, place_token="place-a", now=NOW)
    ticket = _check(token, now=NOW + 20)
    assert ticket.issued_at == int(NOW)
    assert ticket.nonce
    assert ticket.nonce in token
    assert guard.issue_form_token(secret=SECRET, place_token="place-a", now=NOW) != token


@pytest.mark.parametrize(
    ("later", "place", "honeypot", "code"),
    [
        (20, "place-a", "http://spam", "form_honeypot"),
        (1, "place-a", "", "form_too_fast"),
        (guard.MAX_AGE_SECONDS + 1, "place-a", "", "form_expired"),
        (20, "place-b", "", "form_token_invalid"),
    ],
)
def test_refusals_say_why_in_chinese(later: float, place: str, honeypot: str, code: str) -> None:
    token = guard.issue_form_token(secret=SECRET, place_token="place-a", now=NOW)
    with pytest.raises(guard.FormRefused) as caught:
        _check(token, now=NOW + later, place=place, honeypot=honeypot)
    assert caught.value.code == code
    assert any("\u4e00" <= ch <= "\u9fff" for ch in caught.value.message)


@pytest.mark.parametrize("forged", ["", "abc", "1.2.3", "1800000000.nonce.AAAAAAAAAAAAAAAAAAAAAAAA"])
def test_forged_tokens_are_refused(forged: str) -> None:
    with pytest.raises(guard.FormRefused) as caught:
        _check(forged, now=NOW + 20)
    assert caught.value.code == "form_token_invalid"


def test_a_token_from_another_key_is_refused() -> None:
    token = guard.issue_form_token(secret=b"other" * 8, place_token="place-a", now=NOW)
    with pytest.raises(guard.FormRefused):
        _check(token, now=NOW + 20)


def test_the_secret_is_made_once_and_kept(tmp_path: Path) -> None:
    first = guard.load_secret(tmp_path)
    assert len(first) == 32
    assert guard.load_secret(tmp_path) == first
    assert (tmp_path / "secrets" / "citizen-form.key").stat().st_mode & 0o077 == 0


def test_sender_hash_hides_the_address_and_text_hash_ignores_spacing() -> None:
    hashed = guard.client_hash(secret=SECRET, client="10.1.2.3")
    assert "10.1.2.3" not in hashed
    assert hashed == guard.client_hash(secret=SECRET, client="10.1.2.3")
    assert guard.text_hash("楼下 垃圾\n堆放") == guard.text_hash("楼下垃圾堆放")
