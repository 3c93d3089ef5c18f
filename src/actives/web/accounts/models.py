"""Users, companies, roles and API tokens.

A company member belongs to exactly one company and sees only its records; centre staff
(analysts, managers, administrators) belong to the centre and see every company's records.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import TYPE_CHECKING

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser


class Role(models.TextChoices):
    """What a user may see and do on the platform."""

    COMPANY_MEMBER = "member", _("Company member")
    CENTRE_ANALYST = "analyst", _("Centre analyst")
    CENTRE_MANAGER = "manager", _("Centre manager")
    ADMIN = "admin", _("Administrator")


CENTRE_ROLES = frozenset({Role.CENTRE_ANALYST, Role.CENTRE_MANAGER, Role.ADMIN})


class CompanyQuerySet(models.QuerySet["Company"]):
    """Companies a user may see: all for centre staff, their own for members."""

    def visible_to(self, user: User | AnonymousUser) -> CompanyQuerySet:
        """Same rule as :meth:`CompanyScopedQuerySet.visible_to`, applied to companies."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if getattr(user, "is_centre_staff", False):
            return self
        company_id = getattr(user, "company_id", None)
        return self.none() if company_id is None else self.filter(pk=company_id)


class Company(models.Model):
    """A client company of the centre; every operational record belongs to one."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    name_ko = models.CharField(_("Korean name"), max_length=200, blank=True)
    business_number = models.CharField(_("business registration number"), max_length=20, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    history = HistoricalRecords()

    objects = CompanyQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("company")
        verbose_name_plural = _("companies")

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A person who signs in: a company member or a member of the centre's staff."""

    role = models.CharField(
        _("role"), max_length=16, choices=Role.choices, default=Role.COMPANY_MEMBER
    )
    company = models.ForeignKey(
        Company,
        verbose_name=_("company"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        help_text=_("Required for company members; empty for centre staff."),
    )
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    @property
    def is_centre_staff(self) -> bool:
        """Analysts, managers and administrators of the centre see every company's records."""
        return self.is_superuser or self.role in CENTRE_ROLES

    @property
    def is_centre_manager(self) -> bool:
        """Managers and administrators may manage companies, members and services."""
        return self.is_superuser or self.role in {Role.CENTRE_MANAGER, Role.ADMIN}

    def clean(self) -> None:
        super().clean()
        if self.role == Role.COMPANY_MEMBER and self.company_id is None and not self.is_superuser:
            raise ValidationError(
                {"company": _("A company member must belong to a company; choose one.")}
            )
        if self.role in CENTRE_ROLES and self.company_id is not None:
            raise ValidationError(
                {"company": _("Centre staff do not belong to a client company; leave it empty.")}
            )

    def save(self, *args: object, **kwargs: object) -> None:
        if self.role == Role.ADMIN:
            self.is_staff = True
            self.is_superuser = True
        super().save(*args, **kwargs)  # type: ignore[arg-type]


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token for the JSON API; only its SHA-256 hash is stored."""

    PREFIX = "act_"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    hint = models.CharField(max_length=12, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.hint}…)"

    @classmethod
    def issue(cls, user: User, name: str) -> tuple[ApiToken, str]:
        """Create a token and return it with the raw secret, which is shown once."""
        raw = cls.PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(
            user=user, name=name, token_hash=_hash_token(raw), hint=raw[: len(cls.PREFIX) + 4]
        )
        return token, raw

    @classmethod
    def authenticate(cls, raw: str) -> User | None:
        """The active user behind a raw token, or None; records when it was last used."""
        token = (
            cls.objects.select_related("user", "user__company")
            .filter(token_hash=_hash_token(raw))
            .first()
        )
        now = timezone.now()
        if token is None or not token.user.is_active:
            return None
        if token.expires_at is not None and token.expires_at <= now:
            return None
        cls.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user


def current_user(request: HttpRequest) -> User:
    """The signed-in user of a request that passed ``login_required``, typed as our User."""
    user = request.user
    if not isinstance(user, User):
        raise TypeError("current_user() needs a signed-in request (use @login_required)")
    return user
