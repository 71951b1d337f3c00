"""A notice prepared once for a mailing renders, for every person, exactly what rendering the
templates for that person gives: arbitrary names, data and references, including markup,
merge fields, line breaks, empty values and the markers themselves."""

from __future__ import annotations

from pathlib import Path

from hypothesis import example, given, settings
from hypothesis import strategies as st

from breachdesk.domain.notices.people_batch import PreparedNotice
from breachdesk.domain.notices.people_notice import MergePerson, notice_environment, render_notice

ROOT = Path(__file__).resolve().parents[2]
ENV = notice_environment(ROOT)

SECTIONS = {
    "what_happened": "Beste [naam], op 3 december is een lijst met [gegevens] gelekt.\n\nUw "
    "kenmerk is [kenmerk]. [onbekend] blijft staan.",
    "your_data": "Het gaat om: [gegevens]\nen niets anders.",
    "consequences": "  ",
    "what_you_can_do": "Let op e-mail die uit naam van <Kruix & Co> komt, [NAAM].",
}
SUBJECT = "Belangrijk: datalek bij Kruix voor [naam]  ([kenmerk])"

values = st.one_of(
    st.just(""),
    st.text(max_size=40),
    st.sampled_from(["[naam]", "<b>Jan</b> & 'Piet'", "  ", "a\r\nb", "{{ 7*7 }}", "BDMERGE"]),
)


def prepared(lang: str = "nl") -> PreparedNotice:
    return PreparedNotice(
        ENV, subject=SUBJECT, sections=SECTIONS, lang=lang, organisation_name="Kruix <B.V.>"
    )


NL, EN = prepared("nl"), prepared("en")


@settings(max_examples=300, deadline=None)
@given(name=values, data=values, reference=values, english=st.booleans())
@example(name="Jan", data="", reference="K-1", english=False)
@example(name="", data="", reference="", english=True)
def test_prepared_render_equals_rendering_per_person(
    name: str, data: str, reference: str, english: bool
) -> None:
    person = MergePerson(name=name, data=data, reference=reference)
    lang = "en" if english else "nl"
    expected = render_notice(
        ENV,
        subject=SUBJECT,
        sections=SECTIONS,
        person=person,
        lang=lang,
        organisation_name="Kruix <B.V.>",
    )
    assert (EN if english else NL).render(person) == expected


def test_values_are_inserted_once_and_escaped_in_html() -> None:
    notice = PreparedNotice(
        ENV, subject=SUBJECT, sections=SECTIONS, lang="nl", organisation_name="K", token="t"
    )
    marker = "BDMERGEtdataX"  # another field's marker typed as a name
    rendered = notice.render(MergePerson(name=f"<i>{marker}</i>", data="[naam]", reference="R"))
    assert f"&lt;i&gt;{marker}&lt;/i&gt;" in rendered.html
    assert f"<i>{marker}</i>" in rendered.text
    assert "Het gaat om: [naam]" in rendered.text  # the value is never merged again


def test_a_marker_in_the_notice_itself_falls_back_to_rendering_per_person() -> None:
    sections = {**SECTIONS, "your_data": "Tekst met BDMERGEtnameX erin, [naam]."}
    odd = PreparedNotice(
        ENV, subject=SUBJECT, sections=sections, lang="nl", organisation_name="K", token="t"
    )
    person = MergePerson(name="Jan", data="e-mail", reference="R")
    rendered = odd.render(person)
    assert "Tekst met BDMERGEtnameX erin, Jan." in rendered.text
    assert rendered == render_notice(
        ENV, subject=SUBJECT, sections=sections, person=person, lang="nl", organisation_name="K"
    )
