"""A new organisation from the web UI (form or profile file), and the FG reading profiles."""

from __future__ import annotations

from typing import Any

import yaml
from sqlalchemy import func, select

from breachdesk.demo import profile_paths
from breachdesk.domain.roles import Role
from breachdesk.extensions import db
from breachdesk.models import AuditEvent, Membership, Organisation, User

from ..conftest import MakeUser, login

NEW = "/admin/new-organisation"


def _form(**changes: str) -> dict[str, str]:
    data = {
        "slug": "de-vrije-school",
        "legal_name": "Stichting De Vrije School",
        "reference_prefix": "dvs",
        "city": "Utrecht",
        "contact_kind": "privacy_contact",
        "contact_email": "privacy@devrijeschool.example",
        "data_categories-0-name": "Naam en adres",
        "data_categories-0-enisa_class": "simple",
        "data_categories-0-source": "Wij verwerken uw naam en adres.",
        "subject_categories-0-name": "Leerlingen",
        "subject_categories-0-children": "y",
        "subject_categories-0-source": "Leerlingen van de school.",
    }
    return {**data, **changes}


def _count(model: Any) -> int:
    return int(db.session.execute(select(func.count()).select_from(model)).scalar_one())


def test_an_admin_creates_an_organisation_from_the_form_and_becomes_its_admin(
    client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    admin = make_user("admin@x.nl", (orgs["kruix"], Role.ADMIN))
    login(client, "admin@x.nl")
    assert 'href="/admin/new-organisation"' in client.get("/admin/organisations").get_data(
        as_text=True
    )
    page = client.get(NEW).get_data(as_text=True)
    assert 'for="slug"' in page and 'for="profile_file"' in page
    response = client.post(NEW, data=_form())
    assert response.status_code == 302, response.get_data(as_text=True)
    assert response.headers["Location"].endswith("/admin/organisations/de-vrije-school")
    org = db.session.execute(
        select(Organisation).where(Organisation.slug == "de-vrije-school")
    ).scalar_one()
    assert org.name == "Stichting De Vrije School" and org.reference_prefix == "DVS"
    assert org.profile["data_categories"][0]["key"] == "naam-en-adres"
    assert org.profile["subject_categories"][0]["children"] is True
    membership = db.session.execute(
        select(Membership).where(Membership.organisation_id == org.id)
    ).scalar_one()
    assert membership.user_id == admin.id and membership.role == Role.ADMIN.value
    events = db.session.execute(
        select(AuditEvent).where(AuditEvent.organisation_id == org.id).order_by(AuditEvent.id)
    ).scalars()
    assert [(e.action, e.actor_label) for e in events] == [
        ("organisation.created", "Admin <admin@x.nl>"),
        ("role.granted", "Admin <admin@x.nl>"),
    ]
    # The creator manages it at once: the profile, its users, its menu entry.
    assert client.get("/admin/organisations/de-vrije-school/edit").status_code == 200
    assert "Stichting De Vrije School" in client.get("/admin/organisations").get_data(as_text=True)


def test_form_errors_are_shown_at_their_fields_with_the_typing_kept(
    client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    make_user("admin@x.nl", (orgs["kruix"], Role.ADMIN))
    login(client, "admin@x.nl")
    before = (_count(Organisation), _count(AuditEvent))
    cases = [
        ({"reference_prefix": "krx"}, "reference_prefix", "al in gebruik"),  # another's prefix
        ({"reference_prefix": ""}, "reference_prefix", None),  # required for a new one
        ({"slug": "kruix"}, "slug", "al in gebruik"),  # taken
        ({"slug": "De Vrije School!"}, "slug", None),  # not a slug
        ({"legal_name": ""}, "legal_name", None),  # the schema's own check
        ({"contact_email": ""}, "contact_kind", "e-mail"),  # check_profile's rule
        # Shown together with the profile's own problems, not one round later:
        ({"reference_prefix": "KRX", "legal_name": ""}, "reference_prefix", "al in gebruik"),
    ]
    for changes, field, words in cases:
        response = client.post(NEW, data=_form(**changes))
        page = response.get_data(as_text=True)
        assert response.status_code == 422, changes
        assert f'id="{field}-error"' in page, changes
        assert words is None or words in page, changes
        assert "Naam en adres" in page and "Wij verwerken uw naam en adres." in page
        assert 'id="form-problems"' in page
    assert (_count(Organisation), _count(AuditEvent)) == before


def _profile_text(slug: str, prefix: str) -> str:
    path = next(p for p in profile_paths() if p.name == "kruix.yaml")
    data = yaml.safe_load(path.read_text("utf-8"))
    data.update(slug=slug, reference_prefix=prefix, trade_names=["Kruix Zuid"])
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def _upload(client: Any, content: str | bytes, name: str = "profiel.yaml") -> Any:
    import io

    raw = content.encode() if isinstance(content, str) else content
    return client.post(
        f"{NEW}/upload",
        data={"profile_file": (io.BytesIO(raw), name)},
        content_type="multipart/form-data",
    )


def test_an_admin_creates_an_organisation_from_a_profile_file(
    client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    admin = make_user("admin@x.nl", (orgs["luxigo"], Role.ADMIN))
    login(client, "admin@x.nl")
    response = _upload(client, _profile_text("kruix-zuid", "KRZ"))
    assert response.status_code == 302, response.get_data(as_text=True)
    org = db.session.execute(
        select(Organisation).where(Organisation.slug == "kruix-zuid")
    ).scalar_one()
    assert org.name == "Kruix Zuid" and org.reference_prefix == "KRZ"
    assert len(org.profile["processors"]) == len(orgs["kruix"].profile["processors"])
    assert (
        db.session.execute(
            select(Membership).where(
                Membership.organisation_id == org.id, Membership.user_id == admin.id
            )
        )
        .scalar_one()
        .role
        == Role.ADMIN.value
    )


def test_a_bad_profile_file_lists_each_problem_with_its_path_and_creates_nothing(
    client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    make_user("admin@x.nl", (orgs["luxigo"], Role.ADMIN))
    login(client, "admin@x.nl")
    before = (_count(Organisation), _count(AuditEvent), _count(Membership))
    data = yaml.safe_load(_profile_text("kruix-zuid", "KRZ"))
    data["subject_categories"][0]["children"] = "maybe"
    data["data_categories"][1]["enisa_class"] = "secret"
    data["retention"][0]["category_keys"] = ["no-such-kind"]
    response = _upload(client, yaml.safe_dump(data, allow_unicode=True))
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and 'id="file-problems"' in page
    assert "subject_categories[0].children" in page and "data_categories[1].enisa_class" in page
    assert "2 problem" in page  # an ENISA class that is none: the profile cannot be built

    # The format's problems and the consistency checks in one round, not one after the other.
    data = yaml.safe_load(_profile_text("kruix-zuid", "KRZ"))
    data["subject_categories"][0]["children"] = "maybe"
    data["retention"][0]["category_keys"] = ["no-such-kind"]
    page = _upload(client, yaml.safe_dump(data, allow_unicode=True)).get_data(as_text=True)
    assert "subject_categories[0].children" in page and "retention[0].category_keys" in page
    assert "2 problem" in page

    data = yaml.safe_load(_profile_text("kruix-zuid", "KRZ"))
    data["retention"][0]["category_keys"] = ["no-such-kind"]
    page = _upload(client, yaml.safe_dump(data, allow_unicode=True)).get_data(as_text=True)
    assert "retention[0].category_keys" in page and "no-such-kind" in page

    for content, words in [
        ("slug: [unclosed", "line 1"),
        (b"\xff\xfe not utf-8", "cannot read file"),
        ("- a list", "mapping"),
        (_profile_text("kruix", "KRZ"), "al in gebruik"),
        (_profile_text("kruix-zuid", "KRX"), "al in gebruik"),  # another's prefix
    ]:
        response = _upload(client, content)
        page = response.get_data(as_text=True)
        assert response.status_code == 422 and words in page, words
        assert 'id="profile_file-error"' in page
    response = client.post(f"{NEW}/upload", data={}, content_type="multipart/form-data")
    assert response.status_code == 422 and 'id="profile_file-error"' in response.get_data(
        as_text=True
    )
    assert (_count(Organisation), _count(AuditEvent), _count(Membership)) == before


def test_an_existing_organisation_cannot_take_anothers_prefix(
    client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    from .test_admin import _edit_form

    make_user("admin@x.nl", (orgs["luxigo"], Role.ADMIN))
    login(client, "admin@x.nl")
    data = _edit_form(client, "luxigo")
    data["reference_prefix"] = ["krx"]
    response = client.post("/admin/organisations/luxigo/edit", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and 'id="reference_prefix-error"' in page
    assert "al in gebruik" in page and "Kruix" not in page and 'value="krx"' in page
    db.session.expire_all()
    assert db.session.get(Organisation, orgs["luxigo"].id).reference_prefix == "LUX"


def test_a_taken_slug_or_prefix_never_names_the_organisation_that_has_it(
    client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    """By trying prefixes an administrator of one organisation could otherwise list the names
    of every other organisation of the installation."""
    from .test_admin import _edit_form

    make_user("admin@x.nl", (orgs["kruix"], Role.ADMIN))
    login(client, "admin@x.nl")
    others = ("Luxigo", "LEIZ Mediaproducties", "Levensmozaiek", "123samenleven")
    for changes, field in (
        ({"slug": "luxigo"}, "slug"),
        ({"reference_prefix": "LEIZ"}, "reference_prefix"),
    ):
        page = client.post(NEW, data=_form(**changes)).get_data(as_text=True)
        error = page.split(f'id="{field}-error">')[1].split("</div>")[0]
        assert "al in gebruik; kies een ander" in error, changes
        assert not [name for name in others if name in page], changes
    data = _edit_form(client, "kruix")
    data["reference_prefix"] = ["LUX"]
    page = client.post("/admin/organisations/kruix/edit", data=data).get_data(as_text=True)
    error = page.split('id="reference_prefix-error">')[1].split("</div>")[0]
    assert error == "Het voorvoegsel LUX is al in gebruik; kies een ander."
    assert not [name for name in others if name in page]


def test_the_fg_reads_the_profiles_of_the_organisations_they_serve(
    client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    make_user("fg@x.nl", (orgs["kruix"], Role.FG), (orgs["leiz"], Role.FG))
    login(client, "fg@x.nl")
    home = client.get("/incidents/").get_data(as_text=True)
    assert 'id="nav-organisations"' in home
    page = client.get("/admin/organisations").get_data(as_text=True)
    assert orgs["kruix"].name in page and orgs["leiz"].name in page
    assert orgs["luxigo"].name not in page and orgs["levensmozaiek"].name not in page
    assert "/users/" not in page and 'id="new-organisation"' not in page
    profile = client.get("/admin/organisations/kruix").get_data(as_text=True)
    assert "fg-schade@nn.nl" in profile and "/admin/organisations/kruix/edit" not in profile
    assert client.get("/admin/organisations/kruix/edit").status_code == 404
    assert client.get("/admin/organisations/luxigo").status_code == 404
    assert client.get(NEW).status_code == 403
    assert client.post(NEW, data=_form()).status_code == 403
    assert _count(Organisation) == 5


def test_reporters_can_neither_read_the_list_nor_create(
    client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    make_user("r@x.nl", (orgs["kruix"], Role.REPORTER))
    login(client, "r@x.nl")
    assert client.get("/admin/organisations").status_code == 403
    assert client.get(NEW).status_code == 403
    assert _upload(client, _profile_text("x-y", "XY")).status_code == 403
    assert db.session.execute(select(User).where(User.email == "r@x.nl")).scalar_one()


def test_an_organisation_needs_a_kind_of_personal_data_said_at_the_first_row(
    client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    make_user("admin@x.nl", (orgs["kruix"], Role.ADMIN))
    login(client, "admin@x.nl")
    data = {k: v for k, v in _form().items() if not k.startswith("data_categories-")}
    response = client.post(NEW, data={**data, "data_categories-0-name": ""})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    error = page.split('id="data_categories-0-name-error">')[1].split("</div>")[0]
    assert error == "Voeg minstens één soort persoonsgegevens toe."
    assert "should be non-empty" not in page and "data_categories:" not in page


def test_every_problem_of_the_form_shows_in_one_round(
    client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    """The form's own check (a slug that is no slug), the profile's format (no legal name)
    and its consistency (a privacy contact without an address) together, each at its field
    and once (found by exploratory testing: they came in three rounds)."""
    make_user("admin@x.nl", (orgs["kruix"], Role.ADMIN))
    login(client, "admin@x.nl")
    changes = {"slug": "De Vrije School!", "legal_name": "", "contact_email": ""}
    response = client.post(NEW, data=_form(**changes))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    for field in ("slug", "legal_name", "contact_kind"):
        assert f'id="{field}-error"' in page, field
    slug_error = page.split('id="slug-error"')[1].split("</div>")[0]
    assert slug_error.count("a-z") == 1  # the form's words, not also the schema's
    # The slug comes back as typed (not lower-cased: that would not make it valid).
    assert 'value="De Vrije School!"' in page and "Wij verwerken uw naam en adres." in page
    # The summary links to each field with an error, in the page's order, rows named.
    summary = page.split('id="form-problems"')[1].split("</div>")[0]
    assert summary.index('href="#slug"') < summary.index('href="#legal_name"')
    assert 'href="#contact_kind"' in summary
    # A prefix that is no prefix does not stop the other checks either.
    page = client.post(NEW, data=_form(reference_prefix="K1", legal_name="")).get_data(as_text=True)
    assert 'id="reference_prefix-error"' in page and 'id="legal_name-error"' in page
    assert _count(Organisation) == len(orgs)
    # A field in a list's row is named by its list and row.
    page = client.post(
        NEW, data=_form(slug="Kruix-Twee", **{"subject_categories-0-name": ""})
    ).get_data(as_text=True)
    summary = page.split('id="form-problems"')[1].split("</div>")[0]
    assert 'href="#subject_categories-0-name"' in summary
    assert "Groepen personen, rij 1: Naam (Nederlands)" in summary
    assert 'value="kruix-twee"' in page  # a valid slug in capitals is taken in lower case


def test_a_row_with_typing_but_no_name_is_refused_not_dropped(
    client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    """Found by exploratory testing: a processor typed without its name vanished from the
    new organisation without a word. Now it is an error at the name, the typing kept; an
    untouched row for additions is still dropped, and so is a row marked for removal."""
    make_user("admin@x.nl", (orgs["kruix"], Role.ADMIN))
    login(client, "admin@x.nl")
    typed = {"processors-0-service": "Hosting van de website", "processors-0-country": "NL"}
    response = client.post(NEW, data=_form(**typed))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    error = page.split('id="processors-0-name-error"')[1].split("</div>")[0]
    assert "Geef deze rij een naam" in error
    assert "Hosting van de website" in page
    assert _count(Organisation) == len(orgs)
    # Marked for removal: dropped, and the organisation is made without it.
    response = client.post(NEW, data=_form(**typed, **{"processors-0-remove": "y"}))
    assert response.status_code == 302
    made = db.session.execute(select(Organisation).filter_by(slug="de-vrije-school")).scalar_one()
    assert "Hosting" not in str(made.profile)


def test_editing_a_profile_shows_the_forms_and_the_profiles_problems_in_one_round(
    client: Any, orgs: dict[str, Organisation], make_user: MakeUser
) -> None:
    make_user("admin@x.nl", (orgs["kruix"], Role.ADMIN))
    login(client, "admin@x.nl")
    page = client.get("/admin/organisations/kruix/edit").get_data(as_text=True)
    version = page.split('name="version" type="hidden" value="')[1].split('"')[0]
    data = {**_form(), "version": version, "reference_prefix": "K1", "legal_name": ""}
    del data["slug"]
    response = client.post("/admin/organisations/kruix/edit", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="reference_prefix-error"' in page and 'id="legal_name-error"' in page
