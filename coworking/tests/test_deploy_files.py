"""Offline checks of the container files: Dockerfile, docker-compose.yml, .env.example and
.dockerignore.

No Docker engine runs here, so these read the files, and run the shell scripts they hold
against stub commands, to catch what `docker compose up` would otherwise find first.
"""

from __future__ import annotations

import functools
import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "Dockerfile"
COMPOSE_FILE = ROOT / "docker-compose.yml"
# OpenID Connect and LDAP for every app service, laid over COMPOSE_FILE (README "Sign-in").
SIGN_IN_COMPOSE_FILE = ROOT / "docker-compose.sign-in.yml"
ENV_EXAMPLE = ROOT / ".env.example"
DOCKERIGNORE = ROOT / ".dockerignore"
WEB_SCRIPT = ROOT / "docker" / "web.sh"
MIGRATE_SCRIPT = ROOT / "docker" / "migrate.sh"
# The services built from this repository's image, all reading the app's settings.
APP_SERVICES = ("web", "worker", "scheduler", "migrate")
SETTINGS = ROOT / "coworking" / "settings.py"

# Compose must refuse to start without these rather than run with an empty value.
REQUIRED_VARIABLES = {
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "POSTGRES_PASSWORD",
    "MINIO_ROOT_USER",
    "MINIO_ROOT_PASSWORD",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_S3_PUBLIC_ENDPOINT_URL",
}
# Left empty in .env.example, so a copied placeholder can never become a live secret.
SECRETS = {"SECRET_KEY", "POSTGRES_PASSWORD", "MINIO_ROOT_PASSWORD", "AWS_SECRET_ACCESS_KEY"}

NAME = r"[A-Za-z_][A-Za-z0-9_]*"
# "$$" is compose's escape for a literal "$", left for the container's shell to expand.
COMPOSE_VARIABLE = re.compile(
    rf"\$(?:(?P<escaped>\$)|\{{(?P<braced>{NAME})(?P<modifier>[^}}]*)\}}|(?P<bare>{NAME}))"
)
SETTINGS_READ = re.compile(
    rf"""(?P<reader>os\.environ\.get|os\.getenv|envbool|envint|envlist|envmap|envsecret)\(\s*["'](?P<name>{NAME})["']"""
    rf"""|os\.environ\[\s*["'](?P<indexed>{NAME})["']\s*\]"""
)


# --- helpers -------------------------------------------------------------------------


@functools.cache
def compose() -> dict:
    return YAML(typ="safe").load(COMPOSE_FILE.read_text(encoding="utf-8"))


def services() -> dict:
    return compose()["services"]


def strings_in(node) -> list[str]:
    """Every string value in the YAML tree: compose interpolates values, never comments."""
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [text for value in node.values() for text in strings_in(value)]
    if isinstance(node, list):
        return [text for value in node for text in strings_in(value)]
    return []


def compose_references() -> list[tuple[str, str]]:
    """(variable, modifier) for every interpolation in the compose file."""
    found = []
    for text in strings_in(compose()):
        for match in COMPOSE_VARIABLE.finditer(text):
            if match["braced"]:
                found.append((match["braced"], match["modifier"]))
            elif match["bare"]:
                found.append((match["bare"], ""))
    return found


def env_example() -> dict[str, str]:
    entries = {}
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        match = re.match(rf"({NAME})=(.*)$", line)
        if match:
            entries[match[1]] = match[2]
    return entries


def dependencies(service: dict) -> dict[str, str]:
    """depends_on as {service: condition}, whichever of its two forms is used."""
    depends_on = service.get("depends_on", {})
    if isinstance(depends_on, list):
        return dict.fromkeys(depends_on, "service_started")
    return {name: (spec or {}).get("condition", "service_started") for name, spec in depends_on.items()}


def environment(service: dict) -> dict[str, str | None]:
    env = service.get("environment", {})
    if isinstance(env, list):
        return {name: value for name, _, value in (item.partition("=") for item in env)}
    return env


def settings_variables() -> set[str]:
    names = set()
    for match in SETTINGS_READ.finditer(SETTINGS.read_text(encoding="utf-8")):
        name = match["name"] or match["indexed"]
        names.add(name)
        if match["reader"] == "envsecret":
            names.add(f"{name}_FILE")
    return names


# ldap_settings() reads LDAP_* from the environment it is given; oidc_apps() reads
# OIDC_<ID>_<suffix> for each provider id in OIDC_PROVIDERS.
LDAP_READ = re.compile(rf"""env(?:\.get\(|\[)\s*["'](?P<name>LDAP_{NAME})["']""")
OIDC_READ = re.compile(
    r"""(?P<reader>os\.environ\.get|envmap|envsecret)\(\s*prefix \+ ["'](?P<suffix>[A-Z_]+)["']"""
)


def sign_in_variables(env: dict) -> set[str]:
    """The sign-in variables the settings read, given the providers `env` names."""
    text = SETTINGS.read_text(encoding="utf-8")
    names = {match["name"] for match in LDAP_READ.finditer(text)}
    for provider in filter(None, (env.get("OIDC_PROVIDERS") or "").split(",")):
        prefix = "OIDC_" + provider.strip().upper().replace("-", "_") + "_"
        for match in OIDC_READ.finditer(text):
            names.add(prefix + match["suffix"])
            if match["reader"] == "envsecret":
                names.add(prefix + match["suffix"] + "_FILE")
    return names


def configured_sign_in(env: dict[str, str]) -> dict:
    """What coworking.settings makes of `env` (with DEBUG on), read in a fresh process."""
    script = (
        "import json; from django.conf import settings; "
        "apps = settings.SOCIALACCOUNT_PROVIDERS['openid_connect']['APPS']; "
        "print(json.dumps({'oidc': [[a['provider_id'], a['name'], a['settings']['server_url'], a['secret'], "
        "a['settings']['roles']] for a in apps], 'backend': settings.AUTHENTICATION_BACKENDS[0], "
        "'ldap': [settings.AUTH_LDAP_SERVER_URI, settings.AUTH_LDAP_BIND_PASSWORD, "
        "settings.AUTH_LDAP_START_TLS, settings.LDAP_ROLES]}))"
    )
    inherited = {k: v for k, v in os.environ.items() if not k.startswith(("OIDC_", "LDAP_", "SSO_"))}
    environment = {**inherited, **env, "DEBUG": "true", "DJANGO_SETTINGS_MODULE": "coworking.settings"}
    result = subprocess.run(
        [sys.executable, "-c", script], env=environment, cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    instructions, pending = [], ""
    for raw in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if pending and line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        keyword, _, arguments = (pending + line).partition(" ")
        instructions.append((keyword.upper(), arguments.strip()))
        pending = ""
    assert not pending, "Dockerfile ends inside a continued line"
    return instructions


def dockerfile_stages() -> list[list[tuple[str, str]]]:
    stages: list[list[tuple[str, str]]] = []
    for keyword, arguments in dockerfile_instructions():
        if keyword == "FROM":
            stages.append([])
        assert stages, f"{keyword} before the first FROM"
        stages[-1].append((keyword, arguments))
    return stages


def final_stage() -> list[tuple[str, str]]:
    return dockerfile_stages()[-1]


def final(keyword: str) -> str:
    """The arguments of the final stage's last KEYWORD, the one Docker applies."""
    values = [arguments for instruction, arguments in final_stage() if instruction == keyword]
    assert values, f"the final stage has no {keyword}"
    return values[-1]


def exec_form(arguments: str) -> list[str]:
    form = json.loads(arguments)
    assert isinstance(form, list), f"expected the JSON (exec) form, got {arguments!r}"
    return form


def healthcheck_command(arguments: str) -> list[str]:
    _options, _, command = arguments.partition("CMD ")
    assert command, f"HEALTHCHECK without CMD: {arguments!r}"
    return exec_form(command)


def copy_sources() -> list[str]:
    """Build-context paths named by COPY/ADD (COPY --from copies between stages instead)."""
    sources = []
    for keyword, arguments in dockerfile_instructions():
        if keyword not in ("COPY", "ADD"):
            continue
        words = shlex.split(arguments)
        if any(word.startswith("--from") for word in words):
            continue
        paths = [word for word in words if not word.startswith("--")]
        sources.extend(paths[:-1])
    return sources


def dockerignore_patterns() -> list[tuple[bool, re.Pattern]]:
    """(excluded, regex) per line, with the glob rules Docker applies to the build context."""
    patterns = []
    for raw in DOCKERIGNORE.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        negated = line.startswith("!")
        glob = os.path.normpath(line.removeprefix("!").strip()).lstrip("/")
        regex, i = "", 0
        while i < len(glob):
            if glob.startswith("**/", i):
                regex, i = regex + "(?:.*/)?", i + 3
            elif glob.startswith("**", i):
                regex, i = regex + ".*", i + 2
            elif glob[i] == "*":
                regex, i = regex + "[^/]*", i + 1
            elif glob[i] == "?":
                regex, i = regex + "[^/]", i + 1
            elif glob[i] == "[":
                end = glob.index("]", i)
                regex, i = regex + glob[i : end + 1], end + 1
            else:
                regex, i = regex + re.escape(glob[i]), i + 1
        patterns.append((not negated, re.compile(regex)))
    return patterns


def dockerignored(path: str) -> bool:
    """Whether Docker leaves path out of the build context: last matching line wins, and
    a line that matches a parent directory covers everything below it."""
    parts = Path(path).parts
    candidates = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    ignored = False
    for excluded, regex in dockerignore_patterns():
        if any(regex.fullmatch(candidate) for candidate in candidates):
            ignored = excluded
    return ignored


def stub(directory: Path, name: str, body: str) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(0o755)


def run(argv: list[str], path_dir: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    """Run argv with only the given environment, finding stubs in path_dir first."""
    return subprocess.run(
        argv,
        env={"PATH": f"{path_dir}:/usr/bin:/bin", **env},
        capture_output=True,
        text=True,
        timeout=30,
    )


# --- docker-compose.yml --------------------------------------------------------------


@pytest.mark.parametrize("path", [COMPOSE_FILE, SIGN_IN_COMPOSE_FILE], ids=["stack", "sign-in"])
def test_compose_file_matches_compose_spec(path):
    check_jsonschema = Path(sys.executable).parent / "check-jsonschema"
    result = subprocess.run(
        [str(check_jsonschema), "--builtin-schema", "vendor.compose-spec", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_compose_file_has_no_version_key():
    assert "version" not in compose()


def test_compose_depends_on_names_existing_services():
    for name, service in services().items():
        missing = set(dependencies(service)) - set(services())
        assert not missing, f"{name} depends on undefined services {missing}"


def test_compose_healthy_dependencies_define_healthchecks():
    for name, service in services().items():
        for dependency, condition in dependencies(service).items():
            if condition == "service_healthy":
                healthcheck = services()[dependency].get("healthcheck", {})
                assert healthcheck.get("test") and not healthcheck.get("disable"), (
                    f"{name} waits for {dependency} to be healthy, but it has no health check"
                )


def test_compose_web_waits_for_its_backends():
    assert dependencies(services()["web"]) == {
        "migrate": "service_completed_successfully",
        "createbuckets": "service_completed_successfully",
        "db": "service_healthy",
        "minio": "service_healthy",
    }


@pytest.mark.parametrize("name", ["worker", "scheduler"])
def test_compose_background_processes_wait_for_the_migration(name):
    assert dependencies(services()[name])["migrate"] == "service_completed_successfully"
    assert dependencies(services()["migrate"]) == {"db": "service_healthy"}


def test_compose_long_running_services_have_health_checks_and_run_as_non_root():
    image_user = final("USER").split(":")[0]
    for name, service in services().items():
        if service.get("restart") != "unless-stopped":
            continue
        healthcheck = service.get("healthcheck", {})
        assert healthcheck.get("test") and not healthcheck.get("disable"), f"{name} has no health check"
        user = str(service.get("user", image_user if service.get("build") else "root")).split(":")[0]
        assert user not in ("root", "0", ""), f"{name} runs as root"


def test_compose_web_scales_without_fixed_names_or_ports():
    web = services()["web"]
    assert "container_name" not in web
    assert "ports" not in web
    assert web["expose"] == ["8000"]
    # Only nginx is published.
    assert [name for name, service in services().items() if service.get("ports")] == ["nginx"]


def test_compose_app_services_share_one_image_and_environment():
    app_environment = compose()["x-app-environment"]
    for name in APP_SERVICES:
        service = services()[name]
        assert (service["image"], service["build"]) == ("coworking-app:latest", ".")
        assert environment(service).items() >= app_environment.items(), name
        assert service["read_only"] is True and service["tmpfs"] == ["/tmp"]


@pytest.mark.parametrize("name", ["worker", "scheduler"])
def test_compose_background_commands_exist(name):
    command = services()[name]["command"]
    assert command[:3] == ["python", "manage.py", command[2]]
    assert list(ROOT.glob(f"*/management/commands/{command[2]}.py")), f"no command {command[2]}"


def test_compose_migrate_runs_the_migration_script():
    assert services()["migrate"]["command"] == ["docker/migrate.sh"]
    assert services()["migrate"]["restart"] == "no"


def test_compose_named_volumes_are_declared():
    declared = set(compose().get("volumes") or {})
    for name, service in services().items():
        for volume in service.get("volumes", []):
            if isinstance(volume, dict):
                source = volume.get("source") if volume.get("type", "volume") == "volume" else None
            else:
                source = volume.split(":")[0] if ":" in volume else None
            # Sources starting like a path are bind mounts.
            if source and not source.startswith((".", "/", "~", "$")):
                assert source in declared, f"{name} mounts undeclared volume {source!r}"


def test_compose_stateful_services_keep_data_in_named_volumes():
    mounts = {name: [str(v) for v in service.get("volumes", [])] for name, service in services().items()}
    assert "postgres-data:/var/lib/postgresql/data" in mounts["db"]
    assert "minio-data:/data" in mounts["minio"]


def test_compose_variables_are_documented_in_env_example():
    documented = set(env_example())
    undocumented = {name for name, _ in compose_references()} - documented
    assert not undocumented, f"used in docker-compose.yml but missing from .env.example: {undocumented}"


def test_env_example_lists_only_compose_variables():
    used = {name for name, _ in compose_references()}
    stale = set(env_example()) - used
    assert not stale, f"documented in .env.example but unused by docker-compose.yml: {stale}"


def test_compose_required_variables_fail_fast():
    references = compose_references()
    for name in REQUIRED_VARIABLES:
        modifiers = [modifier for variable, modifier in references if variable == name]
        assert modifiers, f"{name} is never used"
        assert all(modifier.startswith(":?") for modifier in modifiers), (
            f"every use of {name} must be ${{{name}:?message}}, found {modifiers}"
        )


def test_env_example_leaves_secrets_empty():
    entries = env_example()
    filled = {name: entries.get(name) for name in SECRETS if entries.get(name) != ""}
    assert not filled, f"secrets must be empty in .env.example: {filled}"


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_environment_is_read_by_the_app(name):
    read_by_image = set(re.findall(rf"\$\{{({NAME})", WEB_SCRIPT.read_text()))
    readable = settings_variables() | read_by_image
    unread = set(environment(services()[name])) - readable
    assert not unread, f"{name} sets variables that neither settings.py nor docker/web.sh reads: {unread}"


def _sign_in_compose() -> dict:
    return YAML(typ="safe").load(SIGN_IN_COMPOSE_FILE.read_text(encoding="utf-8"))


def test_sign_in_compose_file_gives_every_app_service_variables_the_app_reads():
    override = _sign_in_compose()
    assert set(override["services"]) == set(APP_SERVICES)
    declared = override["secrets"]
    for name, service in override["services"].items():
        assert set(service) == {"environment", "secrets"}, name
        env = environment(service)
        unread = set(env) - settings_variables() - sign_in_variables(env)
        assert not unread, f"{name} sets sign-in variables the settings never read: {unread}"
        assert {"OIDC_KEYCLOAK_ISSUER", "LDAP_SERVER_URI"} <= set(env)
        # Secrets come as files compose mounts, never as values in the file.
        files = {key: value for key, value in env.items() if key.endswith("_FILE")}
        assert sorted(files.values()) == sorted(f"/run/secrets/{secret}" for secret in service["secrets"])
        assert not {key for key in env if key.endswith(("_SECRET", "_PASSWORD"))}
    for secret in declared.values():
        path = secret["file"]
        assert path.startswith("./secrets/") and dockerignored(path[2:]), path
        ignored = subprocess.run(["git", "check-ignore", "-q", path], cwd=ROOT)
        assert ignored.returncode == 0, f"{path} is not git-ignored"


def test_sign_in_compose_file_configures_keycloak_and_ldap(tmp_path):
    env = {key: str(value) for key, value in environment(_sign_in_compose()["services"]["web"]).items()}
    for key, value in env.items():
        if value.startswith("/run/secrets/"):
            secret = tmp_path / value.rsplit("/", 1)[1]
            secret.write_text(f"{secret.name}-value\n")
            env[key] = str(secret)
    assert configured_sign_in(env) == {
        "oidc": [
            [
                "keycloak",
                "Keycloak",
                "https://sso.example.org/realms/coworking",
                "keycloak_client_secret-value",
                {"coworking-desk": "Front desk", "coworking-managers": "Manager"},
            ]
        ],
        "backend": "accounts.directory.LDAPBackend",
        "ldap": [
            "ldap://ldap.example.org",
            "ldap_bind_password-value",
            True,
            {"coworking-desk": "Front desk", "coworking-managers": "Manager"},
        ],
    }


def test_web_environment_points_at_compose_services():
    env = environment(services()["web"])
    assert env["DEBUG"] == "false"
    assert env["BEHIND_PROXY"] == "true"
    # Each ${VAR...} stands in as its bare name, which parses as a URL part.
    database = urlsplit(COMPOSE_VARIABLE.sub(lambda m: m["braced"] or m[0], env["DATABASE_URL"]))
    assert database.scheme in ("postgres", "postgresql")
    assert database.hostname == "db" and "db" in services()
    storage = urlsplit(env["AWS_S3_ENDPOINT_URL"])
    assert (storage.scheme, storage.hostname, storage.port) == ("http", "minio", 9000)
    assert "minio" in services()


def test_compose_restart_policies():
    one_shot = {
        dependency
        for service in services().values()
        for dependency, condition in dependencies(service).items()
        if condition == "service_completed_successfully"
    }
    assert one_shot == {"migrate", "createbuckets", "minio-permissions"}
    on_demand = {name for name, service in services().items() if service.get("profiles")}
    assert on_demand == {"backup"}
    for name, service in services().items():
        expected = "no" if name in one_shot | on_demand else "unless-stopped"
        assert service.get("restart", "no") == expected, f"{name} restart policy"


def test_compose_web_health_check_matches_image():
    web_probe = services()["web"]["healthcheck"]["test"]
    image_probe = healthcheck_command(final("HEALTHCHECK"))
    assert web_probe == ["CMD", *image_probe]
    assert "http://127.0.0.1:8000/healthz" in web_probe[-1]


def test_compose_backup_image_matches_the_database_major_version():
    postgres_major = services()["db"]["image"].split(":")[1].split("-")[0]
    backup_stage = next(stage for stage in dockerfile_stages() if stage[0][1].endswith(" AS backup"))
    assert backup_stage[0][1] == f"postgres:{postgres_major}-bookworm AS backup"
    assert services()["backup"]["build"] == {"context": ".", "target": "backup"}


CREATEBUCKETS_ENV = {
    "MINIO_ROOT_USER": "root-user",
    "MINIO_ROOT_PASSWORD": "root-password",
    "AWS_ACCESS_KEY_ID": "app-user",
    "AWS_SECRET_ACCESS_KEY": "app-secret",
    "AWS_STORAGE_BUCKET_NAME": "media-bucket",
}


def run_createbuckets(
    tmp_path: Path, attach_rc: int, attached: str
) -> tuple[subprocess.CompletedProcess, str]:
    """Run the job's script the way its container would, with mc replaced by a recorder."""
    entrypoint = services()["createbuckets"]["entrypoint"]
    assert entrypoint[:2] == ["/bin/sh", "-euc"]
    script = entrypoint[2].replace("$$", "$")
    log = tmp_path / "mc.log"
    stub(
        tmp_path / "bin",
        "mc",
        f'echo "$*" >>{log}\n'
        'case "$*" in\n'
        f'  "admin policy attach "*) exit {attach_rc} ;;\n'
        f'  "admin user info "*) echo "PolicyName: {attached}" ;;\n'
        "esac\n",
    )
    env = {**CREATEBUCKETS_ENV, "TMPDIR": str(tmp_path)}
    return run(["/bin/sh", "-euc", script], tmp_path / "bin", env), log.read_text() if log.exists() else ""


def test_createbuckets_creates_private_bucket_and_limited_user(tmp_path):
    result, calls = run_createbuckets(tmp_path, attach_rc=0, attached="")
    assert result.returncode == 0, result.stderr
    lines = calls.splitlines()
    assert "alias set local http://minio:9000 root-user root-password" in lines
    assert "mb --ignore-existing local/media-bucket" in lines
    assert "anonymous set none local/media-bucket" in lines
    assert "admin user add local app-user app-secret" in lines
    assert "admin policy attach local media-bucket-app --user app-user" in lines
    assert lines.index("mb --ignore-existing local/media-bucket") < lines.index(
        "anonymous set none local/media-bucket"
    )
    policy = json.loads((tmp_path / "policy.json").read_text())
    resources = {resource for statement in policy["Statement"] for resource in statement["Resource"]}
    assert resources == {"arn:aws:s3:::media-bucket", "arn:aws:s3:::media-bucket/*"}
    assert all(statement["Effect"] == "Allow" for statement in policy["Statement"])


@pytest.mark.parametrize(("attached", "succeeds"), [("media-bucket-app", True), ("readonly", False)])
def test_createbuckets_rerun_accepts_only_an_existing_attachment(tmp_path, attached, succeeds):
    result, _ = run_createbuckets(tmp_path, attach_rc=1, attached=attached)
    assert (result.returncode == 0) is succeeds, result.stderr


# --- Dockerfile ----------------------------------------------------------------------


def test_dockerfile_stages_build_on_python_312_slim():
    stages = dockerfile_stages()
    for stage in stages:
        base = stage[0][1].split()[0]
        if stage[0][1].endswith(" AS backup"):
            continue  # the backup tools need the database's own pg_dump
        # The Debian release is named: the runtime stage installs libraries by their Debian names.
        assert base == "python:3.12-slim-bookworm", f"FROM {base}"


def _stage_runs(stage: list[tuple[str, str]]) -> str:
    return "\n".join(arguments for keyword, arguments in stage if keyword == "RUN")


def test_dockerfile_builds_ldap_sign_in_and_installs_its_runtime_libraries():
    """python-ldap ships no wheels: the build stage compiles it against the OpenLDAP and SASL
    headers, and the runtime stage, which has no compiler, needs the libraries themselves."""
    [build] = [stage for stage in dockerfile_stages() if stage[0][1].endswith(" AS build")]
    build_runs = _stage_runs(build)
    for package in ("gcc", "libc6-dev", "libldap2-dev", "libsasl2-dev"):
        assert re.search(rf"apt-get install .*\b{re.escape(package)}\b", build_runs), package
    assert re.search(r"pip install .*-r requirements-ldap\.txt", build_runs)
    assert "requirements-ldap.txt" in copy_sources()
    final_runs = _stage_runs(final_stage())
    assert re.search(r"apt-get install .*\blibldap-2\.5-0\b.*\blibsasl2-2\b", final_runs)
    assert not re.search(r"\b(gcc|[\w.-]+-dev)\b", final_runs), "build tools leak into the runtime image"


def test_dockerfile_runtime_libraries_are_those_python_ldap_links_here():
    """On a Debian machine of the image's release, the built module links exactly the
    libraries of the packages the runtime stage installs."""
    debian = Path("/etc/debian_version")
    if not debian.exists() or not debian.read_text().startswith("12"):
        pytest.skip("needs Debian 12 (bookworm), the image's release")
    _ldap = pytest.importorskip("_ldap")
    linked = subprocess.run(["ldd", _ldap.__file__], capture_output=True, text=True, check=True).stdout
    paths = re.findall(r"=> (/\S*(?:ldap|lber|sasl)\S*)", linked)
    owners = subprocess.run(
        ["dpkg", "-S", *(os.path.realpath(path) for path in paths)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    packages = {line.split(":")[0] for line in owners.splitlines()}
    installed = set(
        re.findall(r"apt-get install -y --no-install-recommends ([^&]+)", _stage_runs(final_stage()))[
            0
        ].split()
    )
    assert packages == {"libldap-2.5-0", "libsasl2-2"}
    assert packages <= installed


def test_dockerfile_runs_as_non_root_user():
    user = final("USER")
    assert user.split(":")[0] not in ("root", "0"), f"USER {user}"


def test_dockerfile_builds_translations_and_static_files():
    runs = [arguments for stage in dockerfile_stages() for keyword, arguments in stage if keyword == "RUN"]
    build = [run for run in runs if "manage.py collectstatic" in run]
    assert len(build) == 1, "collectstatic must run exactly once"
    assert "manage.py compilemessages --ignore=.venv" in build[0]
    assert "manage.py collectstatic --noinput" in build[0]
    # Without DEBUG off the hashed, compressed files the production storage serves are not built.
    assert re.search(r"\bDEBUG=false\b", build[0])
    assert any("gettext" in run for run in runs[: runs.index(build[0])])


def test_dockerfile_keeps_runtime_environment():
    env = " ".join(arguments for keyword, arguments in final_stage() if keyword == "ENV")
    assert "PYTHONDONTWRITEBYTECODE=1" in env
    assert "PYTHONUNBUFFERED=1" in env
    assert not re.search(r"\b(SECRET_KEY|DEBUG|ALLOWED_HOSTS)=", env), "build-only settings leak"


def test_dockerfile_health_check_probes_healthz():
    checks = [arguments for keyword, arguments in final_stage() if keyword == "HEALTHCHECK"]
    assert len(checks) == 1
    command = healthcheck_command(checks[0])
    assert command[:2] == ["python", "-c"]
    assert "urllib.request" in command[2]
    assert "http://127.0.0.1:8000/healthz" in command[2]
    assert ("EXPOSE", "8000") in final_stage()


def test_dockerfile_copies_existing_files():
    for source in copy_sources():
        assert (ROOT / source).exists(), f"COPY {source}: no such file in the repository"
        assert source == "." or not dockerignored(source), f"COPY {source} is excluded by .dockerignore"


def test_dockerfile_command_script_is_in_the_image():
    assert "ENTRYPOINT" not in {keyword for keyword, _ in final_stage()}
    command = exec_form(final("CMD"))
    assert command == ["docker/web.sh"]
    assert (ROOT / command[0]).is_file()
    assert not dockerignored(command[0])
    assert "." in copy_sources(), "the project is copied whole, which brings the script along"


def test_web_script_starts_granian_with_env_tuning(tmp_path):
    stub(tmp_path, "granian", 'printf "%s\\n" "$@"\n')

    def arguments(env: dict[str, str]) -> list[str]:
        result = run([str(WEB_SCRIPT)], tmp_path, env)
        assert result.returncode == 0, result.stderr
        return result.stdout.splitlines()

    def option(args: list[str], name: str) -> str:
        return args[args.index(name) + 1]

    def tuning(args: list[str]) -> tuple[str, ...]:
        return tuple(option(args, name) for name in ("--host", "--port", "--workers", "--blocking-threads"))

    defaults = arguments({})
    assert defaults[0] == "coworking.wsgi:application"
    assert option(defaults, "--interface") == "wsgi"
    assert tuning(defaults) == ("0.0.0.0", "8000", "2", "2")
    # The app logs every request as JSON; a dead worker comes back; SIGTERM waits 30 s at most.
    assert {"--no-access-log", "--no-ws", "--respawn-failed-workers"} <= set(defaults)
    assert option(defaults, "--workers-kill-timeout") == "30"
    assert tuning(arguments({"WEB_WORKERS": "5", "WEB_THREADS": "4", "WEB_BIND": "127.0.0.2:9000"})) == (
        "127.0.0.2",
        "9000",
        "5",
        "4",
    )
    # An .env from the gunicorn releases keeps working; the new names win over it.
    old = {"GUNICORN_WORKERS": "3", "GUNICORN_THREADS": "6", "GUNICORN_BIND": "127.0.0.3:9001"}
    assert tuning(arguments(old)) == ("127.0.0.3", "9001", "3", "6")
    assert tuning(arguments({**old, "WEB_WORKERS": "1", "WEB_THREADS": "", "WEB_BIND": "[::1]:9002"})) == (
        "::1",
        "9002",
        "1",
        "6",
    )
    unix = arguments({"WEB_BIND": "unix:/run/web.sock"})
    assert option(unix, "--uds") == "/run/web.sock"
    assert "--host" not in unix and "--port" not in unix


def test_web_script_bounds_each_sql_statement(tmp_path):
    stub(tmp_path, "granian", 'echo "$DB_STATEMENT_TIMEOUT"\n')
    for env, seconds in (
        ({}, "30"),
        ({"DB_STATEMENT_TIMEOUT": ""}, "30"),
        ({"DB_STATEMENT_TIMEOUT": "5"}, "5"),
    ):
        result = run([str(WEB_SCRIPT)], tmp_path, env)
        assert (result.returncode, result.stdout) == (0, f"{seconds}\n"), result.stderr


def test_web_script_refuses_a_bind_without_a_port(tmp_path):
    stub(tmp_path, "granian", "echo started\n")
    result = run([str(WEB_SCRIPT)], tmp_path, {"WEB_BIND": "0.0.0.0"})
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == "web.sh: WEB_BIND must be host:port or unix:/path, not '0.0.0.0'\n"


def test_web_script_empties_the_metrics_folder(tmp_path):
    stub(tmp_path, "granian", 'ls -A "$PROMETHEUS_MULTIPROC_DIR"\n')
    folder = tmp_path / "prometheus"
    folder.mkdir()
    (folder / "counter_123.db").write_text("stale")
    result = run([str(WEB_SCRIPT)], tmp_path, {"PROMETHEUS_MULTIPROC_DIR": str(folder)})
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert folder.is_dir()


def test_requirements_provide_the_image_runtime():
    # The image installs requirements.txt only; the server and the database driver must be in it.
    names = {
        re.split(r"[\[=<>~! ;]", line.strip(), maxsplit=1)[0].lower()
        for line in (ROOT / "requirements.txt").read_text().splitlines()
        if line.strip() and not line.startswith(("#", "-"))
    }
    assert {"granian", "whitenoise"} <= names
    assert "gunicorn" not in names, "the image serves with granian; gunicorn is a test tool only"
    assert names & {"psycopg", "psycopg-binary", "psycopg2", "psycopg2-binary"}


# --- docker/entrypoint.sh ------------------------------------------------------------


def test_migrate_script_migrates_then_creates_the_cache_table(tmp_path):
    log = tmp_path / "calls.log"
    stub(tmp_path / "bin", "python", f'echo "python $*" >>{log}\n')
    result = run([str(MIGRATE_SCRIPT)], tmp_path / "bin", {})
    assert result.returncode == 0, result.stderr
    assert log.read_text().splitlines() == [
        "python manage.py migrate --noinput",
        "python manage.py createcachetable",
    ]


def test_migrate_script_fails_when_migrations_fail(tmp_path):
    log = tmp_path / "calls.log"
    stub(tmp_path / "bin", "python", f'echo "python $*" >>{log}\ncase "$*" in *migrate*) exit 3 ;; esac\n')
    result = run([str(MIGRATE_SCRIPT)], tmp_path / "bin", {})
    assert result.returncode == 3
    assert log.read_text().splitlines() == ["python manage.py migrate --noinput"]


@pytest.mark.parametrize("script", ["web.sh", "migrate.sh", "backup.sh", "restore.sh"])
def test_scripts_are_executable_posix_shell(script):
    path = ROOT / "docker" / script
    assert os.access(path, os.X_OK)
    assert path.read_text().startswith("#!/bin/sh\n")


# --- .dockerignore -------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        ".env",
        ".env.production",
        "deploy/kubernetes/overlays/example/secrets.env",
        ".git/config",
        ".venv/bin/python",
        "data/db.sqlite3",
        "staticfiles/css/site.css",
        "artifacts/desk_.png",
        "coworking/__pycache__/settings.cpython-312.pyc",
        "locale/ru/LC_MESSAGES/django.mo",
        "db.sqlite3",
    ],
)
def test_dockerignore_drops_secrets_and_local_state(path):
    assert dockerignored(path)


@pytest.mark.parametrize(
    "path",
    [
        "manage.py",
        "requirements.txt",
        "docker/web.sh",
        "coworking/settings.py",
        "locale/ru/LC_MESSAGES/django.po",
        "static/css",
        "templates",
    ],
)
def test_dockerignore_keeps_what_the_build_needs(path):
    assert not dockerignored(path)
