"""The AP's meldformulier datalekken, as its 2022 questionnaire numbers it.

**Reconstructed.** The chapters and question numbers follow ``DOMAIN.md`` §b.2, which rebuilt
them from an open-source Dutch register tool that mirrors the AP form and the August 2022
questionnaire ("Vragenlijst meldformulier datalekken"). The wording is that tool's paraphrase;
options come from §b.2 and from the older variants of the form that Dutch organisations copy
for internal use (the Wbp-era pick lists). Where the form's own options were not found the
question is free text (``options_known=False``). Check this table against the AP's current
questionnaire before relying on the wording; the numbering is what the FG needs to find each
question in the AP's web form.
"""

from __future__ import annotations

from ..text import N_
from .forms import AnswerKind, Chapter, FormTable, Option, Question

YES = Option("yes", "Ja", "Yes")
NO = Option("no", "Nee", "No")
UNKNOWN = Option("unknown", "Onbekend", "Unknown")

_CHAPTERS = (
    Chapter("1", "Introductie", "Introduction"),
    Chapter("2", "Internationale aspecten", "International aspects"),
    Chapter("3", "De verwerkingsverantwoordelijke", "The controller"),
    Chapter("4", "Tijdlijn", "Timeline"),
    Chapter("5", "Gegevens over de inbreuk", "About the breach"),
    Chapter("6", "Welke persoonsgegevens", "Which personal data"),
    Chapter("7", "Getroffen personen", "People affected"),
    Chapter("8", "Maatregelen vooraf", "Measures taken beforehand"),
    Chapter("9", "Gevolgen", "Consequences"),
    Chapter("10", "Vervolgacties", "Follow-up"),
)

#: Nature of the incident (5.2): the AP's annual figures and the older form's categories.
INCIDENT_KINDS = (
    Option(
        "post_misdelivered",
        "Brief of pakket verkeerd bezorgd of kwijtgeraakt",
        "Letter or parcel delivered to the wrong person or lost",
    ),
    Option(
        "email_misdirected",
        "E-mail naar verkeerde ontvanger (of cc in plaats van bcc)",
        "E-mail to the wrong recipient (or cc instead of bcc)",
    ),
    Option(
        "disclosed_wrongly",
        "Persoonsgegevens verkeerd verstrekt of gepubliceerd",
        "Personal data given or published to the wrong people",
    ),
    Option(
        "device_lost",
        "Apparaat, gegevensdrager of papier verloren of gestolen",
        "Device, storage medium or paper lost or stolen",
    ),
    Option(
        "hacking",
        "Hacking, malware (zoals ransomware) en/of phishing",
        "Hacking, malware (such as ransomware) and/or phishing",
    ),
    Option(
        "access_rights",
        "Onterechte toegang door te ruime rechten of een fout",
        "Unauthorised access through too wide rights or an error",
    ),
    Option(
        "not_destroyed",
        "Persoonsgegevens niet (goed) vernietigd of verwijderd",
        "Personal data not (properly) destroyed or deleted",
    ),
    Option(
        "outage",
        "Storing of uitval waardoor gegevens niet beschikbaar waren",
        "Outage that made the data unavailable",
    ),
    Option("other", "Overig, namelijk …", "Other, namely …", free_text=True),
)

QUESTIONS = (
    Question(
        "1.1",
        "Soort melding",
        "Kind of notification",
        AnswerKind.CHOICE,
        (
            Option(
                "single", "Eén datalek (reguliere melding)", "One breach (regular notification)"
            ),
            Option(
                "bulk",
                "Bulkmelding (alleen met toestemming van de AP)",
                "Bulk notification (only with the AP's permission)",
            ),
        ),
    ),
    Question(
        "1.2",
        "Op grond van welke wet meldt u?",
        "Under which law do you notify?",
        AnswerKind.CHOICE,
        (
            Option("avg", "AVG, artikel 33", "GDPR, Article 33"),
            Option("wpg", "Wet politiegegevens (Wpg)", "Police Data Act (Wpg)"),
            Option("tw", "Telecommunicatiewet", "Telecommunications Act"),
        ),
    ),
    Question(
        "1.3",
        "Heeft u het datalek ook gemeld bij toezichthouders van andere meldplichten "
        "(bijvoorbeeld DNB)?",
        "Did you also notify supervisors under other notification duties (e.g. DNB)?",
        AnswerKind.YES_NO,
        (YES, NO),
    ),
    Question(
        "2.1.1",
        "Raakt het datalek personen in meerdere landen?",
        "Does the breach affect people in several countries?",
        AnswerKind.YES_NO,
        (YES, NO, UNKNOWN),
    ),
    Question(
        "2.2.1",
        "Heeft u het datalek gemeld bij privacytoezichthouders in andere landen?",
        "Did you notify privacy supervisors in other countries?",
        AnswerKind.YES_NO,
        (YES, NO),
    ),
    Question(
        "3.1.1",
        "Organisatie: naam, adres, KvK-nummer, registratienummer FG",
        "Organisation: name, address, Chamber of Commerce number, DPO registration number",
        max_length=1000,
    ),
    Question(
        "3.1.2",
        "Sector van de organisatie",
        "Sector of the organisation",
        options_known=False,
        max_length=200,
    ),
    Question(
        "3.2.1",
        "Wie doet de melding (naam, functie, e-mail, telefoon)?",
        "Who notifies (name, function, e-mail, phone)?",
        art33_3="b",
        max_length=1000,
    ),
    Question(
        "3.2.2",
        "Contactpersoon voor de AP, als dat een ander is",
        "Contact person for the AP, if someone else",
        art33_3="b",
        max_length=1000,
    ),
    Question(
        "3.3",
        "Waren andere organisaties betrokken (verwerkers, ontvangers)?",
        "Were other organisations involved (processors, recipients)?",
        max_length=2000,
    ),
    Question(
        "4.1.1",
        "(Mogelijke) begindatum van de inbreuk",
        "(Possible) start of the breach",
        AnswerKind.DATE,
        max_length=200,
    ),
    Question(
        "4.1.2",
        "(Mogelijke) einddatum van de inbreuk, of: duurt de inbreuk nog voort?",
        "(Possible) end of the breach, or: is it still going on?",
        AnswerKind.DATE,
        max_length=200,
    ),
    Question(
        "4.2",
        "Wanneer is het incident ontdekt?",
        "When was the incident discovered?",
        AnswerKind.DATE,
        max_length=300,
    ),
    Question(
        "4.3", "Hoe is het incident ontdekt?", "How was the incident discovered?", max_length=2000
    ),
    Question(
        "4.5",
        "Als u later dan 72 uur meldt: waarom?",
        "If you notify later than 72 hours: why?",
        max_length=2000,
    ),
    Question(
        "5.1",
        "Aard van de inbreuk",
        "Nature of the breach",
        AnswerKind.MULTI,
        (
            Option(
                "confidentiality",
                "Vertrouwelijkheid: persoonsgegevens (mogelijk) ingezien, "
                "gekopieerd of verstrekt aan onbevoegden",
                "Confidentiality: personal data "
                "(possibly) seen, copied or disclosed to people not entitled",
            ),
            Option(
                "integrity",
                "Integriteit: persoonsgegevens (mogelijk) veranderd",
                "Integrity: personal data (possibly) altered",
            ),
            Option(
                "availability",
                "Beschikbaarheid: persoonsgegevens verwijderd, vernietigd of "
                "(tijdelijk) niet toegankelijk",
                "Availability: personal data deleted, destroyed or (temporarily) inaccessible",
            ),
        ),
        art33_3="a",
    ),
    Question(
        "5.2",
        "Wat voor incident is het?",
        "What kind of incident is it?",
        AnswerKind.CHOICE,
        INCIDENT_KINDS,
        art33_3="a",
    ),
    Question(
        "5.3",
        "Beschrijving of samenvatting van het incident",
        "Description or summary of the incident",
        art33_3="a",
    ),
    Question(
        "5.4",
        "Ondersteunende documenten (bijlagen)",
        "Supporting documents (attachments)",
        max_length=2000,
    ),
    Question(
        "6.1",
        "Om welke persoonsgegevens gaat het (ook BSN en strafrechtelijke gegevens)?",
        "Which personal data (including BSN and criminal-law data)?",
        art33_3="a",
    ),
    Question(
        "6.2",
        "Gaat het om bijzondere persoonsgegevens?",
        "Are special categories of personal data involved?",
        art33_3="a",
        max_length=2000,
    ),
    Question(
        "6.3.1",
        "Om hoeveel gegevensrecords gaat het (eventueel bij benadering)?",
        "How many data records (approximately, if need be)?",
        AnswerKind.NUMBER,
        art33_3="a",
        max_length=300,
    ),
    Question(
        "7.1",
        "Welke groep(en) personen zijn getroffen?",
        "Which group(s) of people?",
        art33_3="a",
        max_length=2000,
    ),
    Question(
        "7.2",
        "Nadere omschrijving van de groep(en)",
        "Further description of the groups",
        art33_3="a",
        max_length=2000,
    ),
    Question(
        "7.3",
        "Om hoeveel personen gaat het (precies, of minimaal en maximaal)?",
        "How many people (exactly, or a minimum and maximum)?",
        AnswerKind.NUMBER,
        art33_3="a",
        max_length=300,
    ),
    Question(
        "8.1",
        "Waren de persoonsgegevens versleuteld, gehasht of op een andere manier "
        "onbegrijpelijk of ontoegankelijk voor onbevoegden?",
        "Were the data encrypted, "
        "hashed or otherwise unintelligible or inaccessible to people not entitled?",
        AnswerKind.YES_NO,
        (YES, Option("partly", "Gedeeltelijk", "Partly"), NO, UNKNOWN),
        max_length=2000,
    ),
    Question(
        "9.1",
        "(Mogelijke) gevolgen voor de organisatie en de gegevens "
        "(vertrouwelijkheid, integriteit, beschikbaarheid)",
        "(Possible) consequences for "
        "the organisation and the data (confidentiality, integrity, availability)",
        art33_3="c",
    ),
    Question(
        "9.2",
        "(Mogelijke) gevolgen voor de betrokkenen",
        "(Possible) consequences for the people affected",
        art33_3="c",
    ),
    Question(
        "9.3",
        "Hoe ernstig schat u de gevolgen voor de betrokkenen in?",
        "How severe do you estimate the consequences for the people affected?",
        AnswerKind.CHOICE,
        (
            Option("verwaarloosbaar", "Verwaarloosbaar", "Negligible"),
            Option("beperkt", "Beperkt", "Limited"),
            Option("aanzienlijk", "Aanzienlijk", "Significant"),
            Option("zeer_groot", "Zeer groot", "Very high"),
        ),
        art33_3="c",
    ),
    Question(
        "10.1.1",
        "Heeft u de betrokkenen geïnformeerd of gaat u dat doen? Zo nee, waarom niet?",
        "Have you informed the people affected, or will you? If not, why not?",
        AnswerKind.CHOICE,
        (
            Option("informed", "Ja, geïnformeerd", "Yes, informed"),
            Option("will_inform", "Ja, dat gaan we doen", "Yes, we will"),
            Option(
                "public",
                "Via een openbare mededeling (art. 34 lid 3 sub c AVG)",
                "By a public communication (Art. 34(3)(c) GDPR)",
            ),
            Option("not", "Nee, omdat …", "No, because …", free_text=True),
        ),
        art33_3="d",
    ),
    Question(
        "10.1.3",
        "Hoeveel personen zijn geïnformeerd?",
        "How many people were informed?",
        AnswerKind.NUMBER,
        max_length=300,
    ),
    Question(
        "10.1.7",
        "Hoe zijn zij geïnformeerd (kanaal)?",
        "How were they informed (channel)?",
        max_length=1000,
    ),
    Question(
        "10.2",
        "Welke maatregelen heeft u genomen om de inbreuk aan te pakken en herhaling te voorkomen?",
        "Which measures did you take to address the breach and prevent it happening again?",
        art33_3="d",
    ),
)

AP_2022 = FormTable(
    key="ap-2022",
    nl="Meldformulier datalekken van de Autoriteit Persoonsgegevens (vragenlijst 2022)",
    en="The Dutch DPA's data breach notification form (2022 questionnaire)",
    source=N_(
        "Reconstructed from a paraphrase of the AP's 2022 questionnaire (numbering as the AP "
        "form); check the wording against the AP's current form."
    ),
    reconstructed=True,
    chapters=_CHAPTERS,
    questions=QUESTIONS,
)

#: Every form breachdesk knows, by key; a filing names the one it was drafted against.
FORMS = {AP_2022.key: AP_2022}
CURRENT = AP_2022
