"""Signing in and out, lock-out after repeated failures, password storage and reset."""

import re

import pytest
from django.contrib.auth.hashers import make_password
from django.test import Client
from django.urls import reverse

from guangying.accounts.models import User
from tests.factories import PASSWORD, UserFactory

LOGIN = reverse("accounts:login")
WRONG = "邮箱或密码不正确。请注意密码区分大小写。"
LOCKED = "登录已暂时锁定"


@pytest.fixture
def person(db) -> User:
    return UserFactory(email="li.ming@example.org", name="李明")


def signed_in(client: Client) -> int | None:
    value = client.session.get("_auth_user_id")
    return int(value) if value else None


def log_in(client: Client, email: str, password: str, **extra: str):
    return client.post(LOGIN, {"username": email, "password": password, **extra})


@pytest.mark.parametrize("typed", ["li.ming@example.org", "Li.Ming@Example.ORG", "  LI.MING@EXAMPLE.ORG "])
def test_log_in_by_email_in_any_case(client, person, typed: str) -> None:
    response = log_in(client, typed, PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert signed_in(client) == person.pk
    assert "李明" in client.get(reverse("home")).content.decode()


def test_a_wrong_password_is_refused_in_chinese(client, person) -> None:
    response = log_in(client, person.email, PASSWORD.upper())
    assert response.status_code == 200
    assert WRONG in response.content.decode()
    assert signed_in(client) is None


def test_an_unknown_address_gets_the_same_answer(client, person) -> None:
    """Nobody can learn from the log-in page which addresses have accounts."""
    response = log_in(client, "nobody@example.org", PASSWORD)
    assert response.status_code == 200
    assert WRONG in response.content.decode()


def test_a_deactivated_account_cannot_sign_in(client, person) -> None:
    User.objects.filter(pk=person.pk).update(is_active=False)
    response = log_in(client, person.email, PASSWORD)
    assert response.status_code == 200
    assert signed_in(client) is None


def test_after_signing_in_the_person_returns_to_the_page_they_asked_for(client, person, hubei) -> None:
    wanted = reverse("campaigns:dashboard", args=[hubei.slug])
    response = client.get(wanted)
    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next={wanted}"
    response = log_in(client, person.email, PASSWORD, next=wanted)
    assert response["Location"] == wanted


def test_a_next_address_on_another_site_is_ignored(client, person) -> None:
    response = log_in(client, person.email, PASSWORD, next="https://evil.example/steal")
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_a_signed_in_person_skips_the_login_page(client, person) -> None:
    client.force_login(person)
    response = client.get(LOGIN)
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


# --------------------------------------------------------------------------
# Lock-out (django-axes)


def test_five_failures_lock_the_account_on_this_address(client, person) -> None:
    for attempt in range(1, 5):
        response = log_in(client, person.email, f"wrong-{attempt}")
        assert response.status_code == 200, attempt
        assert WRONG in response.content.decode()
    fifth = log_in(client, person.email, "wrong-5")
    assert fifth.status_code == 429
    assert LOCKED in fifth.content.decode()
    assert "请 15\u00a0分钟 后再试" in fifth.content.decode()  # in words, not 「PT15M」
    # Now even the right password is refused, with the same page.
    right = log_in(client, person.email, PASSWORD)
    assert right.status_code == 429
    assert LOCKED in right.content.decode()
    assert "重设密码" in right.content.decode()
    assert signed_in(client) is None


def test_changing_the_case_of_the_address_does_not_buy_more_tries(client, person) -> None:
    spellings = ["li.ming@example.org", "Li.ming@example.org", "LI.MING@example.org",
                 "li.Ming@Example.org", "li.ming@EXAMPLE.ORG"]
    for spelling in spellings:
        log_in(client, spelling, "wrong")
    response = log_in(client, "Li.Ming@Example.Org", PASSWORD)
    assert response.status_code == 429
    assert signed_in(client) is None


def test_the_lock_is_per_account_and_address(person) -> None:
    other = UserFactory(email="other@example.org")
    here = Client(REMOTE_ADDR="10.0.0.1")
    for attempt in range(5):
        log_in(here, person.email, f"wrong-{attempt}")
    assert log_in(here, person.email, PASSWORD).status_code == 429
    # Another account from the same address, and the same account from elsewhere, still work.
    assert log_in(here, other.email, PASSWORD).status_code == 302
    elsewhere = Client(REMOTE_ADDR="10.0.0.2")
    assert log_in(elsewhere, person.email, PASSWORD).status_code == 302


def test_a_successful_log_in_clears_earlier_failures(client, person) -> None:
    for attempt in range(4):
        log_in(client, person.email, f"wrong-{attempt}")
    assert log_in(client, person.email, PASSWORD).status_code == 302
    client.post(reverse("accounts:logout"))
    for attempt in range(4):
        assert log_in(client, person.email, f"again-{attempt}").status_code == 200
    assert log_in(client, person.email, PASSWORD).status_code == 302


# --------------------------------------------------------------------------
# Passwords at rest


def test_passwords_are_stored_with_argon2(db) -> None:
    user = User.objects.create_user(email="new@example.org", password="Argon-Test-2026", name="新人")
    user.refresh_from_db()
    assert user.password.startswith("argon2")
    assert "Argon-Test-2026" not in user.password
    assert user.check_password("Argon-Test-2026")


def test_an_older_hash_is_upgraded_to_argon2_at_the_next_log_in(client, db) -> None:
    user = UserFactory(email="old@example.org",
                       password=make_password(PASSWORD, hasher="pbkdf2_sha256"))
    assert user.password.startswith("pbkdf2_sha256")
    assert log_in(client, "old@example.org", PASSWORD).status_code == 302
    user.refresh_from_db()
    assert user.password.startswith("argon2")


# --------------------------------------------------------------------------
# Log-out


def test_log_out_by_post(client, person) -> None:
    client.force_login(person)
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert signed_in(client) is None


def test_log_out_by_get_is_not_allowed(client, person) -> None:
    """A link or an image on another page must not sign anyone out."""
    client.force_login(person)
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert signed_in(client) == person.pk


def test_the_page_header_signs_out_with_a_form(client, person) -> None:
    client.force_login(person)
    page = client.get(reverse("home")).content.decode()
    assert re.search(rf'<form method="post" action="{reverse("accounts:logout")}">', page)


# --------------------------------------------------------------------------
# Password reset


def reset_link(message) -> str:
    match = re.search(r"https?://[^/\s]+(/accounts/password/reset/[^/\s]+/[^/\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


def test_password_reset_by_email(client, person, mailoutbox) -> None:
    response = client.post(reverse("accounts:password_reset"), {"email": "LI.MING@example.org"})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_done")
    [message] = mailoutbox
    assert message.to == ["li.ming@example.org"]
    assert message.subject == "光影：重设密码"
    assert "李明，您好" in message.body

    link = reset_link(message)
    response = client.get(link)
    assert response.status_code == 302  # Django swaps the token for a session and hides it
    form_url = response["Location"]
    page = client.get(form_url)
    assert "设置新密码" in page.content.decode()

    new = "Brand-New-Secret-2026"
    response = client.post(form_url, {"new_password1": new, "new_password2": new})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_complete")
    person.refresh_from_db()
    assert person.check_password(new)
    assert person.password.startswith("argon2")

    client.logout()
    assert log_in(client, person.email, PASSWORD).status_code == 200
    assert log_in(client, person.email, new).status_code == 302

    # The link works once.
    client.logout()
    used = client.get(link, follow=True)
    assert "链接已失效" in used.content.decode()


def test_a_weak_new_password_is_refused(client, person, mailoutbox) -> None:
    client.post(reverse("accounts:password_reset"), {"email": person.email})
    form_url = client.get(reset_link(mailoutbox[0]))["Location"]
    response = client.post(form_url, {"new_password1": "12345678", "new_password2": "12345678"})
    assert response.status_code == 200
    assert "密码只包含数字。" in response.content.decode()
    person.refresh_from_db()
    assert person.check_password(PASSWORD)


def test_a_reset_for_an_unknown_address_sends_nothing_and_says_the_same(client, db, mailoutbox) -> None:
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert mailoutbox == []
