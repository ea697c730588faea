"""The automatic check of every video, as the web application keeps it.

The engine (`guangying.inspection`) knows nothing of Django; this module
decides when it runs and what its reports mean for a work:

- a stored video gets a headers-only check at once (a fraction of a second,
  bounded) so the unit sees the obvious faults on the next page, and a full
  check queued for the worker;
- one stored inspection per video, mode and rule-set fingerprint: asking
  again for the same fingerprint finds the one already there, which makes
  "re-check all" resumable and two clicks at once harmless;
- the worker writes progress and a heartbeat; a run whose heartbeat went
  stale (its worker was killed) is queued again by `sweep()`, which runs
  when work is queued, when a worker starts and from a management command,
  so no work stays 「检查中」 for ever;
- a new video of a slot takes over from the previous one only when its full
  check has ended (`promote`);
- what blocks handing in: a hard rule that failed or could not be checked,
  unless the organiser waived that rule for the work, and a full check that
  is missing or unfinished.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from guangying.inspection.report import Line, Outcome, Report

from .models import Attachment, Episode, Inspection, Waiver, Work, WorkHistory

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
METADATA_WALL_S = 15.0  # the inline headers-only check: normally well under a second
HEARTBEAT_EVERY_S = 2.0
# A whole-file failure (the checker never finished) is waived under this id.
WHOLE_FILE = "inspection"
BLOCKING_OUTCOMES = (Outcome.FAIL, Outcome.ERROR)


def stale_after() -> timedelta:
    """How long a running check may go without a heartbeat before it counts as abandoned."""
    seconds = getattr(settings, "GUANGYING_INSPECTION_STALE_S", None)
    if seconds is None:
        seconds = float(os.environ.get("GUANGYING_INSPECTION_STALE_S", "300"))
    return timedelta(seconds=float(seconds))


def fingerprint(ruleset_data: dict) -> str:
    """What the judgement depends on: the technical rules, nothing else of the rule set.

    Moving a deadline must not make every report out of date; changing a rule must.
    """
    technical = ruleset_data.get("technical", [])
    text = json.dumps(technical, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def campaign_fingerprint(work: Work) -> str:
    return fingerprint(work.campaign.ruleset_data)


# --------------------------------------------------------------------------
# Queuing


def on_attachment_saved(sender: type, instance: Attachment, created: bool, **kwargs: object) -> None:
    """post_save: a new video is checked once its row is committed, whoever stored it."""
    if not created or instance.kind != Attachment.VIDEO or kwargs.get("raw"):
        return
    pk = instance.pk
    transaction.on_commit(lambda: start_checks(pk))


def start_checks(attachment_id: int) -> None:
    """The headers-only check now, the full check queued; never raises into the request."""
    try:
        attachment = Attachment.objects.select_related("work__campaign").get(pk=attachment_id)
    except Attachment.DoesNotExist:
        return
    try:
        run_metadata(attachment)
    except Exception:  # the full check still comes; the page must not fail for the quick one
        logger.exception("metadata check of attachment %s failed", attachment_id)
    queue_full(attachment)
    try:
        sweep()
    except Exception:
        logger.exception("sweep of stale inspections failed")


def _get_or_create(attachment: Attachment, mode: str, print_: str) -> tuple[Inspection, bool]:
    """One row per video, mode and fingerprint; the unique constraint settles races."""
    try:
        with transaction.atomic():
            return Inspection.objects.get_or_create(
                attachment=attachment, mode=mode, ruleset_fingerprint=print_
            )
    except IntegrityError:
        return Inspection.objects.get(attachment=attachment, mode=mode, ruleset_fingerprint=print_), False


def queue_full(attachment: Attachment, *, retry_failed: bool = False) -> Inspection:
    """Queue the full check against the campaign's current rules, unless it is already there."""
    from .tasks import inspect_video

    inspection, created = _get_or_create(attachment, Inspection.Mode.FULL,
                                         campaign_fingerprint(attachment.work))
    if not created:
        if not (retry_failed and inspection.status == Inspection.Status.FAILED):
            return inspection
        reset = Inspection.objects.filter(pk=inspection.pk, status=Inspection.Status.FAILED).update(
            status=Inspection.Status.QUEUED, progress=0.0, attempts=0, error="",
            heartbeat_at=None, started_at=None, finished_at=None,
        )
        if not reset:
            return inspection
        inspection.refresh_from_db()
    inspect_video.enqueue(inspection.pk)
    inspection.refresh_from_db()
    return inspection


def run_metadata(attachment: Attachment) -> Inspection:
    """The headers-only check, inline and bounded in time; done once per fingerprint."""
    from guangying.inspection.sandbox import Limits

    inspection, _created = _get_or_create(attachment, Inspection.Mode.METADATA,
                                          campaign_fingerprint(attachment.work))
    if inspection.status == Inspection.Status.DONE:
        return inspection
    Inspection.objects.filter(pk=inspection.pk).update(
        status=Inspection.Status.RUNNING, started_at=timezone.now(), heartbeat_at=timezone.now(),
        attempts=inspection.attempts + 1,
    )
    report = _inspect(attachment, "metadata", Limits(wall_s=METADATA_WALL_S))
    _finish(inspection.pk, report)
    inspection.refresh_from_db()
    return inspection


# --------------------------------------------------------------------------
# Running (in the worker)


@contextmanager
def local_copy(attachment: Attachment) -> Iterator[Path]:
    """A path the child process can open: the stored file itself, or a copy of it.

    Object storage has no path; the file is then copied in chunks to a temporary file.
    """
    try:
        yield Path(attachment.file.path)
        return
    except NotImplementedError:
        pass
    suffix = Path(attachment.file.name).suffix
    with tempfile.NamedTemporaryFile(suffix=suffix) as copy:
        with attachment.file.open("rb") as source:
            shutil.copyfileobj(source, copy, 1024 * 1024)
        copy.flush()
        yield Path(copy.name)


def _inspect(attachment: Attachment, mode: str, limits: object | None,
             on_progress: object | None = None) -> Report:
    from guangying.inspection import engine

    work = attachment.work
    with local_copy(attachment) as path:
        return engine.inspect(
            path, work.campaign.rules, entrant=work.entrant.name, title=work.title,
            declares_ai=work.uses_ai, mode=mode, limits=limits, on_progress=on_progress,
            file_name=attachment.original_name,
        )


def _finish(pk: int, report: Report) -> bool:
    return bool(Inspection.objects.filter(pk=pk).update(
        status=Inspection.Status.DONE, report=report.to_dict(), outcome=report.outcome.value,
        progress=1.0, finished_at=timezone.now(), heartbeat_at=timezone.now(), error="",
    ))


def _fail(pk: int, error: str) -> None:
    Inspection.objects.filter(pk=pk).update(
        status=Inspection.Status.FAILED, outcome=Outcome.ERROR.value, error=error[:2000],
        finished_at=timezone.now(),
    )


def run_full(inspection_id: int) -> str:
    """The worker's side: claim the queued row, run the engine, store the report."""
    from guangying.inspection.sandbox import Limits

    now = timezone.now()
    claimed = Inspection.objects.filter(pk=inspection_id, status=Inspection.Status.QUEUED).update(
        status=Inspection.Status.RUNNING, started_at=now, heartbeat_at=now, progress=0.0,
    )
    if not claimed:
        return "not queued"  # done, running elsewhere, or its video was deleted
    inspection = Inspection.objects.select_related("attachment__work__campaign",
                                                   "attachment__work__entrant").get(pk=inspection_id)
    Inspection.objects.filter(pk=inspection_id).update(attempts=inspection.attempts + 1)
    attachment = inspection.attachment
    if inspection.attempts + 1 > MAX_ATTEMPTS:
        _fail(inspection_id, _("检查多次中断，未能完成。"))
        promote(attachment)
        return "gave up"
    if not attachment.file or not attachment.file.storage.exists(attachment.file.name):
        _fail(inspection_id, _("文件已不存在，无法检查。"))
        return "file missing"

    last = [0.0]

    def beat(fraction: float) -> None:
        moment = time.monotonic()
        if moment - last[0] < HEARTBEAT_EVERY_S and fraction < 1.0:
            return
        last[0] = moment
        Inspection.objects.filter(pk=inspection_id, status=Inspection.Status.RUNNING).update(
            progress=min(0.99, fraction), heartbeat_at=timezone.now()
        )

    duration = None
    metadata = (Inspection.objects.filter(attachment=attachment, mode=Inspection.Mode.METADATA,
                                          status=Inspection.Status.DONE)
                .values_list("report", flat=True).first())
    if metadata:
        duration = ((metadata.get("facts") or {}).get("media") or {}).get("duration_s")
    try:
        report = _inspect(attachment, "full", Limits.for_duration(duration), on_progress=beat)
    except Exception as error:
        logger.exception("full check of attachment %s failed", attachment.pk)
        _fail(inspection_id, f"{type(error).__name__}: {error}")
        promote(attachment)
        return "failed"
    if not _finish(inspection_id, report):
        return "deleted meanwhile"
    promote(attachment)
    return report.outcome.value


def promote(attachment: Attachment) -> int:
    """The checked video takes over its slot: older videos of the slot become superseded."""
    return Attachment.objects.filter(
        Q(uploaded_at__lt=attachment.uploaded_at)
        | Q(uploaded_at=attachment.uploaded_at, pk__lt=attachment.pk),
        work_id=attachment.work_id, episode_id=attachment.episode_id, kind=Attachment.VIDEO,
        superseded_at__isnull=True,
    ).update(superseded_at=timezone.now())


def sweep(*, older_than: timedelta | None = None) -> int:
    """Queue again every run whose worker stopped beating, and check videos never checked.

    Each row is taken back with a conditional update, so two sweeps at once queue it once.
    """
    from .tasks import inspect_video

    limit = timezone.now() - (older_than if older_than is not None else stale_after())
    stale = Inspection.objects.filter(status=Inspection.Status.RUNNING, mode=Inspection.Mode.FULL).filter(
        Q(heartbeat_at__lt=limit) | Q(heartbeat_at__isnull=True, started_at__lt=limit)
    )
    count = 0
    for row in stale.values("pk", "heartbeat_at", "attempts"):
        taken = Inspection.objects.filter(
            pk=row["pk"], status=Inspection.Status.RUNNING, heartbeat_at=row["heartbeat_at"]
        ).update(status=Inspection.Status.QUEUED, progress=0.0)
        if taken:
            inspect_video.enqueue(row["pk"])
            count += 1
    never = Attachment.objects.filter(
        kind=Attachment.VIDEO, superseded_at__isnull=True, inspections__isnull=True
    ).select_related("work__campaign")
    for attachment in never[:500]:
        queue_full(attachment)
        count += 1
    return count


# --------------------------------------------------------------------------
# Reading


@dataclass
class VideoCheck:
    """What a page shows of one episode's video: its full check, or the quick one meanwhile."""

    episode: Episode | None
    attachment: Attachment
    full: Inspection | None
    metadata: Inspection | None
    fingerprint: str

    @property
    def shown(self) -> Inspection | None:
        if self.full is not None and self.full.status == Inspection.Status.DONE:
            return self.full
        return self.metadata if self.metadata is not None and self.metadata.report else self.full

    @property
    def report(self) -> Report | None:
        shown = self.shown
        return Report.from_dict(shown.report) if shown is not None and shown.report else None

    @property
    def finished(self) -> bool:
        return self.full is not None and self.full.status in (Inspection.Status.DONE,
                                                              Inspection.Status.FAILED)

    @property
    def pending(self) -> bool:
        return not self.finished


def latest(attachment: Attachment, mode: str, print_: str) -> Inspection | None:
    """The inspection for these rules, or the latest one against older rules."""
    rows = Inspection.objects.filter(attachment=attachment, mode=mode)
    return rows.filter(ruleset_fingerprint=print_).first() or rows.first()


def video_check(attachment: Attachment, print_: str | None = None) -> VideoCheck:
    print_ = print_ or campaign_fingerprint(attachment.work)
    full = Inspection.objects.filter(attachment=attachment, mode=Inspection.Mode.FULL,
                                     ruleset_fingerprint=print_).first()
    metadata = latest(attachment, Inspection.Mode.METADATA, print_)
    return VideoCheck(attachment.episode, attachment, full, metadata, print_)


def newest_videos(work: Work) -> list[Attachment]:
    """Per episode, the video that will count: the newest one not superseded."""
    chosen: dict[int | None, Attachment] = {}
    for attachment in work.attachments.filter(kind=Attachment.VIDEO, superseded_at__isnull=True,
                                              episode__isnull=False).order_by("uploaded_at", "pk"):
        chosen[attachment.episode_id] = attachment
    return sorted(chosen.values(), key=lambda a: a.episode.number if a.episode else 0)


def work_checks(work: Work) -> list[VideoCheck]:
    print_ = campaign_fingerprint(work)
    return [video_check(a, print_) for a in newest_videos(work)]


def waived_checks(work: Work) -> set[str]:
    return set(Waiver.objects.filter(work=work).values_list("check_id", flat=True))


def blocking_lines(report: Report) -> list[Line]:
    """Hard rules that failed — and hard rules that could not be checked.

    A file the checker cannot read on a hard rule is treated like a failure: the
    notice's requirement is not shown to be met, and a file FFmpeg cannot read is
    rarely one a jury can play. The organiser may waive it after looking.
    """
    return [line for line in report.lines
            if line.severity == "hard" and line.outcome in BLOCKING_OUTCOMES]


def _episode_name(check: VideoCheck, several: bool) -> str:
    if several and check.episode is not None:
        return _("第 %(n)s 集") % {"n": check.episode.number}
    return _("视频")


def inspection_problems(work: Work) -> list[str]:
    """What the automatic check says stands between the work and handing in."""
    checks = work_checks(work)
    several = len(checks) > 1
    waived = waived_checks(work)
    problems: list[str] = []
    for check in checks:
        name = _episode_name(check, several)
        full = check.full
        if full is None or full.status in (Inspection.Status.QUEUED, Inspection.Status.RUNNING):
            if full is not None and full.status == Inspection.Status.RUNNING:
                problems.append(_("%(name)s正在自动检查（%(p)s%%），完成后才能提交。")
                                % {"name": name, "p": int(full.progress * 100)})
            else:
                problems.append(_("%(name)s的自动检查尚未完成，完成后才能提交。") % {"name": name})
            continue
        if full.status == Inspection.Status.FAILED:
            if WHOLE_FILE not in waived:
                problems.append(_("%(name)s未能完成自动检查：%(error)s 请重新上传或联系主办方。")
                                % {"name": name, "error": full.error})
            continue
        report = Report.from_dict(full.report or {})
        for line in blocking_lines(report):
            if line.check in waived:
                continue
            if line.outcome == Outcome.ERROR:
                problems.append(_("%(name)s「%(label)s」无法检查：%(message)s")
                                % {"name": name, "label": line.label,
                                   "message": line.message or report.problem or ""})
            else:
                problems.append(_("%(name)s「%(label)s」不符合要求：实际 %(actual)s，要求 %(requested)s。")
                                % {"name": name, "label": line.label, "actual": line.actual,
                                   "requested": line.requested})
    return problems


# --------------------------------------------------------------------------
# The organiser's side


class WaiverRefused(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def waive(work: Work, check_id: str, reason: str, user: object) -> Waiver:
    """Accept one rule's failure for one work; the reason is required and goes into the history."""
    reason = (reason or "").strip()
    if not reason:
        raise WaiverRefused(_("请填写豁免理由。"))
    check_id = (check_id or "").strip()
    if not check_id or len(check_id) > 60:
        raise WaiverRefused(_("请选择要豁免的检查项。"))
    with transaction.atomic():
        waiver, created = Waiver.objects.get_or_create(
            work=work, check_id=check_id, defaults={"reason": reason, "by": user}
        )
        if not created:
            Waiver.objects.filter(pk=waiver.pk).update(reason=reason, by=user, at=timezone.now())
            waiver.refresh_from_db()
        WorkHistory.objects.create(
            work=work, action=WorkHistory.Action.WAIVE, from_state=work.state, to_state=work.state,
            actor=user, reason=f"{check_id}：{reason}",
        )
    return waiver


@dataclass
class RecheckProgress:
    total: int
    done: int
    running: int
    queued: int
    failed: int

    @property
    def fraction(self) -> float:
        return (self.done + self.failed) / self.total if self.total else 1.0

    @property
    def finished(self) -> bool:
        return self.done + self.failed >= self.total


def campaign_videos(campaign: object) -> list[Attachment]:
    return list(
        Attachment.objects.filter(work__campaign=campaign, kind=Attachment.VIDEO,
                                  superseded_at__isnull=True, episode__isnull=False)
        .exclude(work__state__in=["withdrawn"])
        .select_related("work__campaign", "work__entrant", "episode")
    )


def recheck_all(campaign: object) -> int:
    """Queue the full check of every current video against the current rules.

    Already done (or running, or queued) for this fingerprint: left alone, so starting
    again after an interruption only does what is left.
    """
    queued = 0
    for attachment in campaign_videos(campaign):
        inspection = queue_full(attachment, retry_failed=True)
        if inspection.status == Inspection.Status.QUEUED:
            queued += 1
    return queued


def recheck_progress(campaign: object) -> RecheckProgress:
    print_ = fingerprint(campaign.ruleset_data)
    videos = campaign_videos(campaign)
    statuses = dict(
        Inspection.objects.filter(attachment__in=videos, mode=Inspection.Mode.FULL,
                                  ruleset_fingerprint=print_).values_list("attachment_id", "status")
    )
    counts = {status: 0 for status in Inspection.Status.values}
    for video in videos:
        status = statuses.get(video.pk)
        if status is not None:
            counts[status] += 1
    return RecheckProgress(total=len(videos), done=counts["done"], running=counts["running"],
                           queued=counts["queued"], failed=counts["failed"])
