"""Cost estimates from published prices (genai-prices). An unknown model is None, never a guess.

Every call into genai-prices goes through ``_calc_price`` (one place that silences the
library's data warnings and turns "unknown model" into None). ``published_price`` and
``tier_starts`` are the public ways to ask about a model's prices without pricing usage.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

log = logging.getLogger(__name__)

# genai-prices names providers by these ids.
GENAI_PROVIDER = {"claude": "anthropic", "openai": "openai", "gemini": "google", "cursor": None}
MILLION = 1_000_000
# One million tokens of each kind: input, output, cache read, 5-minute and 1-hour cache write.
_UNIT_USAGES = ((1, 0, 0, 0, 0), (0, 1, 0, 0, 0), (0, 0, 1, 0, 0), (0, 0, 0, 1, 0), (0, 0, 0, 1, 1))


@contextmanager
def _library_warnings_silenced() -> Iterator[None]:
    # genai-prices warns (UserWarning) when its bundled price data and its code disagree about a
    # usage or price key (for instance ``cache_write_1h_tokens`` against a data snapshot that
    # predates it); the price is still computed from the keys both know. The warning is about
    # the library's data, nothing a user of aiusage can act on, and under ``-W error`` (our test
    # suite runs so) it would turn a price-data update into a crash of every report.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def _usage(
    input_tokens: int,
    output_tokens: int,
    cache_read_tokens: int = 0,
    cache_write_tokens: int = 0,
    cache_write_1h_tokens: int = 0,
) -> Any:
    """Our disjoint counts as a genai-prices ``Usage``, whose input includes the cached part."""
    from genai_prices import Usage

    with _library_warnings_silenced():
        return Usage(
            input_tokens=input_tokens + cache_read_tokens + cache_write_tokens,
            output_tokens=output_tokens,
            cache_read_tokens=cache_read_tokens,
            cache_write_tokens=cache_write_tokens,
            cache_write_1h_tokens=min(cache_write_1h_tokens, cache_write_tokens),
        )


# The suffix the Claude Code reader gives a request made in fast mode.
FAST_SUFFIX = "-fast"


def _calc_price(usage: Any, model: str, provider: str, at: datetime | None = None) -> Any | None:
    """genai-prices' price of ``usage`` on ``model``; None when it does not know the model."""
    from genai_prices import calc_price

    try:
        with _library_warnings_silenced():
            found = calc_price(
                usage,
                model,
                provider_id=GENAI_PROVIDER.get(provider),
                genai_request_timestamp=at,
            )
    except (LookupError, ValueError):
        log.debug("no published price for model %s", model)
        return None
    if _is_other_tier(model, found.model.id):
        log.debug("no published price for model %s (not %s)", model, found.model.id)
        return None
    return found


def _is_other_tier(model: str, matched: str) -> bool:
    """genai-prices matches names by prefix, so ``<model>-fast`` (Claude fast mode, billed at
    its own rates) would come back as ``<model>`` at standard rates: that is another model."""
    return model.endswith(FAST_SUFFIX) and not matched.endswith(FAST_SUFFIX)


@lru_cache(maxsize=512)
def _known(provider: str, model: str) -> Any | None:
    """genai-prices' match of ``model`` (price and model data), asked once; None when unknown."""
    return _calc_price(_usage(1, 1), model, provider)


def published_price(provider: str, model: str) -> Any | None:
    """The model's current published price (a genai-prices ``ModelPrice``, long-context tiers
    included), or None when genai-prices does not know the model."""
    found = _known(provider, model)
    return None if found is None else found.model_price


@lru_cache(maxsize=512)
def tier_starts(provider: str, model: str) -> tuple[int, ...]:
    """Input sizes above which long-context prices apply, in any price the model has had; ()
    without tiers.

    A request is priced with the prices of its own day, so the finder of long requests must know
    tiers that today's price list has dropped (Sonnet 4.6 had one until 2026-03-13).
    genai-prices applies a tier when a request's input is *above* its start, to every token.
    """
    from genai_prices.types import TieredPrices

    found = _known(provider, model)
    if found is None:
        return ()
    prices = found.model.prices
    periods = [c.prices for c in prices] if isinstance(prices, list) else [prices]
    starts = {
        tier.start
        for price in periods
        for value in vars(price).values()
        if isinstance(value, TieredPrices)
        for tier in value.tiers
    }
    return tuple(sorted(starts))


@lru_cache(maxsize=512)
def base_price(provider: str, model: str) -> Any | None:
    """The model's price at its base tier (no long-context rates), or None when unknown."""
    from genai_prices.types import ModelPrice, TieredPrices

    price = published_price(provider, model)
    if price is None:
        return None
    prices = {
        key: value.base if isinstance(value, TieredPrices) else value
        for key, value in vars(price).items()
        if not key.startswith("_")
    }
    with _library_warnings_silenced():
        return ModelPrice(**prices)


def base_price_of(
    provider: str,
    model: str,
    input_tokens: int,
    output_tokens: int,
    cache_read_tokens: int = 0,
    cache_write_tokens: int = 0,
    cache_write_1h_tokens: int = 0,
) -> Decimal | None:
    """genai-prices' own price of summed counts at base rates (what ``base_rates`` speeds up)."""
    base = base_price(provider, model)
    if base is None:
        return None
    usage = _usage(
        input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, cache_write_1h_tokens
    )
    try:
        with _library_warnings_silenced():
            return Decimal(base.calc_price(usage)["total_price"])
    except (LookupError, ValueError):
        return None


@lru_cache(maxsize=512)
def base_rates(provider: str, model: str) -> tuple[Decimal, ...] | None:
    """Dollars per million tokens of each kind at the model's base prices, or None.

    Base prices are linear in the token counts, so genai-prices is asked once per model and
    kind; pricing a record is then five multiplications instead of a library call (measured:
    about 130 us a record before, which dominated a report over months of local logs).
    """
    rates = tuple(
        base_price_of(provider, model, *(n * MILLION for n in unit)) for unit in _UNIT_USAGES
    )
    if any(rate is None for rate in rates):
        return None
    return tuple(rate for rate in rates if rate is not None)


def estimate_cost(
    provider: str,
    model: str | None,
    *,
    input_tokens: int,
    output_tokens: int,
    cache_read_tokens: int = 0,
    cache_write_tokens: int = 0,
    cache_write_1h_tokens: int = 0,
    single_request: bool = False,
    at: datetime | None = None,
) -> Decimal | None:
    """Estimate the dollar cost of usage from published prices.

    Args:
        provider: our provider name (``claude``, ``openai``, ``gemini``).
        model: the vendor's model id.
        input_tokens: uncached input (our meaning: billed at the base input rate).
        output_tokens: output, reasoning included.
        cache_read_tokens: input read from a prompt cache.
        cache_write_tokens: input written to a prompt cache, all lifetimes.
        cache_write_1h_tokens: the part of ``cache_write_tokens`` written with a 1-hour lifetime.
        single_request: the counts belong to one request, so long-context tiers apply. Summed
            counts of many requests are priced at base rates: a tier is decided per request.
        at: when the usage happened, for prices that changed over time (single requests).

    Returns:
        Dollars, or None when the model has no published price.
    """
    if not model:
        return None
    if single_request:
        usage = _usage(
            input_tokens,
            output_tokens,
            cache_read_tokens,
            cache_write_tokens,
            cache_write_1h_tokens,
        )
        found = _calc_price(usage, model, provider, at)
        return None if found is None else Decimal(found.total_price)
    rates = base_rates(provider, model)
    if rates is None:
        return None
    write_1h = min(cache_write_1h_tokens, cache_write_tokens)
    counts = (
        input_tokens,
        output_tokens,
        cache_read_tokens,
        cache_write_tokens - write_1h,
        write_1h,
    )
    return sum((n * rate for n, rate in zip(counts, rates, strict=True)), Decimal(0)) / MILLION
