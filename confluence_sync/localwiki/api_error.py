"""The one exception handlers raise to answer with Confluence's error envelope."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any


class ApiError(Exception):
    """A refusal that Confluence would send as ``{"statusCode", "data", "message", "reason"}``."""

    def __init__(self, status: int, message: str, *, errors: list[Any] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.errors = errors or []

    def envelope(self) -> dict[str, Any]:
        return {
            "statusCode": self.status,
            "data": {
                "authorized": self.status not in (401, 403),
                "valid": self.status != 400,
                "allowedInReadOnlyMode": True,
                "errors": self.errors,
                "successful": False,
            },
            "message": self.message,
            "reason": HTTPStatus(self.status).phrase,
        }


def not_found_content(content_id: str) -> ApiError:
    return ApiError(404, f"No content found with id: ContentId{{id={content_id}}}")


def bad_request(message: str) -> ApiError:
    return ApiError(400, message)
