"""Background work for campaigns: e-mails go out from the worker, not the request.

An organiser inviting two hundred units should not wait for two hundred
SMTP round trips, and a slow mail server must not fail the page.
"""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import timezone
from django_tasks import task

from .models import Entrant, StaffInvitation


def _send(template: str, context: dict, to: str) -> None:
    """One e-mail from a subject and a body template, both named after `template`."""
    send_mail(
        subject=render_to_string(f"campaigns/email/{template}_subject.txt", context).strip(),
        message=render_to_string(f"campaigns/email/{template}.txt", context),
        from_email=None,
        recipient_list=[to],
    )


@task()
def send_unit_invitation(entrant_id: int) -> str:
    entrant = Entrant.objects.select_related("campaign").get(pk=entrant_id)
    if not entrant.contact_email:
        return "no address"
    if entrant.kind != Entrant.Kind.UNIT or not entrant.invitation_active:
        return "no invitation to send"  # individuals sign up themselves; a stopped link stays stopped
    link = settings.SITE_URL + entrant.invitation_url()
    _send("unit_invitation", {"entrant": entrant, "campaign": entrant.campaign, "link": link},
          entrant.contact_email)
    Entrant.objects.filter(pk=entrant.pk).update(invited_at=timezone.now())
    return entrant.contact_email


@task()
def send_staff_invitation(invitation_id: int) -> str:
    invitation = StaffInvitation.objects.select_related("campaign").get(pk=invitation_id)
    link = settings.SITE_URL + invitation.get_absolute_url()
    _send("staff_invitation",
          {"invitation": invitation, "campaign": invitation.campaign, "link": link},
          invitation.email)
    return invitation.email
