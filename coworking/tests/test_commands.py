"""Every management command of the project: --help, --dry-run where it changes data (and
then writes nothing), idempotent, a one-line summary last, listed in the README with an
example, and a failure ends in one clear line and exit status 1."""

from __future__ import annotations

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command, get_commands, load_command_class

from coworking.commands import ProjectCommand

ROOT = Path(__file__).resolve().parents[2]
# Long-running processes, not jobs: they change nothing themselves, the tasks they run do.
SERVICES = {"run_worker", "run_scheduler"}
# Commands that need arguments or a PostgreSQL load; their own tests run them
# (staff/tests/test_import_legacy.py, coworking/tests/test_bench.py).
OWN_TESTS = {"import_legacy", "seed_bench"}
PROJECT_APPS = {"accounts", "spaces", "bookings", "visits", "donations", "audit", "staff", "api", "coworking"}


def project_commands() -> dict[str, str]:
    return {name: app for name, app in get_commands().items() if app in PROJECT_APPS}


def _jobs() -> list[str]:
    return sorted(set(project_commands()) - SERVICES - OWN_TESTS)


def _run(name: str, *args: str) -> str:
    out = StringIO()
    call_command(name, *args, stdout=out)
    return out.getvalue()


def _rows() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.managed and model._meta.app_label in PROJECT_APPS | {"django_tasks_database"}
    }


def test_the_project_has_the_commands_this_test_knows():
    assert set(project_commands()) == {*_jobs(), *SERVICES, *OWN_TESTS}
    assert len(project_commands()) == 12


@pytest.mark.parametrize("name", sorted(project_commands()))
def test_each_command_explains_itself_and_is_in_the_readme(name):
    command = load_command_class(project_commands()[name], name)
    assert len(command.help) > 20
    usage = command.create_parser("manage.py", name).format_help()
    assert command.help.split()[0] in usage
    readme = (ROOT / "README.md").read_text()
    assert f"manage.py {name}" in readme, f"README.md has no example of {name}"
    if name not in SERVICES:
        assert "--dry-run" in usage
        assert isinstance(command, ProjectCommand)


@pytest.fixture
def demo(db, settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    _run("seed_demo")


@pytest.mark.parametrize("name", _jobs())
def test_a_dry_run_writes_nothing_and_a_second_run_changes_nothing(demo, name):
    before = _rows()
    dry = _run(name, "--dry-run")
    assert _rows() == before
    assert "dry run" in _summary(dry)
    first = _run(name)
    after_first = _rows()
    second = _run(name)
    assert _rows() == after_first
    assert _summary(first) and _summary(second)


def _summary(output: str) -> str:
    """The last line, the summary: one line of its own, not an item of a list."""
    last = output.rstrip("\n").splitlines()[-1]
    assert not last.startswith(" "), last
    return last


@pytest.mark.parametrize("name", ["close_open_visits", "recompute_karma"])
def test_a_failure_is_one_clear_line_and_exit_status_1(name):
    environment = {**os.environ, "DATABASE_URL": "postgres://nobody@127.0.0.1:9/nothing"}
    result = subprocess.run(
        [sys.executable, "manage.py", name, "--skip-checks"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert result.stderr.startswith("CommandError: The database refused: ")
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
