"""Turning a vendor's JSON into typed models, with one error for every shape we cannot read."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from aiusage.errors import BadResponseError

M = TypeVar("M", bound=BaseModel)


def parse(model: type[M], data: Any, vendor: str, what: str) -> M:
    """Validate ``data`` as ``model``.

    Raises:
        BadResponseError: the body does not have the documented shape. The message names the
            first field that is off, never a value.
    """
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors(include_input=False, include_url=False)[0]
        where = ".".join(str(part) for part in first["loc"]) or "the body"
        raise BadResponseError(
            f"{vendor} sent {what} of an unexpected shape (at {where}: {first['msg']})"
        ) from None
