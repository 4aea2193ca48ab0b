"""Sign-in against an LDAP directory: Debian's slapd on loopback with a small directory."""

from __future__ import annotations

import ldap
import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from accounts.models import SignIn, SignInMethod, User
from accounts.tests.factories import UserFactory
from accounts.tests.idp import Slapd
from coworking.settings import ldap_settings
from tools.testenv import free_port

pytestmark = pytest.mark.django_db

PEOPLE = "ou=people,dc=example,dc=org"
GROUPS = "ou=groups,dc=example,dc=org"
DIRECTORY_PASSWORD = "directory-password-1"
# An Active Directory would say (!(userAccountControl:1.2.840.113556.1.4.803:=2)).
USER_FILTER = "(&(mail=%(user)s)(!(employeeType=disabled)))"


@pytest.fixture(scope="module")
def slapd(tmp_path_factory):
    server = Slapd(tmp_path_factory.mktemp("slapd"), free_port())
    server.start()
    server.add("dc=example,dc=org", objectClass=["dcObject", "organization"], dc="example", o="Example")
    server.add(PEOPLE, objectClass="organizationalUnit", ou="people")
    server.add(GROUPS, objectClass="organizationalUnit", ou="groups")
    server.add(f"cn=coworking-managers,{GROUPS}", objectClass="groupOfNames", member=f"uid=nobody,{PEOPLE}")
    yield server
    server.stop()


def _person(slapd: Slapd, uid: str, name: str, **extra) -> str:
    dn = f"uid={uid},{PEOPLE}"
    slapd.add(
        dn,
        objectClass="inetOrgPerson",
        uid=uid,
        cn=name,
        sn=name.split()[-1],
        mail=f"{uid}@corp.example",
        userPassword=DIRECTORY_PASSWORD,
        **extra,
    )
    return dn


def _set(slapd: Slapd, dn: str, attribute: str, values: list[str], op: int = ldap.MOD_REPLACE) -> None:
    connection = slapd.connect()
    try:
        connection.modify_s(dn, [(op, attribute, [v.encode() for v in values])])
    finally:
        connection.unbind_s()


def _configure(settings, uri: str) -> None:
    """What LDAP_SERVER_URI=... and the other LDAP_* variables configure."""
    for name, value in ldap_settings(
        {
            "LDAP_SERVER_URI": uri,
            "LDAP_BIND_DN": Slapd.admin_dn,
            "LDAP_BIND_PASSWORD": Slapd.admin_password,
            "LDAP_USER_SEARCH_BASE": PEOPLE,
            "LDAP_USER_FILTER": USER_FILTER,
            "LDAP_GROUP_SEARCH_BASE": GROUPS,
            "LDAP_TIMEOUT_SECONDS": "2",
        }
    ).items():
        setattr(settings, name, value)
    settings.AUTHENTICATION_BACKENDS = ["accounts.directory.LDAPBackend", *settings.AUTHENTICATION_BACKENDS]
    settings.LDAP_ROLES = {"coworking-managers": "Manager"}


@pytest.fixture
def directory(slapd, settings):
    _configure(settings, slapd.uri)
    return slapd


def _login(client, email: str, password: str = DIRECTORY_PASSWORD):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def _signed_in(client) -> User | None:
    user_id = client.session.get("_auth_user_id")
    return User.objects.get(pk=user_id) if user_id else None


def test_first_login_creates_the_member_from_the_directory_with_its_role(client, directory):
    dn = _person(directory, "olga", "Ольга Смирнова")
    _set(directory, f"cn=coworking-managers,{GROUPS}", "member", [dn], op=ldap.MOD_ADD)

    response = _login(client, "Olga@Corp.example")
    assert (response.status_code, response.url) == (302, reverse("home"))
    user = _signed_in(client)
    assert (user.email, user.full_name, user.is_staff) == ("olga@corp.example", "Ольга Смирнова", True)
    assert list(user.groups.values_list("name", flat=True)) == ["Manager"]
    assert user.has_usable_password() is False
    assert list(EmailAddress.objects.filter(user=user).values_list("email", "verified")) == [
        ("olga@corp.example", True)
    ]
    assert [s.method for s in SignIn.objects.all()] == [SignInMethod.DIRECTORY]


def test_every_login_syncs_name_and_role_from_the_directory(client, directory):
    dn = _person(directory, "pavel", "Павел Орлов")
    _set(directory, f"cn=coworking-managers,{GROUPS}", "member", [dn], op=ldap.MOD_ADD)
    _login(client, "pavel@corp.example")
    client.logout()

    _set(directory, dn, "cn", ["Павел Орлов-Райт"])
    _set(directory, f"cn=coworking-managers,{GROUPS}", "member", [dn], op=ldap.MOD_DELETE)
    assert _login(client, "pavel@corp.example").status_code == 302
    user = _signed_in(client)
    assert (user.full_name, user.is_staff, list(user.groups.all())) == ("Павел Орлов-Райт", False, [])
    assert User.objects.filter(email="pavel@corp.example").count() == 1


def test_a_locked_or_removed_directory_user_is_refused(client, directory):
    _person(directory, "lena", "Лена Локова", employeeType="disabled")
    response = _login(client, "lena@corp.example")
    assert response.status_code == 200
    assert "Указанные вами адрес электронной почты и/или пароль неверны." in response.content.decode()
    assert not User.objects.filter(email="lena@corp.example").exists()

    dn = _person(directory, "roman", "Роман Ушедший")
    assert _login(client, "roman@corp.example").status_code == 302
    client.logout()
    directory.delete(dn)
    # The member row stays (bookings, karma), but without a local password nothing opens it.
    response = _login(client, "roman@corp.example")
    assert response.status_code == 200
    assert _signed_in(client) is None
    assert [(s.succeeded, s.method) for s in SignIn.objects.all()] == [
        (False, SignInMethod.DIRECTORY),
        (True, SignInMethod.DIRECTORY),
    ]


def test_an_existing_member_signs_in_with_the_directory_password(client, directory, password):
    member = UserFactory(email="vera@corp.example", password=password)
    _person(directory, "vera", "Вера Старая")
    assert _login(client, "vera@corp.example").status_code == 302
    assert _signed_in(client) == member
    assert User.objects.filter(email="vera@corp.example").count() == 1


def test_directory_logins_are_rate_limited(client, directory):
    _person(directory, "ivan", "Иван Торопыга")
    for _ in range(5):
        assert _login(client, "ivan@corp.example", "wrong").status_code == 200
    response = _login(client, "ivan@corp.example")
    assert "Слишком много неудачных попыток входа" in response.content.decode()
    assert _signed_in(client) is None


def test_directory_down_says_so_and_local_accounts_still_sign_in(client, settings, member, password):
    _configure(settings, f"ldap://127.0.0.1:{free_port()}")
    response = _login(client, "olga@corp.example")
    assert response.status_code == 200
    assert "Каталог сейчас недоступен, поэтому войти с учётной записью каталога нельзя." in (
        response.content.decode()
    )

    assert _login(client, member.email, password).status_code == 302
    assert _signed_in(client) == member
