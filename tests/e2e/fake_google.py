"""Google routes of the fake: an OAuth token endpoint, Cloud Monitoring ``timeSeries.list`` with
the Gemini metrics (reference §1-3, payloads §8) and ``/v1beta/models`` for key checks."""

from __future__ import annotations

import base64
import json
import re
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from tests.e2e.fake_data import GEMINI_MODELS
from tests.e2e.fake_vendors import FakeRequest, Reply, Route, VendorError, parse_rfc3339, rfc3339

if TYPE_CHECKING:
    from tests.e2e.fake_vendors import FakeVendors

PREFIX = "generativelanguage.googleapis.com/"
RESOURCE = "generativelanguage.googleapis.com/Location"
PAGE_CAP = 40  # points per page the fake really sends, so that paging happens
UNLIMITED = 9223372036854775807
STATUS = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    502: "UNAVAILABLE",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}
MESSAGES = {
    429: "Quota exceeded for quota metric 'Time series queries' and limit 'Time series queries "
    "per minute' of service 'monitoring.googleapis.com'.",
    500: "Internal error encountered.",
    503: "The service is currently unavailable.",
}
# (metric kind, tier or None): the limit names each quota metric reports under, with limits.
INPUT_LIMITS = {
    "free": (
        ("GenerateContentInputTokensPerModelPerDay-FreeTier", 1_000_000),
        ("GenerateContentInputTokensPerModelPerMinute-FreeTier", 250_000),
    ),
    "paid": (
        ("GenerateContentPaidTierInputTokensPerModelPerMinute", 2_000_000),
        ("GenerateContentPaidTierInputTokensPerModelPerDay", UNLIMITED),
    ),
}
REQUEST_LIMITS = {
    "free": (
        ("GenerateRequestsPerDayPerProjectPerModel-FreeTier", 250),
        ("GenerateRequestsPerMinutePerProjectPerModel-FreeTier", 10),
    ),
    "paid": (
        ("GenerateRequestsPerMinutePerProjectPerModel", 1000),
        ("GenerateRequestsPerDayPerProjectPerModel", 10_000),
    ),
}
QUOTA_METRICS = {
    # metric type (without the prefix and /usage|/limit): (what, tier)
    "quota/generate_content_free_tier_input_token_count": ("input", "free"),
    "quota/generate_content_paid_tier_input_token_count": ("input", "paid"),
    "quota/generate_content_paid_tier_2_input_token_count": ("input", "paid_tier_2"),
    "quota/generate_content_paid_tier_3_input_token_count": ("input", "paid_tier_3"),
    "quota/generate_content_free_tier_requests": ("requests", "free"),
    "quota/generate_requests_per_model": ("requests", "paid"),
    "quota/generate_content_paid_tier_2_requests": ("requests", "paid_tier_2"),
    "quota/generate_content_paid_tier_3_requests": ("requests", "paid_tier_3"),
}
OUTPUT_METRIC = "generate_content_usage_output_token_count"
MISSING_METRIC = "generate_content_usage_input_token_count"  # reported not to exist (§2.1)


def error_body(status: int, message: str) -> dict[str, Any]:
    return {
        "error": {
            "code": status,
            "message": message or MESSAGES.get(status, "Error"),
            "status": STATUS.get(status, "UNKNOWN"),
        }
    }


def fail(status: int, message: str, **extra: Any) -> VendorError:
    body = error_body(status, message)
    body["error"].update(extra)
    return VendorError(status, body)


# --- OAuth token endpoint ----------------------------------------------------------------------


def _b64(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def _oauth_error(error: str, description: str) -> VendorError:
    return VendorError(400, {"error": error, "error_description": description})


def _verify_jwt(fake: FakeVendors, assertion: str) -> None:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    try:
        head, payload, signature = assertion.split(".")
        header, claims = json.loads(_b64(head)), json.loads(_b64(payload))
        fake.google_key().public_key().verify(
            _b64(signature), f"{head}.{payload}".encode(), padding.PKCS1v15(), hashes.SHA256()
        )
    except (ValueError, InvalidSignature):
        raise _oauth_error("invalid_grant", "Invalid JWT Signature.") from None
    now = time.time()
    if header.get("alg") != "RS256":
        raise _oauth_error("invalid_grant", "Invalid JWT: unsupported algorithm.")
    if claims.get("iss") != f"aiusage-e2e@{fake.google_project}.iam.gserviceaccount.com":
        raise _oauth_error("invalid_grant", "Invalid JWT: unknown issuer.")
    # google-auth always signs for Google's own token URI, whatever the file's token_uri says.
    if claims.get("aud") not in (f"{fake.url}/token", "https://oauth2.googleapis.com/token"):
        raise _oauth_error(
            "invalid_grant",
            "Invalid JWT: Token must be a short-lived token "
            "(60 minutes) and in a reasonable timeframe.",
        )
    if not claims.get("exp", 0) > now >= claims.get("iat", now + 1) - 300:
        raise _oauth_error(
            "invalid_grant",
            "Invalid JWT: Token must be a short-lived token "
            "(60 minutes) and in a reasonable timeframe.",
        )
    scopes = str(claims.get("scope", "")).split()
    if not any(s.endswith(("/monitoring.read", "/monitoring", "/cloud-platform")) for s in scopes):
        raise _oauth_error("invalid_scope", "The scope does not allow reading Cloud Monitoring.")


def token(fake: FakeVendors, request: FakeRequest) -> Reply:
    form = dict(parse_qsl(request.body.decode(errors="replace")))
    grant = form.get("grant_type")
    if grant == "urn:ietf:params:oauth:grant-type:jwt-bearer":
        _verify_jwt(fake, form.get("assertion", ""))
    elif grant == "refresh_token":
        if form.get("refresh_token") != fake.google_refresh_token:
            raise _oauth_error("invalid_grant", "Token has been expired or revoked.")
    else:
        raise _oauth_error("unsupported_grant_type", f"Invalid grant_type: {grant}")
    return Reply(
        200, {"access_token": fake.issue_google_token(), "expires_in": 3599, "token_type": "Bearer"}
    )


# --- Cloud Monitoring ----------------------------------------------------------------------------


@dataclass
class Series:
    metric: str
    labels: dict[str, str]
    kind: str  # DELTA or GAUGE
    points: list[tuple[datetime, datetime, int]]  # start, end, value


def _series(fake: FakeVendors, metric: str, start: datetime, end: datetime) -> list[Series]:
    name = metric.removeprefix(PREFIX)
    base, _, suffix = name.rpartition("/")
    out: list[Series] = []
    if name == OUTPUT_METRIC:
        for model in GEMINI_MODELS:
            points = [
                (g.hour + timedelta(minutes=30), g.hour + timedelta(minutes=31), g.output_tokens)
                for g in fake.data.gemini
                if g.model == model
            ]
            out.append(Series(metric, {"model": model}, "DELTA", points))
    elif base in QUOTA_METRICS and suffix in ("usage", "limit"):
        what, tier = QUOTA_METRICS[base]
        limits = (INPUT_LIMITS if what == "input" else REQUEST_LIMITS).get(tier, ())
        for model, model_tier in GEMINI_MODELS.items():
            if model_tier != tier:
                continue
            for limit_name, ceiling in limits:
                labels = {"model": model, "limit_name": limit_name}
                if suffix == "limit":
                    out.append(Series(metric, labels, "GAUGE", [(end, end, ceiling)]))
                    continue
                # One series per limit name, each with the same values (reference §2.1 pitfall 2).
                points = [
                    (
                        g.hour + timedelta(minutes=30),
                        g.hour + timedelta(minutes=31),
                        g.input_tokens if what == "input" else g.requests,
                    )
                    for g in fake.data.gemini
                    if g.model == model
                ]
                out.append(Series(metric, labels, "DELTA", points))
    for s in out:
        s.points = [p for p in s.points if start <= p[0] and p[1] <= end]
    return [s for s in out if s.points]


def _label_filters(text: str) -> dict[str, str]:
    return dict(re.findall(r'metric\.labels?\.(\w+)\s*=\s*"([^"]*)"', text))


def _seconds(raw: str | None) -> int | None:
    if raw is None:
        return None
    match = re.fullmatch(r"(\d+)s", raw)
    if not match or int(match.group(1)) < 60:
        raise fail(400, 'The alignment period must be at least 60s, e.g. "3600s".')
    return int(match.group(1))


def _align(series: Series, aligner: str, period: int) -> Series:
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    buckets: dict[datetime, int] = defaultdict(int)
    for lo, _, value in series.points:
        bucket = epoch + timedelta(seconds=((lo - epoch).total_seconds() // period) * period)
        if aligner in ("ALIGN_SUM", "ALIGN_DELTA"):
            buckets[bucket] += value
        else:
            buckets[bucket] = max(buckets[bucket], value)
    points = [(b, b + timedelta(seconds=period), v) for b, v in buckets.items()]
    return Series(series.metric, series.labels, series.kind, points)


def _reduce(series: list[Series], fields: list[str]) -> list[Series]:
    keep = {re.sub(r"^metric\.labels?\.", "", f) for f in fields if f.startswith("metric.label")}
    merged: dict[tuple[Any, ...], Series] = {}
    for s in series:
        labels = {k: v for k, v in s.labels.items() if k in keep}
        key = tuple(sorted(labels.items()))
        target = merged.setdefault(key, Series(s.metric, labels, s.kind, []))
        sums = {(lo, hi): v for lo, hi, v in target.points}
        for lo, hi, v in s.points:
            sums[(lo, hi)] = sums.get((lo, hi), 0) + v
        target.points = [(lo, hi, v) for (lo, hi), v in sums.items()]
    return list(merged.values())


def _authorize(fake: FakeVendors, request: FakeRequest) -> None:
    if request.headers.get("x-goog-api-key") or request.param("key"):
        raise fail(
            401,
            "API keys are not supported by this API. Expected OAuth2 access token or other "
            "authentication credentials that assert a principal. See "
            "https://cloud.google.com/docs/authentication",
            details=[
                {
                    "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                    "reason": "CREDENTIALS_MISSING",
                    "domain": "googleapis.com",
                    "metadata": {
                        "service": "monitoring.googleapis.com",
                        "method": "google.monitoring.v3.MetricService.ListTimeSeries",
                    },
                }
            ],
        )
    header = request.headers.get("authorization", "")
    if not header.lower().startswith("bearer ") or header[7:] not in fake.google_tokens:
        raise fail(
            401,
            "Request had invalid authentication credentials. Expected OAuth 2 access "
            "token, login cookie or other valid authentication credential. See "
            "https://developers.google.com/identity/sign-in/web/devconsole-project.",
        )


def time_series(fake: FakeVendors, request: FakeRequest) -> Reply:
    _authorize(fake, request)
    project = request.path.split("/")[3]
    if project != fake.google_project:
        raise fail(
            403, "Permission monitoring.timeSeries.list denied (or the resource may not exist)."
        )
    text = request.param("filter") or ""
    metric = re.search(r'metric\.type\s*=\s*"([^"]+)"', text)
    if metric is None:
        raise fail(
            400, "Field filter had an invalid value: it must select exactly one metric.type."
        )
    end = parse_rfc3339(request.param("interval.endTime"))
    start = parse_rfc3339(request.param("interval.startTime")) or end
    if end is None or start is None or start > end:
        raise fail(
            400, "Field interval.endTime had an invalid value: an RFC 3339 time is required."
        )
    if metric.group(1) == PREFIX + MISSING_METRIC:
        raise fail(404, f'Cannot find metric(s) that match type = "{metric.group(1)}".')
    resource = re.search(r'resource\.type\s*=\s*"([^"]+)"', text)
    series = (
        []
        if resource and resource.group(1) != RESOURCE
        else _series(fake, metric.group(1), start, end)
    )
    for name, value in _label_filters(text).items():
        series = [s for s in series if s.labels.get(name) == value]
    aligner = request.param("aggregation.perSeriesAligner", "ALIGN_NONE") or "ALIGN_NONE"
    reducer = request.param("aggregation.crossSeriesReducer", "REDUCE_NONE") or "REDUCE_NONE"
    period = _seconds(request.param("aggregation.alignmentPeriod"))
    if aligner not in ("ALIGN_NONE", "ALIGN_SUM", "ALIGN_DELTA", "ALIGN_MAX", "ALIGN_NEXT_OLDER"):
        raise fail(400, f'Field aggregation.perSeriesAligner had an invalid value of "{aligner}".')
    if reducer not in ("REDUCE_NONE", "REDUCE_SUM", "REDUCE_MAX"):
        raise fail(
            400, f'Field aggregation.crossSeriesReducer had an invalid value of "{reducer}".'
        )
    if aligner != "ALIGN_NONE":
        if period is None:
            raise fail(400, "The alignment period must be set when an aligner is given.")
        series = [_align(s, aligner, period) for s in series]
    if reducer != "REDUCE_NONE":
        if aligner == "ALIGN_NONE":
            raise fail(
                400, "A cross-series reducer needs a per-series aligner other than ALIGN_NONE."
            )
        series = _reduce(series, request.values("aggregation.groupByFields"))
    for s in series:
        s.points.sort(key=lambda p: p[0], reverse=True)  # newest first
    return Reply(200, _paged(fake, request, series, request.param("view", "FULL") == "HEADERS"))


def _paged(
    fake: FakeVendors, request: FakeRequest, series: list[Series], headers: bool
) -> dict[str, Any]:
    try:
        size = min(int(request.param("pageSize") or 100_000), 100_000, PAGE_CAP)
    except ValueError:
        raise fail(400, "Field pageSize had an invalid value.") from None
    flat: list[tuple[int, tuple[datetime, datetime, int] | None]] = (
        [(i, None) for i in range(len(series))]
        if headers
        else [(i, p) for i, s in enumerate(series) for p in s.points]
    )
    offset = fake.offset(request, request.param("pageToken"), "", "pageToken")
    if offset < 0 or offset > len(flat):
        raise fail(400, "Field pageToken had an invalid value.")
    chunk = flat[offset : offset + max(size, 1)]
    body: dict[str, Any] = {}
    out: list[dict[str, Any]] = []
    for index, point in chunk:
        s = series[index]
        if not out or out[-1]["_index"] != index:
            out.append(
                {
                    "_index": index,
                    "metric": {"type": s.metric, "labels": s.labels},
                    "resource": {
                        "type": RESOURCE,
                        "labels": {"resource_container": fake.google_project, "location": "global"},
                    },
                    "metricKind": s.kind,
                    "valueType": "INT64",
                }
            )
            if not headers:
                out[-1]["points"] = []
        if point is not None:
            lo, hi, value = point
            out[-1]["points"].append(
                {
                    "interval": {"startTime": rfc3339(lo), "endTime": rfc3339(hi)},
                    "value": {"int64Value": str(value)},
                }
            )
    for item in out:
        del item["_index"]
    if out:
        body["timeSeries"] = out
        body["unit"] = "1"
    if offset + len(chunk) < len(flat):
        body["nextPageToken"] = fake.cursor(request, offset + len(chunk), "", "pageToken")
    return body


def models(fake: FakeVendors, request: FakeRequest) -> Reply:
    key = request.headers.get("x-goog-api-key") or request.param("key")
    if not key:
        raise fail(
            403,
            "Method doesn't allow unregistered callers (callers without established "
            "identity). Please use API Key or other form of API consumer identity to call "
            "this API.",
        )
    if key != fake.keys["gemini"]:
        raise fail(
            400,
            "API key not valid. Please pass a valid API key.",
            details=[
                {
                    "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                    "reason": "API_KEY_INVALID",
                    "domain": "googleapis.com",
                    "metadata": {"service": "generativelanguage.googleapis.com"},
                }
            ],
        )
    return Reply(
        200,
        {
            "models": [
                {
                    "name": f"models/{m}",
                    "displayName": m.replace("-", " ").title(),
                    "supportedGenerationMethods": ["generateContent", "countTokens"],
                }
                for m in GEMINI_MODELS
            ]
        },
    )


WRONG_SHAPE = {"timeSeries": [{"metric": "output", "points": "many"}], "nextPageToken": 7}

ROUTES = [
    Route("google.token", "POST", re.compile(r"/token"), token, error_body, {"access_token": 5}),
    Route(
        "google.timeseries",
        "GET",
        re.compile(r"/v3/projects/[^/]+/timeSeries"),
        time_series,
        error_body,
        WRONG_SHAPE,
    ),
    Route(
        "gemini.models",
        "GET",
        re.compile(r"/v1beta/models"),
        models,
        error_body,
        {"models": "none"},
    ),
]
