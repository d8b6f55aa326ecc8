"""Test data factories."""

from __future__ import annotations

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
