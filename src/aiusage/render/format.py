"""How figures are written for people: the one owner of money, counts and "—" formatting.

``report``, ``cursor show``, ``status`` and the metrics help text all write money and missing
values through these functions, so ``$1.23``, ``~$1.23`` and ``—`` mean the same everywhere.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

NONE = "—"
CENT = Decimal("0.01")
HUGE_USD = Decimal(10**15)
_UNITS = ((10**12, "T"), (10**9, "B"), (10**6, "M"), (10**3, "K"))


def usd(value: Decimal | None, missing: str = NONE) -> str:
    """``$1,234.57`` rounded half up to the cent; ``missing`` (``—``) when unknown."""
    if value is None:
        return missing
    if not value.is_finite() or abs(value) >= HUGE_USD:
        # No real bill; shown as it is rather than quantized (Decimal's 28 digits cannot hold
        # $1e26 to the cent: quantize would raise).
        return f"${value:.3E}"
    return f"${value.quantize(CENT, rounding=ROUND_HALF_UP):,}"


def money(value: Decimal | None, kind: str | None, unpriced: bool = False) -> str:
    """A row's cost: ``$1.23`` reported, ``~$1.23`` estimated (wholly or in part).

    ``+?`` follows when some tokens have no known price; ``?`` alone when none has one.
    """
    if value is None or kind is None:
        return "?" if unpriced else NONE
    text = usd(value)
    if kind != "reported":
        text = "~" + text
    return text + ("+?" if unpriced else "")


def count(value: int | None, compact: bool = False) -> str:
    """``1,234,567``; compact: ``1.2M`` from ten thousand up (below, the exact count)."""
    if value is None:
        return NONE
    if not compact or value < 10_000:
        return f"{value:,}"
    for index, (size, unit) in enumerate(_UNITS):
        if value >= size:
            text = f"{value / size:.1f}"
            if float(text) >= 1000 and index > 0:
                # 999,960 is 1.0M, not 1000.0K.
                size, unit = _UNITS[index - 1]
                text = f"{value / size:.1f}"
            return f"{text}{unit}"
    return f"{value:,}"  # pragma: no cover - values below 10,000 returned above
