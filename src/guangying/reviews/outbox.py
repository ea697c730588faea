"""The outbox: messages the review writes (results to units, reminders to reviewers) wait here to be read.

Nothing leaves the platform on its own: the organiser reads what will be sent, may drop a
message, and sends. A message is sent once; one that failed keeps its reason and may be
sent again. Sending happens message by message, each marked sent as soon as the mail
server took it, so a failure half-way loses nothing and sends nothing twice.

Messages leave from the site's own address (DEFAULT_FROM_EMAIL, often one nobody reads); their
Reply-To is the organiser who sends them, so that a unit answering its result notice, or a
reviewer answering a reminder, reaches a person.
"""

from __future__ import annotations

from collections.abc import Iterable
from email.utils import formataddr, parseaddr
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import log
from .models import OutgoingMail

MAX_BODY = 20000  # characters of one message


def hold(campaign: Any, kind: str, *, to_email: str, subject: str, body: str, to_name: str = "",
         by: Any = None, **links: Any) -> OutgoingMail:
    """Puts one message in the outbox, unsent; ``links`` are round=, entrant=, reviewer=."""
    user = by if getattr(by, "is_authenticated", False) else None
    return OutgoingMail.objects.create(
        campaign=campaign, kind=kind, to_email=to_email.strip(), to_name=to_name[:200],
        subject=" ".join(subject.split())[:200], body=body[:MAX_BODY], created_by=user, **links)


def reply_to(user: Any) -> list[str]:
    """The Reply-To of what ``user`` sends: their name and address, or nothing if they have no address."""
    address = " ".join(str(getattr(user, "email", "") or "").split())
    if not address:
        return []
    name = " ".join(str(getattr(user, "name", "") or "").split())
    return [formataddr((name, address)) if name else address]


def from_address() -> str:
    """The address messages leave from (without its display name), for the page to say."""
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or settings.DEFAULT_FROM_EMAIL


def pending(campaign: Any) -> Any:
    return OutgoingMail.objects.filter(campaign=campaign, sent_at__isnull=True)


def send(campaign: Any, mails: Iterable[OutgoingMail], *, by: Any) -> tuple[int, int]:
    """Sends the campaign's given unsent messages one by one; (sent, failed).

    From DEFAULT_FROM_EMAIL, replies to ``by`` (see ``reply_to``).
    """
    replies = reply_to(by)
    sent = failed = 0
    for mail in mails:
        with transaction.atomic():
            locked = OutgoingMail.objects.select_for_update().filter(
                pk=mail.pk, campaign=campaign, sent_at__isnull=True).first()
            if locked is None:
                continue  # sent meanwhile, from another page
            try:
                EmailMessage(subject=locked.subject, body=locked.body, to=[locked.to_email],
                             reply_to=replies).send()
            except Exception as error:  # any mail server failure is kept as the message's reason
                locked.failure = (str(error) or error.__class__.__name__)[:300]
                locked.save(update_fields=["failure"])
                failed += 1
                continue
            locked.sent_at, locked.sent_by, locked.failure = timezone.now(), by, ""
            locked.save(update_fields=["sent_at", "sent_by", "failure"])
            sent += 1
    if sent or failed:
        log.record(campaign, "mail_sent", _("发送邮件：成功 %(sent)s 封，失败 %(failed)s 封")
                   % {"sent": sent, "failed": failed}, actor=by, sent=sent, failed=failed)
    return sent, failed
