from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce, Lower, Upper
from django.utils import timezone

CURRENCIES = (("NGN", "Nigerian naira"), ("USD", "US dollar"), ("GBP", "Pound sterling"))
# Unique constraints whose violation the services turn into their own errors.
SKU_CONSTRAINT = "variant_unique_sku"
SIZE_COLOUR_CONSTRAINT = "variant_unique_size_colour"


class Category(models.Model):
    """A node of the category tree (Women > Dresses > Maxi). `path` lists the ids from
    the root down ("/1/4/9/"), so all descendants are one indexed prefix match."""

    name = models.CharField(max_length=80)
    slug = models.SlugField(max_length=120, unique=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    position = models.PositiveIntegerField(default=0)
    path = models.CharField(max_length=255, blank=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)

    class Meta:
        ordering = ("path", "position")
        verbose_name_plural = "categories"
        indexes = [
            models.Index(
                OpClass("path", name="varchar_pattern_ops"), name="category_path_prefix_idx"
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "name"], name="category_unique_name_per_parent"
            ),
            # An empty path would be a prefix of every path: the category would count
            # as the ancestor of all others.
            models.CheckConstraint(condition=~Q(path=""), name="category_path_set"),
        ]

    def __str__(self) -> str:
        return self.name


class Product(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        ACTIVE = "active", "Active"
        ARCHIVED = "archived", "Archived"

    class Department(models.TextChoices):
        WOMEN = "women", "Women"
        MEN = "men", "Men"
        UNISEX = "unisex", "Unisex"
        KIDS = "kids", "Kids"

    vendor = models.ForeignKey(
        "accounts.VendorProfile", on_delete=models.PROTECT, related_name="products"
    )
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=240, unique=True)
    description = models.TextField(blank=True)
    brand = models.CharField(max_length=100, blank=True)
    department = models.CharField(
        max_length=10, choices=Department.choices, default=Department.UNISEX
    )
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.PROTECT, related_name="products"
    )
    base_price = models.DecimalField(
        max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    currency = models.CharField(max_length=3, choices=CURRENCIES, default="NGN")
    size_system = models.CharField(max_length=10, default="letter")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    attributes = models.JSONField(default=dict, blank=True)
    # Kept by review_add as each review arrives (the sum keeps the average exact);
    # rating_avg is null until a product has a review.
    rating_avg = models.DecimalField(max_digits=3, decimal_places=2, null=True, blank=True)
    rating_count = models.PositiveIntegerField(default=0)
    rating_sum = models.PositiveIntegerField(default=0)
    # Kept current by the catalog services (title A; brand, category, colours B;
    # description C), never by signals.
    search_vector = SearchVectorField(null=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-id",)
        indexes = [
            GinIndex(fields=["search_vector"], name="product_search_gin"),
            models.Index(fields=["status", "category"], name="product_status_category_idx"),
            models.Index(fields=["status", "vendor"], name="product_status_vendor_idx"),
            models.Index(Upper("brand"), "status", name="product_brand_upper_idx"),
            models.Index(fields=["vendor", "status", "-id"], name="product_vendor_list_idx"),
            # One per sort order of the shop, over products on sale only.
            models.Index(
                F("published_at").desc(),
                F("id").desc(),
                name="product_active_newest_idx",
                condition=Q(status="active"),
            ),
            models.Index(
                "base_price", "id", name="product_active_price_idx", condition=Q(status="active")
            ),
            models.Index(
                Coalesce("rating_avg", Value(Decimal(-1))).desc(),
                F("id").desc(),
                name="product_active_rating_idx",
                condition=Q(status="active"),
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(base_price__gt=0), name="product_price_positive"),
            # "Newest" pages by published_at: a product on sale always has one.
            models.CheckConstraint(
                condition=~Q(status="active") | Q(published_at__isnull=False),
                name="product_on_sale_published",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ProductVariant(models.Model):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="variants")
    sku = models.CharField(max_length=64)
    size = models.CharField(max_length=16)
    colour = models.CharField(max_length=40)
    colour_family = models.CharField(max_length=16)
    price_override = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    is_active = models.BooleanField(default=True)
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("position", "id")
        indexes = [
            models.Index(fields=["product", "is_active", "size"], name="variant_product_size_idx"),
            models.Index(
                fields=["product", "is_active", "colour_family"], name="variant_product_colour_idx"
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["sku"], name=SKU_CONSTRAINT),
            # "Red" and "red" are one colour.
            models.UniqueConstraint(
                "product", "size", Lower("colour"), name=SIZE_COLOUR_CONSTRAINT
            ),
            models.CheckConstraint(
                condition=Q(price_override__isnull=True) | Q(price_override__gt=0),
                name="variant_price_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.sku

    @property
    def price(self) -> Decimal:
        return self.price_override if self.price_override is not None else self.product.base_price


class ProductImage(models.Model):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="images")
    url = models.URLField(max_length=500)
    alt_text = models.CharField(max_length=200, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ("position", "id")

    def __str__(self) -> str:
        return self.url


class Review(models.Model):
    """A verified purchaser's stars and words on a product, one per order item (orders
    decides who may review; the catalog keeps the review and the product's rating).
    The text is stored as given and never rendered as HTML by the APIs."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="reviews")
    # A removed account leaves its reviews (and the product's rating) as they were.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The orders context's OrderItem (above the catalog: an id, not a foreign key).
    order_item_id = models.BigIntegerField(unique=True)
    rating = models.PositiveSmallIntegerField()
    text = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = [
            models.Index(
                fields=["product", "-created_at", "-id"], name="review_product_recent_idx"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__gte=1) & Q(rating__lte=5), name="review_rating_1_to_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rating}* on {self.product_id}"
