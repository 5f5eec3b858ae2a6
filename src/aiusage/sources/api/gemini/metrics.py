"""Cloud Monitoring ``timeSeries.list`` for the Gemini metrics: which ones, how asked, parsed.

Input tokens and requests live only in the Gemini API's quota metrics (one metric per tier);
output tokens have a metric of their own; Vertex AI has ``token_count`` per publisher model.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

import httpx
from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from aiusage.errors import AuthError, ForbiddenError, NotFoundError
from aiusage.http_client import QueryParams, request_json
from aiusage.models import Period, format_utc
from aiusage.sources.api.gemini.credentials import CREDENTIAL, VIEWER_ROLE
from aiusage.sources.api.gemini.readiness import VENDOR
from aiusage.sources.api.paging import follow_pages
from aiusage.sources.api.parsing import parse

GEMINI_API = "Gemini API"
VERTEX = "Vertex AI"
_GL = "generativelanguage.googleapis.com"
GL_RESOURCE = f"{_GL}/Location"
VERTEX_RESOURCE = "aiplatform.googleapis.com/PublisherModel"
OUTPUT_TOKENS = f"{_GL}/generate_content_usage_output_token_count"
VERTEX_TOKENS = "aiplatform.googleapis.com/publisher/online_serving/token_count"
VERTEX_REQUESTS = "aiplatform.googleapis.com/publisher/online_serving/model_invocation_count"
ALIGNMENT = {"1d": 86400, "1h": 3600, "1m": 60}
Counts = Literal["requests", "input"]


@dataclass(frozen=True)
class QuotaMetric:
    """A per-model quota usage metric of the Gemini API (one per tier and what it counts)."""

    name: str
    tier: str
    counts: Counts

    @property
    def usage(self) -> str:
        return f"{_GL}/quota/{self.name}/usage"

    @property
    def limit(self) -> str:
        return f"{_GL}/quota/{self.name}/limit"


QUOTA_METRICS = (
    QuotaMetric("generate_content_free_tier_requests", "free tier", "requests"),
    QuotaMetric("generate_requests_per_model", "tier 1", "requests"),
    QuotaMetric("generate_content_paid_tier_2_requests", "tier 2", "requests"),
    QuotaMetric("generate_content_paid_tier_3_requests", "tier 3", "requests"),
    QuotaMetric("generate_content_free_tier_input_token_count", "free tier", "input"),
    QuotaMetric("generate_content_paid_tier_input_token_count", "tier 1", "input"),
    QuotaMetric("generate_content_paid_tier_2_input_token_count", "tier 2", "input"),
    QuotaMetric("generate_content_paid_tier_3_input_token_count", "tier 3", "input"),
)


class _Camel(BaseModel):
    model_config = ConfigDict(
        extra="ignore", frozen=True, alias_generator=to_camel, populate_by_name=True
    )


class TypedValue(_Camel):
    int64_value: int | None = None  # proto3 JSON sends int64 as a string; pydantic reads both
    double_value: float | None = None

    @property
    def number(self) -> int:
        if self.int64_value is not None:
            return self.int64_value
        return round(self.double_value or 0)


class Interval(_Camel):
    start_time: datetime | None = None
    end_time: datetime


class Point(_Camel):
    interval: Interval
    value: TypedValue


class Labelled(_Camel):
    type: str = ""
    labels: dict[str, str] = Field(default_factory=dict)


class TimeSeries(_Camel):
    metric: Labelled = Field(default_factory=Labelled)
    resource: Labelled = Field(default_factory=Labelled)
    points: list[Point] = Field(default_factory=list)

    def label(self, name: str) -> str:
        return self.metric.labels.get(name) or self.resource.labels.get(name) or ""


class SeriesPage(_Camel):
    time_series: list[TimeSeries] = Field(default_factory=list)
    next_page_token: str | None = None
    execution_errors: list[dict[str, object]] = Field(default_factory=list)


@dataclass(frozen=True)
class SeriesQuery:
    """One ``timeSeries.list`` call: a single metric type, aligned and grouped."""

    metric: str
    resource: str
    group_by: tuple[str, ...]
    aligner: str = "ALIGN_SUM"
    reducer: str = "REDUCE_SUM"

    def params(self, interval: Period, alignment_seconds: int) -> QueryParams:
        params: QueryParams = [
            ("filter", f'metric.type = "{self.metric}" AND resource.type = "{self.resource}"'),
            ("interval.startTime", format_utc(interval.since)),
            ("interval.endTime", format_utc(interval.until)),
            ("aggregation.alignmentPeriod", f"{alignment_seconds}s"),
            ("aggregation.perSeriesAligner", self.aligner),
            ("aggregation.crossSeriesReducer", self.reducer),
        ]
        params.extend(("aggregation.groupByFields", name) for name in self.group_by)
        params.append(("view", "FULL"))
        return params


@dataclass
class Fetched:
    """Series of one call; ``missing`` when Monitoring does not know the metric (HTTP 404)."""

    query: SeriesQuery
    series: list[TimeSeries] = field(default_factory=list)
    missing: bool = False
    partial: bool = False


def series_path(project: str) -> str:
    return f"/v3/projects/{project}/timeSeries"


async def monitoring_json(
    client: httpx.AsyncClient, project: str, principal: str, params: QueryParams
) -> object:
    """One Monitoring request; 401 and 403 get the fix the user needs."""
    try:
        return await request_json(client, VENDOR, "GET", series_path(project), params=params)
    except AuthError as exc:
        raise AuthError(
            f"{exc.message}. Cloud Monitoring needs OAuth credentials, not an API key: set "
            f"{CREDENTIAL} to a service-account key file with {VIEWER_ROLE}"
        ) from None
    except ForbiddenError as exc:
        raise ForbiddenError(
            f"{exc.message}. Grant {VIEWER_ROLE} on project {project} to {principal}, or set "
            "GOOGLE_CLOUD_PROJECT to the project that owns your Gemini key"
        ) from None


async def fetch_series(
    client: httpx.AsyncClient,
    project: str,
    principal: str,
    query: SeriesQuery,
    interval: Period,
    alignment_seconds: int,
) -> Fetched:
    """Every series of one metric over the interval, following ``nextPageToken`` to the end."""
    params = query.params(interval, alignment_seconds)
    fetched = Fetched(query)

    async def page(cursor: str | None) -> tuple[list[TimeSeries], str | None]:
        sent = params if cursor is None else [*params, ("pageToken", cursor)]
        body = await monitoring_json(client, project, principal, sent)
        parsed = parse(SeriesPage, body, VENDOR, "a timeSeries page")
        fetched.partial = fetched.partial or bool(parsed.execution_errors)
        return parsed.time_series, parsed.next_page_token or None

    try:
        fetched.series = await follow_pages(VENDOR, page)
    except NotFoundError:
        # Monitoring answers 404 "Cannot find metric(s)" for a metric it does not define
        # (the tier 2/3 meters are not everywhere); the other metrics still count.
        fetched.missing = True
    return fetched


def usage_queries() -> list[SeriesQuery]:
    """The metrics that carry Gemini tokens and requests, grouped so nothing is summed twice."""
    by_limit = ("metric.labels.model", "metric.labels.limit_name")
    vertex = ("resource.labels.model_user_id", "resource.labels.publisher")
    return [
        *(SeriesQuery(m.usage, GL_RESOURCE, by_limit) for m in QUOTA_METRICS),
        SeriesQuery(OUTPUT_TOKENS, GL_RESOURCE, ("metric.labels.model",)),
        SeriesQuery(VERTEX_TOKENS, VERTEX_RESOURCE, (*vertex, "metric.labels.type")),
        SeriesQuery(VERTEX_REQUESTS, VERTEX_RESOURCE, vertex),
    ]


def clean_model(name: str) -> str:
    return name.removeprefix("models/").strip()
