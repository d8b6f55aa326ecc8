"""Minor units: the payments context counts money in integers (kobo, cents). Orders
keep decimal amounts; they are converted exactly at the boundary, never via float."""

from __future__ import annotations

from decimal import Decimal

# ISO 4217 exponents of the currencies the marketplace sells in (2 unless listed).
_EXPONENTS: dict[str, int] = {"JPY": 0, "KRW": 0}


def exponent(currency: str) -> int:
    return _EXPONENTS.get(currency.upper(), 2)


def to_minor(amount: Decimal, currency: str) -> int:
    """Decimal major units -> integer minor units; refuses sub-minor fractions."""
    scaled = amount.scaleb(exponent(currency))
    if scaled != scaled.to_integral_value():
        raise ValueError(f"{amount} {currency} is not a whole number of minor units")
    return int(scaled)


def to_major(amount: int, currency: str) -> Decimal:
    """Integer minor units -> Decimal major units with the currency's places."""
    places = exponent(currency)
    return (Decimal(amount).scaleb(-places)).quantize(Decimal(1).scaleb(-places))
