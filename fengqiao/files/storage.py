"""File storage. ``FileStorage`` is the interface; ``LocalFileStorage`` keeps files under the data directory,
content-addressed by SHA-256 so the same photo uploaded twice is stored once."""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from fengqiao.core.errors import InvalidInput, NotFound

MAX_FILE_BYTES = 20 * 1024 * 1024

# What may be attached, recognised by the file's first bytes rather than by its name or the client's claim.
_SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"GIF87a", "image/gif", "gif"),
    (b"GIF89a", "image/gif", "gif"),
    (b"%PDF-", "application/pdf", "pdf"),
    (b"PK\x03\x04", "application/zip", "zip"),  # .docx/.xlsx are zip containers
    (b"ID3", "audio/mpeg", "mp3"),
)


@dataclass(frozen=True)
class StoredFile:
    key: str
    sha256: str
    size: int
    content_type: str


def sniff(data: bytes, filename: str) -> str:
    """The content type of an allowed file, or a clear error."""
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data[4:8] == b"ftyp":
        return "video/mp4"
    for magic, content_type, _ in _SIGNATURES:
        if data.startswith(magic):
            if content_type == "application/zip":
                lowered = filename.lower()
                if lowered.endswith(".docx"):
                    return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
                if lowered.endswith(".xlsx"):
                    return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                break
            return content_type
    raise InvalidInput("不支持的文件类型：仅限图片、PDF、Word、Excel、MP3、MP4", code="unsupported_file_type")


class FileStorage(Protocol):
    def put(self, data: bytes, *, filename: str) -> StoredFile: ...

    def get(self, key: str) -> bytes: ...


class LocalFileStorage:
    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        # Keys are ours ("ab/cd/<sha256>"); anything else is refused rather than resolved against the disk.
        parts = key.split("/")
        if len(parts) != 3 or not all(p.isalnum() for p in parts):
            raise NotFound("文件不存在", code="file_not_found")
        return self.root / key

    def put(self, data: bytes, *, filename: str) -> StoredFile:
        if not data:
            raise InvalidInput("文件为空", code="empty_file")
        if len(data) > MAX_FILE_BYTES:
            raise InvalidInput(f"文件超过{MAX_FILE_BYTES // 1024 // 1024}MB上限", code="file_too_large")
        content_type = sniff(data, filename)
        digest = hashlib.sha256(data).hexdigest()
        key = f"{digest[:2]}/{digest[2:4]}/{digest}"
        path = self.root / key
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            # Write to a temporary file and rename, so a crash never leaves half a file under the final name.
            with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            Path(handle.name).replace(path)
        return StoredFile(key=key, sha256=digest, size=len(data), content_type=content_type)

    def get(self, key: str) -> bytes:
        path = self._path(key)
        if not path.is_file():
            raise NotFound("文件不存在", code="file_not_found")
        return path.read_bytes()
