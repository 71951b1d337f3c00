"""``breachdesk assess FILE.json``: the breach assessment from the command line.

Reads checklist answers in the documented input format (``docs/assessment.md``, schema
``breachdesk/schemas/assessment-input.schema.json``), runs the same pure
:func:`breachdesk.domain.assessment.assess` as the web checklist and prints the recommendation:
as JSON (``--format json``, the default; see
:func:`~breachdesk.domain.assessment_json.recommendation_to_dict`) or as numbered sentences for
people (``--format text``).

Needs no database and no application context. Exit codes: 0 assessed; 2 the file cannot be read
or is invalid (each problem on standard error as ``FILE: field: reason``), the same code click
uses for a bad command line.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from .domain.assessment import Recommendation, assess
from .domain.assessment_json import recommendation_to_dict
from .services.assessment_io import AssessmentInputError, load_facts_file

EXIT_INVALID_INPUT = 2


def render_text(rec: Recommendation) -> str:
    """The recommendation for people: outcome, risk, AP severity, arithmetic, reasons, questions."""
    lines = [
        f"Outcome:        {rec.outcome.value}",
        f"Risk:           {rec.risk.value}",
        f"Notify the AP:  {'yes' if rec.notify_ap else 'no'}",
        f"Inform people:  {'yes' if rec.inform_subjects else 'no'}"
        + (" (public communication, Art. 34(3)(c))" if rec.public_communication else ""),
    ]
    if rec.art34_exemption:
        lines.append(f"Art. 34(3):     ({rec.art34_exemption}) applies")
    if rec.art34_excluded_uavg42:
        lines.append("Art. 34:        does not apply (UAVG art. 42)")
    lines += [
        f"AP severity:    {rec.ap_severity.value} (breachdesk proposal, AP form question 9.3)",
        f"ENISA:          {rec.severity.arithmetic}",
        "Provisional:    "
        + ("notify now, supplement later (Art. 33(4))" if rec.provisional_advised else "no"),
        f"Rule set:       {rec.ruleset_version}",
        "",
        "Reasons:",
    ]
    lines += [f"  {n}. {r.text()} [{r.rule}]" for n, r in enumerate(rec.reasons, 1)]
    if rec.uncertainties:
        lines += ["", "Still unknown:"]
        lines += [f"  {n}. {r.text()}" for n, r in enumerate(rec.uncertainties, 1)]
    return "\n".join(lines)


@click.command("assess")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["json", "text"]),
    default="json",
    show_default=True,
    help="JSON for programs, text for people.",
)
def assess_command(file: Path, output_format: str) -> None:
    """Assess the breach described in FILE (JSON, format version 2, which still reads version
    1; see docs/assessment.md)."""
    try:
        facts = load_facts_file(file)
    except AssessmentInputError as error:
        click.echo(str(error), err=True)
        raise click.exceptions.Exit(EXIT_INVALID_INPUT) from error
    rec = assess(facts)
    if output_format == "json":
        click.echo(json.dumps(recommendation_to_dict(rec), indent=2, ensure_ascii=False))
    else:
        click.echo(render_text(rec))
