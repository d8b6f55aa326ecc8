from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from shared_domain.accounts import roles
from shared_domain.accounts.emails import normalize_email


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **fields: Any) -> User:
        if not email:
            raise ValueError("An email address is required")
        user = self.model(email=normalize_email(email), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **fields: Any) -> User:
        fields.setdefault("is_staff", False)
        fields.setdefault("is_superuser", False)
        return self._create(email, password, **fields)

    def create_superuser(self, email: str, password: str | None = None, **fields: Any) -> User:
        fields.update(is_staff=True, is_superuser=True, role=User.Role.STAFF, email_verified=True)
        return self._create(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in with an email address. The role decides which API
    surfaces they may use; vendors and customers get a profile each."""

    Role = roles.Role

    email = models.EmailField(max_length=254, unique=True)
    full_name = models.CharField(max_length=150, blank=True)
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.CUSTOMER)
    email_verified = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)
    # Bumped on password change/reset and "log out everywhere": every token issued
    # before carries the old version and is refused.
    token_version = models.PositiveIntegerField(default=1)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = ["full_name"]

    class Meta:
        ordering = ("id",)

    def __str__(self) -> str:
        return self.email

    def clean(self) -> None:
        super().clean()
        self.email = normalize_email(self.email)

    @property
    def is_vendor(self) -> bool:
        return self.role == self.Role.VENDOR

    @property
    def is_customer(self) -> bool:
        return self.role == self.Role.CUSTOMER

    @property
    def is_platform_staff(self) -> bool:
        return self.role == self.Role.STAFF or self.is_staff


class CustomerProfile(models.Model):
    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="customer_profile")
    phone = models.CharField(max_length=32, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"customer {self.user_id}"


STORE_NAME_CONSTRAINT = "vendorprofile_store_name_ci_uniq"
STORE_SLUG_CONSTRAINT = "vendorprofile_slug_ci_uniq"


class VendorProfile(models.Model):
    """A store on the marketplace. Payout details route the vendor's share of each
    order: a Paystack subaccount code and/or a Stripe connected account id."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="vendor_profile")
    store_name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=140, unique=True)
    description = models.TextField(blank=True)
    verified = models.BooleanField(default=False)
    paystack_subaccount_code = models.CharField(max_length=64, blank=True)
    stripe_account_id = models.CharField(max_length=64, blank=True)
    # The platform's share of this vendor's sales; empty: MARKETPLACE_COMMISSION_RATE.
    commission_rate = models.DecimalField(
        max_digits=5,
        decimal_places=4,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(1))],
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            # "Ada Styles" and "ada styles" are one store to a shopper.
            models.UniqueConstraint(Lower("store_name"), name=STORE_NAME_CONSTRAINT),
            models.UniqueConstraint(Lower("slug"), name=STORE_SLUG_CONSTRAINT),
        ]

    def __str__(self) -> str:
        return self.store_name


class OneTimeCode(models.Model):
    """A 6-digit code sent by email. Only an HMAC of it is stored; it expires, allows
    a few attempts, is single use, and a newer code of the same purpose replaces it."""

    class Purpose(models.TextChoices):
        VERIFY_EMAIL = "verify_email", "Verify email"
        PASSWORD_RESET = "password_reset", "Password reset"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="one_time_codes")
    purpose = models.CharField(max_length=20, choices=Purpose.choices)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    # Set when used, or when a newer code replaced this one.
    consumed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["user", "purpose"],
                name="otp_live_idx",
                condition=models.Q(consumed_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return f"{self.purpose} code for user {self.user_id}"


class RefreshToken(models.Model):
    """An issued refresh token (by its jti). Refreshing revokes it and issues the next
    one of the same family; presenting a revoked one revokes the whole family, since
    it means the token was stolen or replayed."""

    jti = models.CharField(max_length=32, primary_key=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="refresh_tokens"
    )
    family = models.CharField(max_length=32, db_index=True)
    issued_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(db_index=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    replaced_by = models.CharField(max_length=32, blank=True)

    def __str__(self) -> str:
        return f"refresh {self.jti} of user {self.user_id}"
