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
        at: when the usage happened, for prices that changed over time.

    Returns:
        Dollars, or None when the model has no published price.
    """
    if not model:
        return None
    from genai_prices import Usage, calc_price

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        usage = Usage(
            input_tokens=input_tokens + cache_read_tokens + cache_write_tokens,
            output_tokens=output_tokens,
            cache_read_tokens=cache_read_tokens,
            cache_write_tokens=cache_write_tokens,
            cache_write_1h_tokens=min(cache_write_1h_tokens, cache_write_tokens),
        )
    provider_id = GENAI_PROVIDER.get(provider)
    try:
        if single_request:
            price = calc_price(
                usage, model, provider_id=provider_id, genai_request_timestamp=at
            ).total_price
        else:
            base = _base_model_price(provider_id, model)
            if base is None:
                return None
            price = base.calc_price(usage)["total_price"]
    except (LookupError, ValueError):
        return None
    return Decimal(price)
