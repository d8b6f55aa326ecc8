"""Catalog query parameters as both APIs receive them: ids typed into a URL, filters
that take several values, the search parameters built from a query string, and the
closed lists their values come from. Each list is defined here once; the APIs derive
their choices, enums and Literal types from it."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal, get_args

from shared_domain.common.errors import ValidationFailed

# The orders of a product list or search ("-price": dearest first).
ProductSort = Literal["relevance", "price", "-price", "newest", "rating"]
PRODUCT_SORTS: tuple[ProductSort, ...] = get_args(ProductSort)
# Product.Department and Product.Status (their values; a test keeps them equal).
Department = Literal["women", "men", "unisex", "kids"]
DEPARTMENTS: tuple[Department, ...] = get_args(Department)
ProductStatus = Literal["draft", "active", "archived"]
PRODUCT_STATUSES: tuple[ProductStatus, ...] = get_args(ProductStatus)

# ASCII digits only: str.isdigit() also accepts "²" or "٣", which int() refuses or
# reads as another number. Eighteen digits always fit a bigint primary key.
_ID = re.compile(r"[0-9]{1,18}")


def parse_id(value: str) -> int | None:
    """The id `value` spells, or None when it is not a plain decimal number."""
    return int(value) if _ID.fullmatch(value) else None


def split_multi(values: Iterable[str] | None) -> tuple[str, ...]:
    """?size=M&size=L and ?size=M,L both mean M or L."""
    return tuple(
        part.strip() for value in values or () for part in value.split(",") if part.strip()
    )


@dataclass(frozen=True)
class FitScope:
    """The products one size chart applies to: a vendor's, of a brand ("" for any;
    compared case-insensitively) and of a category subtree (None for any)."""

    vendor_id: int
    brand: str = ""
    category_ids: tuple[int, ...] | None = None


@dataclass(frozen=True)
class FitRule:
    """Products in `scope` but in none of `unless` (the scopes of more specific charts
    of the vendor, which decide there), with a variant of `size` in stock."""

    scope: FitScope
    size: str
    unless: tuple[FitScope, ...] = ()


@dataclass(frozen=True)
class SearchParams:
    q: str = ""
    category: str | None = None
    vendor: str | None = None
    brand: str | None = None
    sizes: tuple[str, ...] = ()
    colours: tuple[str, ...] = ()
    min_price: Decimal | None = None
    max_price: Decimal | None = None
    in_stock: bool = False
    department: str | None = None
    sort: ProductSort | None = None
    # Only products some rule keeps (the sizing context's "fits me"); None: no filter.
    fit_rules: tuple[FitRule, ...] | None = None

    @property
    def effective_sort(self) -> ProductSort:
        return self.sort or ("relevance" if self.q.strip() else "newest")

    @classmethod
    def from_query(
        cls,
        *,
        q: str = "",
        category: str | None = None,
        vendor: str | None = None,
        brand: str | None = None,
        size: Iterable[str] | None = None,
        colour: Iterable[str] | None = None,
        min_price: Decimal | None = None,
        max_price: Decimal | None = None,
        in_stock: bool = False,
        department: str | None = None,
        ordering: ProductSort | None = None,
        sort: ProductSort | None = None,
    ) -> SearchParams:
        """The parameters of a listing or search request whose values have the right
        types (the API checked their shape); the rules between them are checked here.
        Both APIs name the sort order `ordering` and take `sort` as its alias."""
        if min_price is not None and max_price is not None and min_price > max_price:
            raise ValidationFailed(details={"min_price": ["Must not be above max_price."]})
        if ordering and sort and ordering != sort:
            raise ValidationFailed(
                details={"ordering": ["Send ordering or its alias sort, not both."]}
            )
        sort = ordering or sort
        return cls(
            q=q,
            category=category or None,
            vendor=vendor or None,
            brand=brand or None,
            sizes=split_multi(size),
            colours=split_multi(colour),
            min_price=min_price,
            max_price=max_price,
            in_stock=in_stock,
            department=department or None,
            sort=sort or None,
        )
