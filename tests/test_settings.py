"""The shipped settings, started as an office would start them: no configuration at all.

Each test runs `python -m guangying` in a child process with a clean
environment, so nothing from the test settings leaks into what is checked.
"""

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

MARK = "SECRET="


def environment(data_dir: Path, **values: str) -> dict[str, str]:
    # Nothing of the test run's own configuration: not its settings module, not
    # DJANGO_ALLOW_ASYNC_UNSAFE that browser tests set, not its GUANGYING_* values.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GUANGYING_", "DJANGO_"))}
    env.update({"GUANGYING_DATA_DIR": str(data_dir), "GUANGYING_DEBUG": "0"})
    env.update(values)
    return env


def guangying(data_dir: Path, *args: str, **values: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "guangying", *args],
        env=environment(data_dir, **values), capture_output=True, text=True, timeout=120,
        preexec_fn=lambda: os.umask(0),  # the key file's mode must not depend on the umask
    )


def secret_key_in_use(data_dir: Path) -> str:
    result = guangying(data_dir, "shell", "-c",
                       f"from django.conf import settings; print('{MARK}' + settings.SECRET_KEY)")
    assert result.returncode == 0, result.stderr
    [line] = [x for x in result.stdout.splitlines() if x.startswith(MARK)]
    return line.removeprefix(MARK)


def test_the_deploy_check_passes_without_any_configuration(tmp_path: Path) -> None:
    data_dir = tmp_path / "new" / "data"
    result = guangying(data_dir, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert (data_dir / "secret_key").exists()


@pytest.mark.parametrize(("values", "check_id"), [
    ({"GUANGYING_DEBUG": "1"}, "security.W018"),
    ({"GUANGYING_SECRET_KEY": "too-short"}, "security.W009"),
    ({"GUANGYING_ALLOWED_HOSTS": " "}, "security.W020"),
])
def test_the_deploy_check_does_fail_on_a_bad_configuration(
    tmp_path: Path, values: dict[str, str], check_id: str
) -> None:
    """The check above means something: the same command refuses what is unsafe."""
    result = guangying(tmp_path, "check", "--deploy", "--fail-level", "WARNING", **values)
    assert result.returncode != 0
    assert check_id in result.stdout + result.stderr


def test_a_secret_key_file_is_made_private_and_reused(tmp_path: Path) -> None:
    first = secret_key_in_use(tmp_path)
    key_file = tmp_path / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert key_file.read_text() == first
    assert len(first) >= 50 and len(set(first)) >= 5
    assert "test-only-key" not in first

    second = secret_key_in_use(tmp_path)
    assert second == first  # the same key on the next start: sessions and reset links survive
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_each_installation_gets_its_own_key(tmp_path: Path) -> None:
    assert secret_key_in_use(tmp_path / "one") != secret_key_in_use(tmp_path / "two")


def test_a_configured_key_wins_and_no_file_is_written(tmp_path: Path) -> None:
    configured = "configured-" + "k" * 50
    result = guangying(tmp_path, "shell", "-c",
                       f"from django.conf import settings; print('{MARK}' + settings.SECRET_KEY)",
                       GUANGYING_SECRET_KEY=configured)
    assert f"{MARK}{configured}" in result.stdout
    assert not (tmp_path / "secret_key").exists()
