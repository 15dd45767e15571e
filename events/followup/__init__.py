"""Follow-up after an activity (issue 17): attendance certificates (attest) and the
anonymous evaluation (evaluatie), and the mail that brings both the day after.

``errors`` (the domain errors), ``certificates`` (issuing, verifying, the PDF),
``evaluation`` (the form, answering, the summary and its export), ``mailing`` (the
scheduled mail the day after and its one reminder).
"""
