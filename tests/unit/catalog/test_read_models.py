"""The catalog's read models are the frozen dataclasses of its selectors. The v1
serializers and v2 schemas that render them exist to describe them in OpenAPI; they
must name exactly the dataclass's fields, so the shape is defined once."""

from __future__ import annotations

import dataclasses

import pytest

from async_service.api import catalog_schemas as v2
from shared_domain.catalog import selectors as read
from shared_domain.discovery import selectors as discovery
from sync_service.api.backoffice import serializers as backoffice
from sync_service.api.catalog import serializers as v1

PAIRS = [
    (read.ProductDetail, v1.ProductDetailOut, v2.ProductDetailOut),
    (read.ProductCard, v1.ProductCardOut, v2.ProductCardOut),
    (read.VariantView, v1.VariantOut, v2.VariantOut),
    (read.ImageView, v1.ImageOut, v2.ImageOut),
    (read.RatingSummary, v1.RatingOut, v2.RatingOut),
    (read.VendorCard, v1.VendorCardOut, v2.VendorCardOut),
    (read.Ref, v1.RefOut, v2.RefOut),
    (read.FacetValue, None, v2.FacetValueOut),
    (read.Facets, None, v2.FacetsOut),
    (read.VendorProductRow, backoffice.VendorProductRowOut, None),
    (read.VariantStock, backoffice.StockOut, None),
    (discovery.SimilarProducts, None, v2.SimilarOut),
]


@pytest.mark.parametrize(("model", "serializer", "schema"), PAIRS)
def test_api_shapes_name_exactly_the_read_model_fields(model, serializer, schema):
    names = [f.name for f in dataclasses.fields(model)]
    if serializer is not None:
        assert list(serializer().fields) == names
    if schema is not None:
        assert list(schema.model_fields) == names
