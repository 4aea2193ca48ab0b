"""Offline checks of deploy/kubernetes: the kustomize base and the example overlay, built
here by a small loader (no kubectl), validated against the Kubernetes schemas that
kubernetes-validate ships, and checked against the app: every variable the pods get is
one the settings read, the commands are compose's, the pods run non-root on a read-only
root filesystem.

The loader knows the kustomize features these files use (resources, generators with
merge, namespace, images, replicas, labels, JSON 6902 patches) and refuses any other.
"""

from __future__ import annotations

import base64
import copy
import functools
import re
from pathlib import Path

import kubernetes_validate
import pytest
from ruamel.yaml import YAML

from coworking.tests.test_deploy_files import (
    WEB_SCRIPT,
    compose,
    configured_sign_in,
    final,
    settings_variables,
    sign_in_variables,
)

ROOT = Path(__file__).resolve().parents[2]
KUBERNETES = ROOT / "deploy" / "kubernetes"
BASE, OVERLAY = KUBERNETES / "base", KUBERNETES / "overlays" / "example"
# The example plus OpenID Connect and LDAP (README "Sign-in").
SIGN_IN = KUBERNETES / "overlays" / "sign-in"
# The oldest Kubernetes release still maintained upstream when this was written.
KUBERNETES_VERSION = "1.32.0"
KNOWN_FIELDS = {
    "apiVersion",
    "kind",
    "resources",
    "configMapGenerator",
    "secretGenerator",
    "namespace",
    "images",
    "replicas",
    "labels",
    "patches",
}


# --- a small kustomize --------------------------------------------------------------------


def _yaml_documents(path: Path) -> list[dict]:
    return [document for document in YAML(typ="safe").load_all(path.read_text(encoding="utf-8")) if document]


def _env_file(path: Path) -> dict[str, str]:
    """An env file; the committed `.example` stands in for an installation's own file."""
    if not path.exists():
        path = path.with_name(path.name + ".example")
    pairs = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, value = line.partition("=")
            pairs[name] = value
    return pairs


def _generate(folder: Path, kind: str, spec: dict, resources: list[dict]) -> None:
    data = dict(literal.partition("=")[::2] for literal in spec.get("literals", []))
    for env in spec.get("envs", []):
        data.update(_env_file(folder / env))
    if kind == "Secret":
        data = {name: base64.b64encode(value.encode()).decode() for name, value in data.items()}
    if spec.get("behavior") == "merge":
        existing = next(r for r in resources if r["kind"] == kind and r["metadata"]["name"] == spec["name"])
        existing["data"].update(data)
    else:
        resources.append({"apiVersion": "v1", "kind": kind, "metadata": {"name": spec["name"]}, "data": data})


def _containers(resource: dict) -> list[dict]:
    spec = resource.get("spec", {}).get("template", {}).get("spec", {})
    return [*spec.get("initContainers", []), *spec.get("containers", [])]


def _apply_json_patch(resource: dict, operations: list[dict]) -> None:
    for operation in operations:
        assert operation["op"] == "replace", f"the loader only replaces: {operation}"
        *parents, last = [int(p) if p.isdigit() else p for p in operation["path"].strip("/").split("/")]
        node = resource
        for part in parents:
            node = node[part]
        node[last] = operation["value"]


@functools.cache
def build(folder: Path) -> tuple[dict, ...]:
    kustomization = YAML(typ="safe").load((folder / "kustomization.yaml").read_text(encoding="utf-8"))
    unknown = set(kustomization) - KNOWN_FIELDS
    assert not unknown, f"{folder}: the test's loader does not know {unknown}"
    resources: list[dict] = []
    for entry in kustomization.get("resources", []):
        path = folder / entry
        resources += copy.deepcopy(list(build(path.resolve()))) if path.is_dir() else _yaml_documents(path)
    for kind, field in (("ConfigMap", "configMapGenerator"), ("Secret", "secretGenerator")):
        for spec in kustomization.get(field, []):
            _generate(folder, kind, spec, resources)
    for label in kustomization.get("labels", []):
        assert label.get("includeSelectors") is False
        for resource in resources:
            resource["metadata"].setdefault("labels", {}).update(label["pairs"])
    for image in kustomization.get("images", []):
        for resource in resources:
            for container in _containers(resource):
                if container["image"] == image["name"]:
                    container["image"] = f"{image['newName']}:{image['newTag']}"
    for replicas in kustomization.get("replicas", []):
        named = [r for r in resources if r["metadata"]["name"] == replicas["name"]]
        assert len(named) == 1, replicas
        named[0]["spec"]["replicas"] = replicas["count"]
    for patch in kustomization.get("patches", []):
        target = patch["target"]
        matched = [
            r for r in resources if (r["kind"], r["metadata"]["name"]) == (target["kind"], target["name"])
        ]
        assert len(matched) == 1, target
        _apply_json_patch(matched[0], YAML(typ="safe").load(patch["patch"]))
    if "namespace" in kustomization:
        for resource in resources:
            resource["metadata"]["namespace"] = kustomization["namespace"]
    return tuple(resources)


def resources_of(folder: Path) -> list[dict]:
    return copy.deepcopy(list(build(folder)))


def named(resources: list[dict], kind: str, name: str) -> dict:
    matches = [r for r in resources if r["kind"] == kind and r["metadata"]["name"] == name]
    assert len(matches) == 1, f"{kind}/{name}: {len(matches)} found"
    return matches[0]


def workloads(resources: list[dict]) -> list[dict]:
    return [r for r in resources if r["kind"] in ("Deployment", "Job")]


def pod_spec(resource: dict) -> dict:
    return resource["spec"]["template"]["spec"]


# --- tests --------------------------------------------------------------------------------


@pytest.mark.parametrize("folder", [BASE, OVERLAY, SIGN_IN], ids=["base", "overlay", "sign-in"])
def test_manifests_match_the_kubernetes_schemas(folder):
    for resource in resources_of(folder):
        kubernetes_validate.validate(resource, KUBERNETES_VERSION, strict=True)


def _pod_environment(resources: list[dict], container: dict) -> dict[str, str]:
    env = {}
    for source in container.get("envFrom", []):
        reference = source.get("configMapRef") or source.get("secretRef")
        kind = "ConfigMap" if "configMapRef" in source else "Secret"
        data = named(resources, kind, reference["name"])["data"]
        if kind == "Secret":
            data = {name: base64.b64decode(value).decode() for name, value in data.items()}
        env |= data
    return env | {variable["name"]: variable.get("value", "") for variable in container.get("env", [])}


@pytest.mark.parametrize("folder", [OVERLAY, SIGN_IN], ids=["overlay", "sign-in"])
def test_every_variable_the_pods_get_is_read_by_the_app(folder):
    resources = resources_of(folder)
    readable = settings_variables() | set(re.findall(r"\$\{([A-Za-z_][A-Za-z0-9_]*)", WEB_SCRIPT.read_text()))
    given = set()
    for workload in workloads(resources):
        for container in _containers(workload):
            env = _pod_environment(resources, container)
            given |= set(env)
            readable |= sign_in_variables(env)
    unread = given - readable
    assert not unread, f"the pods get variables nothing reads: {unread}"
    assert {"SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS", "AWS_STORAGE_BUCKET_NAME"} <= given


def test_every_pod_runs_non_root_on_a_read_only_root_filesystem():
    for workload in workloads(resources_of(OVERLAY)):
        spec = pod_spec(workload)
        name = workload["metadata"]["name"]
        assert spec["securityContext"]["runAsNonRoot"] is True, name
        assert spec["securityContext"]["runAsUser"] == int(final("USER").split(":")[0]), name
        assert spec["automountServiceAccountToken"] is False, name
        assert {"name": "tmp", "emptyDir": spec["volumes"][0]["emptyDir"]} == spec["volumes"][0]
        for container in _containers(workload):
            assert container["securityContext"]["readOnlyRootFilesystem"] is True, name
            assert container["securityContext"]["allowPrivilegeEscalation"] is False, name
            assert {"name": "tmp", "mountPath": "/tmp"} in container["volumeMounts"], name
        for container in spec["containers"]:
            assert set(container["resources"]) == {"requests", "limits"}, name
            assert container["image"] == "registry.example.com/coworking/app:2026.12.1", name


def test_commands_are_the_images_and_composes():
    resources = resources_of(BASE)
    commands = {
        workload["metadata"]["name"]: pod_spec(workload)["containers"][0]["command"]
        for workload in workloads(resources)
    }
    services = compose()["services"]
    assert commands == {
        "coworking-web": ["docker/web.sh"],
        "coworking-worker": services["worker"]["command"],
        "coworking-scheduler": services["scheduler"]["command"],
        "coworking-migrate": services["migrate"]["command"],
    }
    assert final("CMD") == '["docker/web.sh"]'


def test_long_running_pods_wait_for_the_migration_job():
    for workload in workloads(resources_of(BASE)):
        if workload["kind"] == "Deployment":
            (init,) = pod_spec(workload)["initContainers"]
            assert "python manage.py migrate --check" in init["command"][-1]


def test_web_probes_replicas_autoscaler_and_disruption_budget():
    resources = resources_of(OVERLAY)
    web = named(resources, "Deployment", "coworking-web")
    (container,) = pod_spec(web)["containers"]
    assert "http://127.0.0.1:8000/readyz" in container["readinessProbe"]["exec"]["command"][-1]
    assert "http://127.0.0.1:8000/healthz" in container["livenessProbe"]["exec"]["command"][-1]
    labels = web["spec"]["template"]["metadata"]["labels"]
    assert web["spec"]["selector"]["matchLabels"] == labels
    assert named(resources, "Service", "coworking-web")["spec"]["selector"] == labels
    assert (
        named(resources, "PodDisruptionBudget", "coworking-web")["spec"]["selector"]["matchLabels"] == labels
    )
    autoscaler = named(resources, "HorizontalPodAutoscaler", "coworking-web")["spec"]
    assert autoscaler["scaleTargetRef"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": "coworking-web",
    }
    assert autoscaler["minReplicas"] >= 2
    backend = named(resources, "Ingress", "coworking-web")["spec"]["rules"][0]["http"]["paths"][0]["backend"]
    assert backend == {"service": {"name": "coworking-web", "port": {"name": "http"}}}


def test_the_scheduler_is_a_singleton():
    scheduler = named(resources_of(OVERLAY), "Deployment", "coworking-scheduler")
    assert scheduler["spec"]["replicas"] == 1
    assert scheduler["spec"]["strategy"] == {"type": "Recreate"}


def test_the_overlay_changes_the_host_everywhere():
    resources = resources_of(OVERLAY)
    config = named(resources, "ConfigMap", "coworking-config")["data"]
    ingress = named(resources, "Ingress", "coworking-web")["spec"]
    assert config["ALLOWED_HOSTS"] == ingress["rules"][0]["host"] == ingress["tls"][0]["hosts"][0]
    assert config["CSRF_TRUSTED_ORIGINS"] == f"https://{config['ALLOWED_HOSTS']}"
    assert {r["metadata"]["namespace"] for r in resources} == {"coworking"}


def test_the_sign_in_overlay_configures_keycloak_and_ldap_with_secrets_from_the_secret():
    resources = resources_of(SIGN_IN)
    web = pod_spec(named(resources, "Deployment", "coworking-web"))["containers"][0]
    env = _pod_environment(resources, web)
    secret = named(resources, "Secret", "coworking-secrets")["data"]
    assert {"OIDC_KEYCLOAK_CLIENT_SECRET", "LDAP_BIND_PASSWORD", "SECRET_KEY"} <= set(secret)
    assert not {key for key in named(resources, "ConfigMap", "coworking-config")["data"] if "SECRET" in key}
    env |= {"OIDC_KEYCLOAK_CLIENT_SECRET": "client-secret", "LDAP_BIND_PASSWORD": "bind-password"}
    roles = {"coworking-desk": "Front desk", "coworking-managers": "Manager"}
    assert configured_sign_in(env) == {
        "oidc": [
            ["keycloak", "Keycloak", "https://sso.example.org/realms/coworking", "client-secret", roles]
        ],
        "backend": "accounts.directory.LDAPBackend",
        "ldap": ["ldap://ldap.example.org", "bind-password", True, roles],
    }
