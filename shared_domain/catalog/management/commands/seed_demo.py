"""Demo data: a category tree, vendors with stores, products (Ankara, Aso-oke, denim...)
with size x colour variants, stock and images, a demo customer and a staff user.

    python manage.py seed_demo                       # 8 vendors, 300 products
    python manage.py seed_demo --vendors 50 --products 10000   # benchmark scale
    python manage.py seed_demo --if-empty            # only when there are no products

Deterministic for a given --seed. Refuses to run with APP_ENV=production.
"""

from __future__ import annotations

import random
import sys
import time
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from shared_domain.accounts import services as accounts
from shared_domain.accounts.roles import Role
from shared_domain.accounts.selectors import Store, vendor_profile_get
from shared_domain.catalog.models import Category, Product, ProductImage, ProductVariant
from shared_domain.catalog.search_index import search_vectors_refresh
from shared_domain.catalog.selectors import category_tree_invalidate
from shared_domain.catalog.services import category_create
from shared_domain.catalog.vocabulary import SIZE_SYSTEMS, colour_family
from shared_domain.inventory.services import stock_create

IMAGE_HOST = "https://images.fashionistar.example"
DEMO_PASSWORD = "Fashionistar-Demo-2026"  # noqa: S105 - documented development login

TREE: dict[str, dict[str, list[str]]] = {
    "Women": {
        "Dresses": ["Maxi", "Midi", "Mini"],
        "Tops": ["Blouses", "T-Shirts"],
        "Skirts": [],
        "Trousers": [],
        "Traditional": ["Ankara", "Aso-oke", "Kaftans"],
        "Shoes": [],
        "Bags": [],
    },
    "Men": {
        "Shirts": [],
        "Trousers": [],
        "Suits": [],
        "Traditional": ["Agbada", "Senator", "Kaftans"],
        "Shoes": [],
    },
    "Kids": {"Girls": [], "Boys": []},
}
# (category path, garment words, department, size system, price range in NGN)
GARMENTS: list[tuple[tuple[str, ...], list[str], str, str, tuple[int, int]]] = [
    (
        ("Women", "Dresses", "Maxi"),
        ["Maxi Dress", "Maxi Gown"],
        "women",
        "letter",
        (18_000, 65_000),
    ),
    (
        ("Women", "Dresses", "Midi"),
        ["Midi Dress", "Wrap Dress"],
        "women",
        "letter",
        (15_000, 45_000),
    ),
    (
        ("Women", "Dresses", "Mini"),
        ["Mini Dress", "Skater Dress"],
        "women",
        "letter",
        (9_000, 30_000),
    ),
    (("Women", "Tops", "Blouses"), ["Blouse", "Peplum Top"], "women", "letter", (7_000, 22_000)),
    (("Women", "Tops", "T-Shirts"), ["T-Shirt", "Crop Top"], "women", "letter", (4_000, 12_000)),
    (("Women", "Skirts"), ["Pencil Skirt", "Flared Skirt"], "women", "letter", (8_000, 25_000)),
    (
        ("Women", "Trousers"),
        ["Palazzo Trousers", "Wide-Leg Trousers"],
        "women",
        "uk",
        (10_000, 30_000),
    ),
    (
        ("Women", "Traditional", "Ankara"),
        ["Ankara Gown", "Ankara Two-Piece"],
        "women",
        "letter",
        (20_000, 80_000),
    ),
    (
        ("Women", "Traditional", "Aso-oke"),
        ["Aso-oke Gele Set", "Aso-oke Iro and Buba"],
        "women",
        "one_size",
        (35_000, 150_000),
    ),
    (
        ("Women", "Traditional", "Kaftans"),
        ["Boubou Kaftan", "Embroidered Kaftan"],
        "women",
        "letter",
        (15_000, 55_000),
    ),
    (("Women", "Shoes"), ["Block Heels", "Leather Sandals"], "women", "shoe_eu", (12_000, 45_000)),
    (("Women", "Bags"), ["Beaded Clutch", "Leather Tote"], "women", "one_size", (9_000, 60_000)),
    (("Men", "Shirts"), ["Oxford Shirt", "Linen Shirt"], "men", "letter", (8_000, 25_000)),
    (("Men", "Trousers"), ["Chinos", "Slim Fit Jeans"], "men", "eu", (10_000, 30_000)),
    (("Men", "Suits"), ["Two-Piece Suit", "Tuxedo"], "men", "eu", (60_000, 250_000)),
    (
        ("Men", "Traditional", "Agbada"),
        ["Agbada", "Grand Agbada"],
        "men",
        "letter",
        (45_000, 200_000),
    ),
    (
        ("Men", "Traditional", "Senator"),
        ["Senator Wear", "Senator Kaftan"],
        "men",
        "letter",
        (20_000, 70_000),
    ),
    (("Men", "Traditional", "Kaftans"), ["Kaftan", "Dashiki"], "men", "letter", (12_000, 40_000)),
    (("Men", "Shoes"), ["Leather Loafers", "Oxford Shoes"], "men", "shoe_eu", (20_000, 80_000)),
    (("Kids", "Girls"), ["Party Dress", "Ankara Frock"], "kids", "letter", (5_000, 18_000)),
    (("Kids", "Boys"), ["Kaftan Set", "Denim Dungarees"], "kids", "letter", (5_000, 18_000)),
]
FABRICS = ["Ankara", "Aso-oke", "Adire", "Kente", "Lace", "Chiffon", "Silk", "Denim", "Linen",
           "Cotton", "Velvet", "Satin", "Batik", "Brocade"]  # fmt: skip
STYLES = ["Elegant", "Classic", "Modern", "Royal", "Everyday", "Vintage", "Bold", "Flowing",
          "Tailored", "Festive", "Minimalist", "Luxe"]  # fmt: skip
COLOURS = ["Red", "Wine", "Navy", "Royal Blue", "Emerald", "Mustard", "Black", "White", "Cream",
           "Gold", "Purple", "Coral", "Multi", "Teal", "Blush Pink", "Chocolate"]  # fmt: skip
STORES = ["Ada Styles", "Lagos Loom", "Eko Threads", "Kente Kraft", "Naija Denim Co",
          "Aso Royale", "Abuja Atelier", "Calabar Couture", "Ibadan Indigo", "Kano Kaftans",
          "Enugu Edit", "Benin Bespoke", "Jos Jewel", "Owerri Outfitters",
          "Port Harcourt Prints"]  # fmt: skip
OCCASIONS = ["weddings", "owambe parties", "the office", "church", "date nights", "festivals",
             "naming ceremonies", "everyday wear"]  # fmt: skip


class Command(BaseCommand):
    help = "Load demo marketplace data (vendors, products with variants and stock, users)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--vendors", type=int, default=8)
        parser.add_argument("--products", type=int, default=300)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--if-empty", action="store_true", help="do nothing if products exist")

    def handle(
        self, *args: Any, vendors: int, products: int, seed: int, if_empty: bool, **options: Any
    ) -> None:
        if settings.IS_PRODUCTION:
            raise CommandError("seed_demo refuses to run with APP_ENV=production")
        if vendors < 1 or products < 0:
            raise CommandError("--vendors must be at least 1 and --products at least 0")
        if if_empty and Product.objects.exists():
            self.stdout.write("Products exist; demo data not loaded.")
            return
        rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not secrets
        started = time.monotonic()
        leaves = self._categories()
        stores = self._vendors(vendors)
        self._people()
        self._products(products, stores, leaves, rng)
        self.stdout.write(
            f"\nDemo data: {len(stores)} vendors, {products} products in "
            f"{time.monotonic() - started:.1f}s. Sign in with customer@fashionistar.example, "
            f"vendor1@fashionistar.example or admin@fashionistar.example / {DEMO_PASSWORD}"
        )

    # ------------------------------------------------------------------ parts
    def _categories(self) -> dict[tuple[str, ...], Category]:
        found: dict[tuple[str, ...], Category] = {}

        def ensure(path: tuple[str, ...], parent: Category | None, position: int) -> Category:
            existing = Category.objects.filter(parent=parent, name=path[-1]).first()
            category = existing or category_create(name=path[-1], parent=parent, position=position)
            found[path] = category
            return category

        for i, (top, children) in enumerate(TREE.items()):
            root = ensure((top,), None, i)
            for j, (child, grandchildren) in enumerate(children.items()):
                middle = ensure((top, child), root, j)
                for k, leaf in enumerate(grandchildren):
                    ensure((top, child, leaf), middle, k)
        category_tree_invalidate()
        return found

    def _vendors(self, count: int) -> list[Store]:
        hashed = accounts.password_hash(DEMO_PASSWORD)
        stores = []
        for n in range(1, count + 1):
            name = STORES[(n - 1) % len(STORES)] + ("" if n <= len(STORES) else f" {n}")
            user = accounts.account_provision(
                email=f"vendor{n}@fashionistar.example",
                password_hash=hashed,
                role=Role.VENDOR,
                full_name=f"Vendor {n}",
                store_name=name,
                store_verified=n % 5 != 0,
            )
            profile = vendor_profile_get(user=user)
            if profile is None:  # provisioned with the vendor account just above
                raise CommandError(f"{user.email} has no store")
            stores.append(profile)
        return stores

    def _people(self) -> None:
        hashed = accounts.password_hash(DEMO_PASSWORD)
        accounts.account_provision(
            email="customer@fashionistar.example",
            password_hash=hashed,
            role=Role.CUSTOMER,
            full_name="Ada Obi",
        )
        accounts.account_provision(
            email="admin@fashionistar.example",
            password_hash=hashed,
            role=Role.STAFF,
            full_name="Staff Admin",
            superuser=True,
        )

    def _products(
        self,
        count: int,
        stores: list[Store],
        categories: dict[tuple[str, ...], Category],
        rng: random.Random,
    ) -> None:
        start = Product.objects.count()
        now = timezone.now()
        batch = 500
        for offset in range(0, count, batch):
            size = min(batch, count - offset)
            with transaction.atomic():
                rows, specs = [], []
                for i in range(offset, offset + size):
                    number = start + i + 1
                    path, garments, department, system, (low, high) = rng.choice(GARMENTS)
                    fabric, style, garment = (
                        rng.choice(FABRICS),
                        rng.choice(STYLES),
                        rng.choice(garments),
                    )
                    title = (
                        f"{style} {fabric} {garment}"
                        if fabric.lower() not in garment.lower()
                        else f"{style} {garment}"
                    )
                    store = rng.choice(stores)
                    price = Decimal(rng.randrange(low, high, 500))
                    rows.append(
                        Product(
                            vendor=store,
                            title=title,
                            slug=f"{slugify(title)}-{number}",
                            description=(
                                f"A {style.lower()} {garment.lower()} in {fabric.lower()}, "
                                "made in Nigeria "
                                f"by {store.store_name}. Perfect for {rng.choice(OCCASIONS)}; "
                                f"hand-finished seams and a comfortable fit."
                            ),
                            brand=store.store_name,
                            department=department,
                            category=categories[path],
                            base_price=price,
                            currency="NGN",
                            size_system=system,
                            status=Product.Status.ACTIVE
                            if rng.random() < 0.92
                            else Product.Status.DRAFT,
                            attributes={
                                "fabric": fabric,
                                "care": rng.choice(
                                    ["Hand wash", "Dry clean", "Machine wash cold"]
                                ),
                            },
                            rating_avg=Decimal(rng.randrange(30, 50)) / 10
                            if rng.random() < 0.6
                            else None,
                            rating_count=rng.randrange(1, 120),
                            published_at=now - timedelta(minutes=rng.randrange(0, 60 * 24 * 180)),
                        )
                    )
                    specs.append((number, system))
                created = Product.objects.bulk_create(rows)
                variants: list[ProductVariant] = []
                images: list[ProductImage] = []
                for product, (number, system) in zip(created, specs, strict=True):
                    sizes = list(SIZE_SYSTEMS[system])
                    chosen_sizes = (
                        sizes
                        if len(sizes) == 1
                        else rng.sample(sizes[1:-1] or sizes, k=min(len(sizes), rng.randint(3, 5)))
                    )
                    colours = rng.sample(COLOURS, k=rng.randint(1, 3))
                    position = 0
                    for colour in colours:
                        for size_label in chosen_sizes:
                            variants.append(
                                ProductVariant(
                                    product=product,
                                    sku=(
                                        f"FS{number}-{slugify(colour)[:4].upper()}-"
                                        f"{size_label.replace(' ', '')}"
                                    ),
                                    size=size_label,
                                    colour=colour,
                                    colour_family=colour_family(colour),
                                    price_override=None
                                    if rng.random() < 0.85
                                    else product.base_price + 2000,
                                    position=position,
                                )
                            )
                            position += 1
                    images.extend(
                        ProductImage(
                            product=product,
                            url=f"{IMAGE_HOST}/products/{number}/{n + 1}.jpg",
                            alt_text=f"{product.title}, view {n + 1}",
                            position=n,
                        )
                        for n in range(rng.randint(1, 4))
                    )
                created_variants = ProductVariant.objects.bulk_create(variants)
                stock_create(
                    quantities=[
                        (v.pk, rng.choice([0, 0, 1, 2, 3, 5, 8, 12, 20])) for v in created_variants
                    ]
                )
                ProductImage.objects.bulk_create(images)
                search_vectors_refresh([p.pk for p in created])
            self._progress(offset + size, count)

    def _progress(self, done: int, total: int) -> None:
        width = 30
        filled = int(width * done / total) if total else width
        bar = "#" * filled + "." * (width - filled)
        self.stdout.write(f"\r  products [{bar}] {done}/{total}", ending="")
        self.stdout.flush()
        if done == total and sys.stdout.isatty():
            self.stdout.write("")
