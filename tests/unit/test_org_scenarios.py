"""One breach per demo organisation, from its real profile: report → prefill → FG → assess.

Each scenario uses the data categories, groups of people and processors of the organisation's
YAML profile (breachdesk/demo/profiles), builds the staff report a reporter would file, lets
:func:`prefill` derive what it can, then sets the answers the FG establishes, and checks the
outcome. The justification of each expected outcome is written next to it.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from breachdesk.demo import profile_paths
from breachdesk.domain.assessment import Outcome, Recommendation, RiskLevel, assess
from breachdesk.domain.checklist import (
    BreachType,
    DpcAdjustment,
    Facts,
    Identifiability,
    Permanence,
    Protection,
    Recipients,
    Tri,
    Volume,
)
from breachdesk.domain.prefill import prefill
from breachdesk.domain.profile import EnisaClass, OrganisationProfile
from breachdesk.domain.report import (
    Answer,
    Containment,
    CountMode,
    IncidentReport,
    validate_report,
)
from breachdesk.domain.report import Protection as ReportedProtection
from breachdesk.services.organisations import load_profile_file

NOW = datetime(2026, 11, 19, 10, 0, tzinfo=UTC)
CONFIDENTIALITY = frozenset({BreachType.CONFIDENTIALITY})


def profile(slug: str) -> OrganisationProfile:
    return load_profile_file(next(p for p in profile_paths() if p.stem == slug))


def report(org: OrganisationProfile, **fields: Any) -> IncidentReport:
    """A report that passes validate_report for ``org`` (so the keys really exist)."""
    base = IncidentReport(
        title=fields.pop("title"),
        description=fields.pop("description"),
        discovered_at=datetime(2026, 11, 19, 8, 0, tzinfo=UTC),
        discovery_how=fields.pop("discovery_how", "Melding van een medewerker"),
        ongoing=Answer.NO,
    )
    result = replace(base, **fields)
    assert validate_report(result, org, NOW) == []
    return result


def explain(rec: Recommendation) -> str:
    return "\n".join(f"{r.factor}: {r.text()}" for r in (*rec.reasons, *rec.uncertainties))


def test_123samenleven_mailing_list_exposed_at_activecampaign() -> None:
    org = profile("123samenleven")
    processor = org.processor("activecampaign")
    assert processor is not None
    incident = report(
        org,
        title="ActiveCampaign: contactlijst geëxporteerd",
        description="Met een gelekte API-sleutel is de nieuwsbrieflijst geëxporteerd.",
        discovery_how="Melding van ActiveCampaign",
        processor_keys=("activecampaign",),
        data_category_keys=processor.data_shared,  # name, phone, e-mail, IP address
        subject_group_keys=("nieuwsbriefontvangers",),
        subjects_mode=CountMode.RANGE,
        subjects_min=2_500,
        subjects_max=3_200,
        reported_by_processor=True,
        reporting_processor_key="activecampaign",
    )
    facts = prefill(incident, org, CONFIDENTIALITY)
    # What the profile and the report establish:
    assert facts.data_classes == {EnisaClass.SIMPLE, EnisaClass.BEHAVIOURAL}
    assert facts.special_category is Tri.NO and facts.financial_data is Tri.NO
    assert facts.subjects_count == 3_200  # the cautious end of the range
    assert facts.financial_undertaking is Tri.UNKNOWN  # the privacy statement does not say
    # What the FG establishes with the processor's incident report:
    facts = replace(
        facts,
        malicious=Tri.YES,  # a stolen API key was used
        exfiltration=Tri.YES,  # ActiveCampaign's logs show the export
        recipients=Recipients.MANY_OR_UNKNOWN,  # criminals
        protection=Protection.NONE,
        identifiability=Identifiability.MAXIMUM,
        identity_documents=Tri.NO,
        credentials=Tri.NO,
        vulnerable=Tri.NO,
        financial_undertaking=Tri.NO,  # a relationship-advice site, not a Wft undertaking
        permanence=Permanence.REVERSIBLE,
    )
    rec = assess(facts)
    # Justification: names, phone numbers, e-mail and IP addresses of some 3,200 people are in
    # criminal hands; that is the raw material for targeted phishing and smishing. ENISA: DPC 2
    # (IP address and website behaviour are behavioural data) × EI 1.0 + CB 1.0 = 3.0, high.
    # The AP must be notified (the controller, not the processor, notifies: Art. 33(2)) and the
    # people warned so they can be alert to phishing (EDPB: a warning is the point of Art. 34).
    assert rec.risk is RiskLevel.HIGH, explain(rec)
    assert rec.outcome is Outcome.NOTIFY_AP_AND_SUBJECTS
    assert rec.severity.arithmetic == "DPC 2 × EI 1.0 + CB 1.0 = 3.0 (high)"
    assert not rec.provisional_advised


def test_luxigo_webshop_host_exposes_addresses_of_customers_under_16() -> None:
    org = profile("luxigo")
    incident = report(
        org,
        title="Back-up van de webshop openbaar bij Versio",
        description="Een back-upbestand van de webshop stond in een openbare map bij de host.",
        processor_keys=("versio",),
        data_category_keys=(
            "voor-en-achternaam",
            "adresgegevens",
            "e-mailadres",
            "gegevens-jonger-dan-16",
        ),
        subject_group_keys=("klanten", "personen-jonger-dan-16"),
        subjects_mode=CountMode.EXACT,
        subjects_exact=140,
        children_involved=Answer.UNKNOWN,
        protection=ReportedProtection.NONE,
        containment=(Containment.ACCESS_BLOCKED,),
    )
    facts = prefill(incident, org, CONFIDENTIALITY)
    assert facts.children is Tri.YES  # the profile flags both the data and the group
    assert facts.protection is Protection.NONE
    assert facts.data_classes == {EnisaClass.SIMPLE}
    facts = replace(
        facts,
        malicious=Tri.NO,  # a misconfiguration at the host, no attack
        exfiltration=Tri.YES,  # Versio's access log shows downloads from unknown addresses
        recipients=Recipients.MANY_OR_UNKNOWN,
        identifiability=Identifiability.MAXIMUM,
        identity_documents=Tri.NO,
        credentials=Tri.NO,
        vulnerable=Tri.NO,
        financial_undertaking=Tri.NO,
        permanence=Permanence.REVERSIBLE,
    )
    rec = assess(facts)
    # Justification: names, home addresses and e-mail addresses of children under 16 were
    # downloaded by unknown people. Children merit specific protection (Recital 38); a child's
    # home address in unknown hands is a safety risk, not only an inconvenience. ENISA scores it
    # only medium (DPC 1 + 1 for children = 2 × 1.0 + 0.5 = 2.5), which is exactly why the rule
    # on children with wide exposure, not the score, decides: high risk, inform the parents.
    assert rec.risk is RiskLevel.HIGH, explain(rec)
    assert rec.outcome is Outcome.NOTIFY_AP_AND_SUBJECTS
    assert "children" in {r.factor for r in rec.reasons}
    assert rec.severity.score == 2.5


def test_leiz_identifiable_footage_at_us_processor_made_public() -> None:
    org = profile("leiz")
    google = org.processor("google")
    assert google is not None and google.location.value == "unknown"
    incident = report(
        org,
        title="Google Drive-map met ruwe filmbeelden openbaar",
        description=(
            "De deelinstelling van een Drive-map met ruwe opnames van een evenement stond op "
            "'iedereen met de link'; de link is op een openbaar forum geplaatst."
        ),
        processor_keys=("google",),
        data_category_keys=("filmbeelden-en-fotos",),
        subject_group_keys=("afgebeelde-personen",),
        subjects_mode=CountMode.RANGE,
        subjects_min=150,
        subjects_max=300,
        protection=ReportedProtection.NONE,
    )
    facts = prefill(incident, org, CONFIDENTIALITY)
    # LEIZ classifies identifiable footage as "sensitive" (not Art. 9 by itself: see the notes
    # in leiz.yaml), so the ENISA base is 4 while special_category is "no".
    assert facts.data_classes == {EnisaClass.SENSITIVE}
    assert facts.special_category is Tri.NO
    facts = replace(
        facts,
        malicious=Tri.NO,
        exfiltration=Tri.UNKNOWN,  # downloads by Google cannot be established
        recipients=Recipients.MANY_OR_UNKNOWN,  # published
        identifiability=Identifiability.MAXIMUM,  # faces clearly visible
        identity_documents=Tri.NO,
        credentials=Tri.NO,
        children=Tri.NO,
        vulnerable=Tri.NO,
        financial_undertaking=Tri.NO,
        permanence=Permanence.IRREVERSIBLE,  # published footage cannot be taken back
        disproportionate_effort=Tri.YES,  # event guests: LEIZ holds no contact details
    )
    rec = assess(facts)
    # Justification (assuming LEIZ is controller of this footage — for customer footage it may
    # be the customer's processor, and then the customer notifies, Art. 33(2)): directly
    # identifiable footage was published on the internet, where copies cannot be recalled; the
    # harm is irreversible. ENISA: 4 × 1.0 + 0.5 = 4.5, very high. The people shown are guests
    # whose contact details LEIZ does not have, so informing each of them is disproportionate
    # effort and a public communication takes its place (Art. 34(3)(c)). The processor's
    # location (US, no transfer basis recorded) is a separate Chapter V question, not a factor
    # of this assessment.
    assert rec.risk is RiskLevel.HIGH, explain(rec)
    assert rec.outcome is Outcome.NOTIFY_AP_AND_PUBLIC_COMMUNICATION
    assert rec.art34_exemption == "c" and rec.public_communication
    assert rec.severity.arithmetic == "DPC 4 × EI 1.0 + CB 0.5 = 4.5 (very high)"


def test_kruix_contact_history_with_bank_account_numbers_accessed_by_outsider() -> None:
    org = profile("kruix")
    assert org.processors == ()  # Kruix names no processors: the CRM is its own
    incident = report(
        org,
        title="Onbekende toegang tot klantcontacthistorie",
        description=(
            "Met een gestolen wachtwoord van een medewerker is iemand van buiten ingelogd en "
            "heeft klantdossiers met contacthistorie en rekeningnummers bekeken."
        ),
        data_category_keys=("algemene-gegevens", "rekeningnummer", "contacthistorie"),
        subject_group_keys=("klanten",),
        subjects_mode=CountMode.EXACT,
        subjects_exact=85,
        containment=(Containment.PASSWORD_RESET, Containment.ACCESS_BLOCKED),
    )
    facts = prefill(incident, org, CONFIDENTIALITY)
    assert facts.financial_data is Tri.YES  # "rekeningnummer" is ENISA class financial
    assert facts.financial_undertaking is Tri.UNKNOWN  # part of NN Group, but never inferred
    facts = replace(
        facts,
        malicious=Tri.YES,
        exfiltration=Tri.UNKNOWN,  # the logs show views, not whether anything was copied
        recipients=Recipients.MANY_OR_UNKNOWN,  # an unknown outsider
        protection=Protection.NONE,
        identifiability=Identifiability.MAXIMUM,
        volume_per_person=Volume.EXTENSIVE,  # years of contact history per customer
        identity_documents=Tri.NO,
        credentials=Tri.NO,
        children=Tri.NO,
        vulnerable=Tri.NO,
        permanence=Permanence.REVERSIBLE,
    )
    rec = assess(facts)
    # Justification: an attacker saw names, addresses, bank account numbers and years of
    # conversation notes of 85 customers. With the account number and what customers discussed
    # with Kruix, convincing bank-helpdesk fraud and fraudulent direct debits are possible:
    # financial data in criminal hands make the risk high. Whether data were copied is unknown:
    # notify now and supplement (Art. 33(4)). Whether Sparklab B.V. is a Wft financial
    # undertaking (then Art. 34 does not apply, UAVG art. 42) is an open question for the FG.
    assert rec.risk is RiskLevel.HIGH, explain(rec)
    assert rec.outcome is Outcome.NOTIFY_AP_AND_SUBJECTS
    assert rec.provisional_advised
    assert {"exfiltration", "financial_undertaking"} <= {u.factor for u in rec.uncertainties}
    assert "financial_data" in {r.factor for r in rec.reasons}


def test_levensmozaiek_participant_list_with_bank_accounts_to_wrong_group() -> None:
    org = profile("levensmozaiek")
    incident = report(
        org,
        title="Deelnemerslijst naar verkeerde groep gemaild",
        description=(
            "De deelnemerslijst van het voorjaarsprogramma, met rekeningnummers, is als bijlage "
            "naar de deelnemers van het najaarsprogramma gestuurd."
        ),
        data_category_keys=(
            "voor-en-achternaam",
            "e-mailadres",
            "telefoonnummer",
            "bankrekeningnummer",
        ),
        subject_group_keys=("deelnemers",),
        subjects_mode=CountMode.EXACT,
        subjects_exact=24,
        children_involved=Answer.NO,
        protection=ReportedProtection.NONE,
        containment=(Containment.RECALL_EMAIL, Containment.ASKED_DELETION),
    )
    facts = prefill(incident, org, CONFIDENTIALITY)
    assert facts.financial_data is Tri.YES
    assert facts.children is Tri.NO
    assert facts.deletion_confirmed is Tri.UNKNOWN  # asking is not a confirmation
    facts = replace(
        facts,
        malicious=Tri.NO,
        exfiltration=Tri.NO,
        recipients=Recipients.LIMITED_KNOWN,  # 31 known participants of another programme
        identifiability=Identifiability.MAXIMUM,
        volume_per_person=Volume.LIMITED,
        identity_documents=Tri.NO,
        credentials=Tri.NO,
        vulnerable=Tri.NO,
        financial_undertaking=Tri.NO,
        permanence=Permanence.REVERSIBLE,
        # ENISA lets the assessor lower the score when the data reveal less than their class
        # suggests: an account number without balances or transactions.
        dpc_adjustments=(
            DpcAdjustment(-1, "Alleen rekeningnummers, geen saldi of transacties (ENISA)"),
        ),
    )
    rec = assess(facts)
    # Justification: 24 names with e-mail, phone and bank account number went by mistake to 31
    # known people, not to criminals. Name plus IBAN allows a fraudulent direct-debit mandate,
    # but such debits can be reversed, and the recipients are known and were asked to delete.
    # A risk, not a high one: notify the AP (ENISA 2 × 1.0 + 0.25 = 2.25, medium). Informing
    # the participants is not a legal duty here, but Levensmozaiek's privacy statement promises
    # to inform people of any datalek, so the FG will do so voluntarily.
    assert rec.risk is RiskLevel.RISK, explain(rec)
    assert rec.outcome is Outcome.NOTIFY_AP
    assert not rec.inform_subjects
    assert rec.severity.arithmetic == "DPC 2 × EI 1.0 + CB 0.25 = 2.25 (medium)"
    assert org.breach_commitments and "op de hoogte stellen" in org.breach_commitments
    # Without the FG's adjustment ENISA says high (3.25); since rule set 2026.2 the severity
    # alone no longer makes the risk high when known recipients were asked to delete the data
    # by mistake (severity is not likelihood), and a reason says so.
    unadjusted = assess(replace(facts, dpc_adjustments=()))
    assert unadjusted.severity.band.value == "high" and unadjusted.risk is RiskLevel.RISK
    assert any("misuse is unlikely" in r.text() for r in unadjusted.reasons)
    # Had nobody been asked to delete it, the ENISA band would make it high.
    asked_nobody = replace(facts, dpc_adjustments=(), deletion_requested=Tri.UNKNOWN)
    assert assess(asked_nobody).risk is RiskLevel.HIGH


@pytest.mark.parametrize(
    ("slug", "keys", "expected"),
    [
        ("123samenleven", ("kopie-identiteitsbewijs",), Tri.YES),
        ("levensmozaiek", ("kopie-identiteitsbewijs",), Tri.YES),
        ("kruix", ("algemene-gegevens",), Tri.UNKNOWN),
    ],
)
def test_prefill_recognises_identity_documents_by_name(
    slug: str, keys: tuple[str, ...], expected: Tri
) -> None:
    org = profile(slug)
    incident = report(org, title="t", description="d", data_category_keys=keys)
    assert prefill(incident, org).identity_documents is expected


def test_prefill_from_an_empty_report_keeps_every_default() -> None:
    org = profile("luxigo")
    facts = prefill(report(org, title="t", description="d"), org)
    assert facts == Facts()  # luxigo's financial_undertaking is null: "unknown", the default


def test_prefill_free_text_data_leave_flags_unknown_unless_they_name_them() -> None:
    """Other data in the reporter's words leave the flags "not known"; words that name a
    special category make Art. 9 "yes", for the FG to confirm (it stayed "not known": the
    cautious side is "yes", found by exploratory testing of the legal outcomes)."""
    org = profile("kruix")
    incident = report(
        org,
        title="t",
        description="d",
        data_category_keys=("algemene-gegevens",),
        data_other="Een scan van een medisch attest",
    )
    facts = prefill(incident, org)
    assert facts.special_category is Tri.YES and facts.financial_data is Tri.UNKNOWN
    other = prefill(replace(incident, data_other="Een scan van een formulier"), org)
    assert other.special_category is Tri.UNKNOWN and other.financial_data is Tri.UNKNOWN


@pytest.mark.parametrize(
    ("reported", "protection"),
    [
        (ReportedProtection.ENCRYPTED, Protection.UNKNOWN),  # the FG must confirm key safety
        (ReportedProtection.PARTIALLY, Protection.WEAK),
        (ReportedProtection.NONE, Protection.NONE),
        (ReportedProtection.UNKNOWN, Protection.UNKNOWN),
    ],
)
def test_prefill_protection(reported: ReportedProtection, protection: Protection) -> None:
    org = profile("kruix")
    incident = report(org, title="t", description="d", protection=reported)
    assert prefill(incident, org).protection is protection


def test_prefill_financial_undertaking_from_the_profile() -> None:
    org = profile("kruix")
    incident = report(org, title="t", description="d")
    assert prefill(incident, replace(org, financial_undertaking=True)).financial_undertaking is (
        Tri.YES
    )
    assert prefill(incident, replace(org, financial_undertaking=False)).financial_undertaking is (
        Tri.NO
    )


def test_prefill_takes_the_promise_the_range_and_a_request_to_delete() -> None:
    from breachdesk.domain.report import Containment, CountMode

    org = profile("levensmozaiek")
    incident = report(
        org,
        title="t",
        description="d",
        subjects_mode=CountMode.RANGE,
        subjects_min=110,
        subjects_max=125,
        containment=(Containment.ASKED_DELETION,),
    )
    facts = prefill(incident, org)
    assert facts.subjects_count == 125 and facts.subjects_min == 110
    assert facts.deletion_requested is Tri.YES and facts.deletion_confirmed is Tri.UNKNOWN
    assert len(facts.commitments) == 1 and "Autoriteit Persoonsgegevens" in facts.commitments[0]


def test_prefill_an_id_copy_is_not_bank_data() -> None:
    org = profile("123samenleven")
    facts = prefill(
        report(org, title="t", description="d", data_category_keys=("kopie-identiteitsbewijs",)),
        org,
    )
    assert facts.identity_documents is Tri.YES and facts.financial_data is Tri.NO


def test_health_data_described_in_the_reporters_words_prefill_art_9_as_yes() -> None:
    """Found by exploratory testing of the legal outcomes: "Gezondheidsgegevens (psychische
    klachten, medicijngebruik)" under other data left Art. 9 "not known", and the prefilled
    advice left out informing the people (WP250: with special categories, damage is likely)."""
    org = profile("levensmozaiek")
    words = {"title": "Intakeformulieren gelekt", "description": "Een formulier lag open."}
    described = report(
        org, **words, data_other="Gezondheidsgegevens (psychische klachten), geboortedatum"
    )
    facts = prefill(described, org, CONFIDENTIALITY)
    assert facts.special_category is Tri.YES and facts.criminal_data is Tri.UNKNOWN
    record = report(org, **words, data_other="Kopie van het strafblad (VOG-aanvraag)")
    assert prefill(record, org, CONFIDENTIALITY).criminal_data is Tri.YES
    plain = prefill(report(org, **words, data_other="Klantnummer"), org, CONFIDENTIALITY)
    assert plain.special_category is Tri.UNKNOWN  # other data, nothing said: still not known
