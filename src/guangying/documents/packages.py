"""One entrant's package: everything the notice asks to 「统一打包发送」, as one ZIP.

The notices ask units to bundle the original videos with the Word forms and the
signed scans and e-mail them; the platform keeps them separately and makes the
bundle on demand, for the unit to keep and for the organiser to file::

    某单位/
      作品汇总表.docx            the entrant's summary table (word.entrant_documents)
      清单.csv                  every member: original name, size, SHA-256
      一封家书/                  one folder per work, named after its title
        某单位+一封家书.mp4       the current video, named by the campaign's template
        作品登记表.docx …        the generated forms and the pre-filled pledge
        版权承诺书.pdf           the uploaded scans and scripts, named after their slot

Works withdrawn by the entrant are left out; every other work is in, in the
order it was created, each with its current files only (a superseded upload
stays on the platform and out of the package).

Who 「报送人（单位）」 is in Chongqing's file names (五、「文件名以“报送人（单位）+作品名称”
格式命名」): for a unit, its name; for an individual, the person's name with
their unit in full-width brackets, 「张三（某某中学）+作品名称」. The notice's
registration form asks individuals for 「个人（姓名）及单位」 and the preset
requires the unit (``individual_requires_unit``), so the name and the unit
together are what identifies the entrant, and two people of one name in two
units get two names. The file-name check (``FileNaming.missing_parts``) only
asks for the person's name to appear, so these names pass it too.

Sizes come from the storage itself and every member's size is known before
the first byte is sent, so the response carries its length: videos are stored
as they are (compressing video gains nothing) and read once; documents are
compressed, the uploaded ones read twice (they are small) so that their
compressed size is known too.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import PurePosixPath

from django.core.files.storage import Storage
from django.utils import timezone
from django.utils.translation import gettext as _

from guangying.campaigns.models import Entrant
from guangying.playback.storage import iter_range, local_path
from guangying.submissions.exports import FORMULA_START
from guangying.submissions.models import Attachment, CloudLink, Work, WorkState

from . import naming
from .zipstream import PRECOMPUTE_LIMIT, Member, ZipStream

MANIFEST_NAME = "清单.csv"


@dataclass(frozen=True)
class ManifestRow:
    """One line of 「清单.csv」: a file in the package, or one the package lacks and why."""

    path: str
    work: str
    kind: str
    original_name: str
    size: int | None
    sha256: str
    note: str = ""


@dataclass
class Package:
    """The members of one entrant's archive, ready to stream."""

    entrant: Entrant
    file_name: str
    members: list[Member]
    rows: list[ManifestRow]
    stream: ZipStream = field(init=False)

    def __post_init__(self) -> None:
        self.stream = ZipStream(self.members)

    @property
    def size(self) -> int | None:
        return self.stream.size

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.stream)


def entrant_label(entrant: Entrant) -> str:
    """The entrant as file names and the package's top folder show it: 「单位」 or 「姓名（单位）」."""
    return str(entrant)


def package_file_name(entrant: Entrant) -> str:
    """The name the browser saves the package under: campaign, entrant, 「材料包」."""
    campaign = entrant.campaign
    short = campaign.short_title or campaign.title
    return naming.safe_name(f"{short}-{entrant_label(entrant)}-{_('材料包')}.zip")


def _generated(entrant: Entrant | None = None, work: Work | None = None) -> list:
    """The generated forms of the entrant or the work (``guangying.documents.word``)."""
    from . import word

    if work is not None:
        return list(word.work_documents(work))
    return list(word.entrant_documents(entrant))


def _opener(storage: Storage, name: str) -> Callable[[], Iterable[bytes]] | str:
    path = local_path(storage, name)
    if path is not None:
        return path
    return lambda: iter_range(storage, name, 0, None)


def _suffix(attachment: Attachment) -> str:
    suffix = PurePosixPath(attachment.file.name).suffix.lower()
    if not suffix:
        suffix = PurePosixPath(attachment.original_name).suffix.lower()
    return suffix if naming.split_extension("x" + suffix)[1] else ""


def _stored_size(attachment: Attachment) -> int | None:
    """The file's size in storage, or None when storage no longer has it."""
    storage, name = attachment.file.storage, attachment.file.name
    try:
        if not name or not storage.exists(name):
            return None
        return storage.size(name)
    except OSError:
        return None


def _csv_cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def manifest_bytes(rows: Iterable[ManifestRow]) -> bytes:
    """「清单.csv」 in UTF-8 with a byte-order mark, which Excel on Chinese Windows needs to read it.

    A cell that would start a formula (a title such as 「=HYPERLINK(…)」) gets
    Excel's text mark 「'」 in front.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([_("包内文件"), _("作品名称"), _("材料"), _("原文件名"), _("大小（字节）"),
                     "SHA-256", _("说明")])
    for row in rows:
        writer.writerow([_csv_cell(v) for v in (
            row.path, row.work, row.kind, row.original_name, "" if row.size is None else row.size,
            row.sha256, row.note,
        )])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


class _Builder:
    def __init__(self, entrant: Entrant, now: datetime) -> None:
        self.entrant = entrant
        self.rules = entrant.campaign.rules
        self.now = timezone.localtime(now)
        self.tree = naming.Tree()
        self.members: list[Member] = []
        self.rows: list[ManifestRow] = []
        self.label = entrant_label(entrant)
        self.root = self.tree.folder("", self.label)
        self.kinds = {d.key: d.label for d in self.rules.documents if d.source == "upload"}

    def generated(self, folder: str, documents: Iterable, work_title: str) -> None:
        for document in documents:
            path = self.tree.file(folder, document.file_name)
            self.members.append(Member(path, document.content, deflate=True, modified=self.now))
            self.rows.append(ManifestRow(
                path, work_title, document.label, document.file_name, len(document.content),
                hashlib.sha256(document.content).hexdigest(), _("平台按填报内容生成"),
            ))

    def stored(self, folder: str, attachment: Attachment, name: str, kind: str, work_title: str,
               *, deflate: bool) -> None:
        size = _stored_size(attachment)
        if size is None:
            self.rows.append(ManifestRow(
                "", work_title, kind, attachment.original_name, attachment.size, attachment.sha256,
                _("存储中找不到该文件，未能打包，请联系主办方。"),
            ))
            return
        note = ""
        if size != attachment.size:
            note = _("存储中的文件大小（%(actual)s 字节）与上传时（%(size)s 字节）不符。") % {
                "actual": size, "size": attachment.size,
            }
        path = self.tree.file(folder, name)
        self.members.append(Member(
            path, _opener(attachment.file.storage, attachment.file.name), size=size, deflate=deflate,
            modified=timezone.localtime(attachment.uploaded_at),
        ))
        self.rows.append(ManifestRow(path, work_title, kind, attachment.original_name, size,
                                     attachment.sha256, note))

    def work(self, work: Work) -> None:
        title = work.title or str(_("（未命名作品）"))
        folder = self.tree.folder(self.root, title)
        self.videos(work, folder, title)
        self.generated(folder, _generated(work=work), title)
        attachments = sorted(
            (a for a in work.current_attachments() if a.kind in self.kinds),
            key=lambda a: (list(self.kinds).index(a.kind), a.uploaded_at, a.pk),
        )
        for attachment in attachments:
            label = self.kinds[attachment.kind]
            # A scan of more than PRECOMPUTE_LIMIT is stored as it is: its compressed size could
            # only be known by reading it twice, and the package's length would be unknown.
            self.stored(folder, attachment, label + _suffix(attachment), label, title,
                        deflate=attachment.size <= PRECOMPUTE_LIMIT)

    def videos(self, work: Work, folder: str, title: str) -> None:
        episodes = list(work.episodes.order_by("number"))
        series = len(episodes) > 1
        file_naming = self.rules.file_naming
        for episode in episodes:
            kind = _("视频") if not series else _("视频（第%(n)s集）") % {"n": episode.number}
            video = episode.current_video()
            if video is None:
                self.missing_video(episode, title, kind)
                continue
            name = naming.render_name(
                file_naming.template, entrant=self.label, title=title,
                episode=episode.number if series else None, episode_format=file_naming.episode_format,
                extension=_suffix(video), max_bytes=self.tree.budget(folder),
            )
            self.stored(folder, video, name, kind, title, deflate=False)

    def missing_video(self, episode: object, title: str, kind: str) -> None:
        link = (
            CloudLink.objects.filter(episode=episode, superseded_at__isnull=True)
            .order_by("-created_at", "-pk").first()
        )
        if link is not None:
            note = _("视频以网盘链接报送，尚未取回：%(url)s 提取码 %(code)s，有效期至 %(until)s") % {
                "url": link.url, "code": link.code or "—", "until": link.valid_until.isoformat(),
            }
        else:
            note = _("尚未上传视频。")
        self.rows.append(ManifestRow("", title, kind, "", None, "", note))

    def build(self) -> Package:
        self.generated(self.root, _generated(entrant=self.entrant), "")
        summary = list(self.members)
        manifest_path = self.tree.file(self.root, MANIFEST_NAME)
        works = (
            self.entrant.works.exclude(state=WorkState.WITHDRAWN)
            .select_related("campaign").order_by("created_at", "pk")
        )
        for work in works:
            work.campaign = self.entrant.campaign
            work.entrant = self.entrant
            self.work(work)
        manifest = Member(manifest_path, manifest_bytes(self.rows), deflate=True, modified=self.now)
        members = [*summary, manifest, *self.members[len(summary):]]
        return Package(self.entrant, package_file_name(self.entrant), members, list(self.rows))


def entrant_package(entrant: Entrant, *, now: datetime | None = None) -> Package:
    """The package of one entrant (a unit or an individual) of its campaign.

    Generated documents are made here, before the first byte is sent; the
    stored files are read while the archive streams.
    """
    return _Builder(entrant, now or timezone.now()).build()
