"""A Job: one piece of long work, its progress and its outcome, owned by a company."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from actives.web.accounts.scoping import CompanyScopedModel


class JobStatus(models.TextChoices):
    """Life cycle of a job: queued -> running -> done | failed."""

    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class Job(CompanyScopedModel):
    """Long work queued for the task worker; the page and API poll it for progress."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("kind"), max_length=64)
    title = models.CharField(_("title"), max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="jobs",
    )
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    progress_done = models.FloatField(_("done"), default=0)
    progress_total = models.FloatField(_("total"), null=True, blank=True)
    progress_message = models.CharField(_("progress message"), max_length=300, blank=True)
    result = models.JSONField(_("result"), null=True, blank=True)
    error_code = models.CharField(_("error code"), max_length=64, blank=True)
    error_message = models.TextField(_("error message"), blank=True)
    task_result_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("job")
        verbose_name_plural = _("jobs")

    def __str__(self) -> str:
        return f"{self.title} ({self.get_status_display()})"

    @property
    def percent(self) -> float | None:
        """Progress in percent, or None when the total is not known."""
        if self.status == JobStatus.DONE:
            return 100.0
        if not self.progress_total:
            return None
        return max(0.0, min(100.0, 100.0 * self.progress_done / self.progress_total))

    @property
    def is_finished(self) -> bool:
        """Whether the job has stopped (done or failed)."""
        return self.status in {JobStatus.DONE, JobStatus.FAILED}
