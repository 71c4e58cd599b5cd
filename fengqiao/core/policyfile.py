"""Policies are data: a TOML file read into a pydantic model, with errors that name the file and the fields."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

Model = TypeVar("Model", bound=BaseModel)


class PolicyFileError(Exception):
    """A policy file that cannot be read or does not fit its schema."""


def describe(path: Path, exc: ValidationError) -> str:
    problems = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or '(root)'}: {e['msg']}" for e in exc.errors())
    return f"{path}: {problems}"


def load_toml(path: Path, model: type[Model], error: type[Exception] = PolicyFileError) -> Model:
    try:
        return model.model_validate(tomllib.loads(path.read_text(encoding="utf-8")))
    except tomllib.TOMLDecodeError as exc:
        raise error(f"{path}: {exc}") from exc
    except ValidationError as exc:
        raise error(describe(path, exc)) from exc
