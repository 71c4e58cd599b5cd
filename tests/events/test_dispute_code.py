from __future__ import annotations

from fengqiao.events.dispute_code import ALPHABET, display, new_dispute_code, normalise


def test_codes_are_unique_unguessable_and_self_checking() -> None:
    codes = {new_dispute_code() for _ in range(5000)}
    assert len(codes) == 5000
    for code in list(codes)[:200]:
        assert normalise(code) == code
        assert normalise(display(code).lower()) == code
        assert normalise(" ".join(display(code))) == code


def test_a_mistyped_character_is_caught() -> None:
    code = new_dispute_code()
    position = 5
    wrong = ALPHABET[(ALPHABET.index(code[position]) + 1) % len(ALPHABET)]
    assert normalise(code[:position] + wrong + code[position + 1 :]) is None


def test_confusable_letters_are_read_as_digits() -> None:
    code = "WL" + "0" * 8
    from fengqiao.events.dispute_code import _check_char

    full = code + _check_char(code[2:])
    assert normalise(full.replace("0", "O")) == full


def test_garbage_is_not_a_code() -> None:
    for typed in ("", "WL", "WL-1234", "XX123456789", "WL12345678!"):
        assert normalise(typed) is None
