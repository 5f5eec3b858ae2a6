"""Cost estimates from published prices (genai-prices). An unknown model is None, never a guess."""

from __future__ import annotations

import logging
import warnings
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


@lru_cache(maxsize=512)
def _base_model_price(provider_id: str | None, model: str) -> Any | None:
    """The model's price at its base tier, or None when genai-prices does not know the model."""
    from genai_prices import Usage, calc_price
    from genai_prices.types import ModelPrice, TieredPrices

    try:
        found = calc_price(Usage(input_tokens=1, output_tokens=1), model, provider_id=provider_id)
    except (LookupError, ValueError):
        log.debug("no published price for model %s", model)
        return None
    prices = {
        key: value.base if isinstance(value, TieredPrices) else value
        for key, value in vars(found.model_price).items()
        if not key.startswith("_")
    }
    return ModelPrice(**prices)


def library_usage(
    input_tokens: int,
    output_tokens: int,
    cache_read_tokens: int = 0,
    cache_write_tokens: int = 0,
    cache_write_1h_tokens: int = 0,
) -> Any:
    """Our disjoint counts as a genai-prices ``Usage``, whose input includes the cached part."""
    from genai_prices import Usage

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return Usage(
            input_tokens=input_tokens + cache_read_tokens + cache_write_tokens,
            output_tokens=output_tokens,
            cache_read_tokens=cache_read_tokens,
            cache_write_tokens=cache_write_tokens,
            cache_write_1h_tokens=min(cache_write_1h_tokens, cache_write_tokens),
        )


@lru_cache(maxsize=512)
def base_rates(provider_id: str | None, model: str) -> tuple[Decimal, ...] | None:
    """Dollars per million tokens of each kind at the model's base prices, or None.

    Base prices are linear in the token counts, so genai-prices is asked once per model and
    kind; pricing a record is then five multiplications instead of a library call (measured:
    about 130 us a record before, which dominated a report over months of local logs).
    """
    base = _base_model_price(provider_id, model)
    if base is None:
        return None
    try:
        return tuple(
            Decimal(base.calc_price(library_usage(*(n * MILLION for n in unit)))["total_price"])
            for unit in _UNIT_USAGES
        )
    except (LookupError, ValueError):
        return None


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
    provider_id = GENAI_PROVIDER.get(provider)
    if single_request:
        from genai_prices import calc_price

        usage = library_usage(
            input_tokens,
            output_tokens,
            cache_read_tokens,
            cache_write_tokens,
            cache_write_1h_tokens,
        )
        try:
            found = calc_price(usage, model, provider_id=provider_id, genai_request_timestamp=at)
        except (LookupError, ValueError):
            return None
        return Decimal(found.total_price)
    rates = base_rates(provider_id, model)
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
