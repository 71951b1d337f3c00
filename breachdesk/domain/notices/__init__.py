"""Notices: what breachdesk drafts for others to read.

* :mod:`.forms` — a notification form as a versioned table of questions and options;
* :mod:`.ap_2022` — the AP's meldformulier datalekken (2022 questionnaire) as such a table;
* :mod:`.ap_draft` — the drafted answers from what breachdesk knows, with per question
  whether it is complete, missing or needs the FG's words (a module per section of the form);
* :mod:`.sheet` — the answer sheet: drafts and the FG's own edits together, counts, and the
  difference between two filed versions.

A new AP form, or the EDPB's common template, is a new table beside :mod:`.ap_2022`; the
drafting reads questions by number, so a question the new table lacks is simply not drafted.
"""
