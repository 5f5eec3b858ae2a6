"""The fallback from the analytics API to the legacy reports is decided on kind and status."""

from __future__ import annotations

import pytest

from aiusage.errors import BadResponseError, SourceFailure
from aiusage.http_client import error_for_status
from aiusage.sources.api.claude.routing import falls_back


def answer(status: int, message: str) -> SourceFailure:
    body = {"type": "error", "error": {"type": "invalid_request_error", "message": message}}
    failure = error_for_status("Anthropic", status, body)
    assert failure is not None
    return failure


@pytest.mark.parametrize(
    ("failure", "expected"),
    [
        (answer(400, "Analytics is not available for HIPAA-ready orgs"), True),
        (answer(400, "Unknown beta: analytics-usage-cost-2026-08-24"), True),
        (answer(403, "This key cannot read analytics"), True),
        (answer(404, "Not found"), True),
        (answer(400, "group_by[] has an unknown value"), False),
        (answer(422, "beta not enabled"), False),
        (answer(500, "beta service error"), False),
        (answer(401, "invalid x-api-key"), False),
    ],
)
def test_vendor_answers_that_mean_not_for_this_organization_fall_back(
    failure: SourceFailure, expected: bool
) -> None:
    assert falls_back(failure) is expected


def test_our_own_words_never_trigger_the_fallback() -> None:
    # A body we could not parse, whose message happens to read like a refused beta.
    parse_failure = BadResponseError(
        "Anthropic sent an unexpected body (HTTP 400) for model claude-beta; try again later"
    )
    assert parse_failure.status is None
    assert not falls_back(parse_failure)


def test_an_error_carries_the_status_and_the_vendors_words() -> None:
    failure = answer(400, "Analytics is not available for HIPAA-ready orgs")
    assert type(failure) is BadResponseError
    assert failure.status == 400
    assert failure.detail == "Analytics is not available for HIPAA-ready orgs"
