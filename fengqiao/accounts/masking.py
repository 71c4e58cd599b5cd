"""Masking of personal data in what is shown to viewers who may not see it whole."""

from __future__ import annotations


def mask_phone(phone: str | None) -> str | None:
    if not phone:
        return phone
    if len(phone) >= 11:
        return f"{phone[:3]}****{phone[-4:]}"
    return f"{phone[:2]}***{phone[-2:]}" if len(phone) > 4 else "****"


def mask_id_number(number: str | None) -> str | None:
    if not number:
        return number
    return f"{number[:6]}********{number[-4:]}" if len(number) == 18 else "*" * len(number)


def mask_name(name: str | None) -> str | None:
    """张三 → 张*, 欧阳娜娜 → 欧***: the surname stays so a caller can still be addressed."""
    if not name:
        return name
    return name[0] + "*" * (len(name) - 1) if len(name) > 1 else "*"


SENSITIVE_PLACEHOLDER = "【涉敏事项，内容已隐藏】"
