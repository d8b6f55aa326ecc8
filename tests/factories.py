"""Test data factories."""

from __future__ import annotations

from typing import Any

import factory

from shared_domain.accounts.models import CustomerProfile, User, VendorProfile

PASSWORD = "Correct-Horse-9-Battery"


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    full_name = factory.Faker("name")
    role = User.Role.CUSTOMER
    email_verified = True
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)
    profile = factory.PostGeneration(lambda user, create, extracted, **kw: _profile(user, create))


def _profile(user: User, create: bool) -> None:
    """Save the password set after creation and give the user the profile of its role."""
    if not create:
        return
    user.save()
    if user.role == User.Role.VENDOR:
        VendorProfile.objects.get_or_create(
            user=user, defaults={"store_name": f"Store {user.pk}", "slug": f"store-{user.pk}"}
        )
    elif user.role == User.Role.CUSTOMER:
        CustomerProfile.objects.get_or_create(user=user)


class CustomerFactory(UserFactory):
    role = User.Role.CUSTOMER


class VendorFactory(UserFactory):
    role = User.Role.VENDOR


class StaffFactory(UserFactory):
    role = User.Role.STAFF
    is_staff = True


def category_tree_fixture() -> dict[str, Any]:
    """Women > Dresses > Maxi, Women > Tops, Men > Shirts: returns categories by name."""
    from shared_domain.catalog.services import category_create

    women = category_create(name="Women")
    dresses = category_create(name="Dresses", parent=women)
    maxi = category_create(name="Maxi", parent=dresses)
    tops = category_create(name="Tops", parent=women)
    men = category_create(name="Men")
    shirts = category_create(name="Shirts", parent=men)
    return {
        "Women": women,
        "Dresses": dresses,
        "Maxi": maxi,
        "Tops": tops,
        "Men": men,
        "Shirts": shirts,
    }


def make_product(
    vendor: User,
    *,
    title: str,
    category: Any,
    price: str = "25000.00",
    variants: list[tuple[str, str, str, int]] | None = None,
    publish: bool = True,
    description: str = "",
    brand: str = "",
    **extra: Any,
) -> Any:
    """A product through the real service: variants are (sku, size, colour, stock)."""
    from decimal import Decimal

    from shared_domain.catalog import services

    product = services.product_create(
        vendor_id=vendor.vendor_profile.pk,
        title=title,
        price=Decimal(price),
        category_id=category.pk if category is not None else None,
        description=description,
        brand=brand,
        variants=[
            services.VariantSpec(sku=sku, size=size, colour=colour, stock=stock)
            for sku, size, colour, stock in (variants or [])
        ],
        **extra,
    )
    if publish:
        product = services.product_publish(product=product)
    return product


def make_order(
    customer: User,
    *,
    vendor: User | None = None,
    product: Any = None,
    status: str = "paid",
    vendor_status: str | None = None,
    items: int = 1,
) -> Any:
    """A minimal order of one vendor written with the ORM (orders' checkout is not
    needed to test what happens after it): the Order, its VendorOrder and, with a
    `product`, `items` OrderItems of its first variant."""
    from datetime import timedelta
    from decimal import Decimal

    from django.utils import timezone

    from shared_domain.orders.models import Order, OrderItem, VendorOrder

    vendor = vendor or VendorFactory.create()
    order = Order.objects.create(
        customer=customer,
        number=f"FS-{customer.pk}-{Order.objects.count() + 1}-{timezone.now().timestamp()}",
        status=status,
        currency="NGN",
        subtotal=Decimal("100.00"),
        total=Decimal("100.00"),
        shipping_address={"name": "A", "line1": "1 Road", "city": "Lagos", "country": "NG"},
        expires_at=timezone.now() + timedelta(minutes=30),
    )
    vendor_order = VendorOrder.objects.create(
        order=order,
        vendor=vendor.vendor_profile,
        status=vendor_status or status,
        subtotal=Decimal("100.00"),
        commission_rate=Decimal("0.1000"),
        commission_amount=Decimal("10.00"),
        vendor_payout=Decimal("90.00"),
    )
    for _ in range(items if product is not None else 0):
        variant = product.variants.order_by("pk").first()
        OrderItem.objects.create(
            order=order,
            vendor_order=vendor_order,
            variant=variant,
            product_id=product.pk,
            title=product.title,
            sku=variant.sku,
            size=variant.size,
            colour=variant.colour,
            unit_price=Decimal("100.00"),
            currency="NGN",
            quantity=1,
            line_total=Decimal("100.00"),
        )
    return order
