"""The sources the reasons cite, marked for translation ("GDPR Art. 34(3)(a)" reads "AVG art. 34
lid 3 sub a" in Dutch). Every ``rule`` of a :class:`~breachdesk.domain.reasons.Reason` is one of
these (a unit test runs the assessment over generated facts and checks it), so the web layer
can translate each citation as a whole."""

from __future__ import annotations

from .text import N_

CITATIONS = (
    N_("EDPB 01/2021"),
    N_("EDPB 01/2021 (accidental transmission to a trusted third party)"),
    N_("EDPB 01/2021 (exfiltration by an employee); EDPB 9/2022"),
    N_("EDPB 01/2021 (exfiltration cases); ENISA 2013"),
    N_("EDPB 01/2021 (hashed passwords taken)"),
    N_("EDPB 01/2021 (ransomware with exfiltration); EDPB 9/2022"),
    N_("EDPB 01/2021, Case 01 (ransomware with backup, no exfiltration); WP250 Annex B"),
    N_("EDPB 01/2021, Case 03 (ransomware in a hospital)"),
    N_("EDPB 9/2022"),
    N_("EDPB 9/2022 (identity fraud, financial loss)"),
    N_("EDPB 9/2022 (nature, volume and number of people); EDPB 01/2021 (postal errors)"),
    N_("EDPB 9/2022; ENISA 2013"),
    N_("ENISA 2013"),
    N_("ENISA 2013 (public availability); EDPB 9/2022"),
    N_("ENISA 2013; EDPB 01/2021"),
    N_("ENISA 2013; EDPB 9/2022"),
    N_("ENISA 2013; EDPB 9/2022 (severity and likelihood)"),
    N_("GDPR Art. 33(1)"),
    N_("GDPR Art. 33(1); EDPB 01/2021 (stolen or lost encrypted device)"),
    N_("GDPR Art. 33(1); EDPB 9/2022"),
    N_("GDPR Art. 33(4); EDPB 01/2021"),
    N_("GDPR Art. 33(5)"),
    N_("GDPR Art. 34(1)"),
    N_("GDPR Art. 34(1) and (2)"),
    N_("GDPR Art. 34(1); EDPB 01/2021 (e-mail exfiltration)"),
    N_("GDPR Art. 34(3)(a)"),
    N_(
        "GDPR Art. 34(3)(a); EDPB 01/2021 (stolen or lost encrypted device)"
    ),  # advice before 2026-12-05
    N_("GDPR Art. 34(3)(b)"),
    N_("GDPR Art. 34(3)(c)"),
    N_("GDPR Recitals 38 and 75; EDPB 9/2022"),
    N_("GDPR Recitals 75-76; EDPB 9/2022"),
    N_("UAVG art. 42"),
    N_("WP250 / EDPB 9/2022"),
    N_("breachdesk proposal (AP form question 9.3)"),
    N_("the organisation's own promise (privacy statement or agreement)"),
)
