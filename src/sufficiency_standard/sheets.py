"""Names of the sheets this project adds to workbooks (template guidance, report pages).

The reader skips them silently, so that a filled-in template or a marked-up report
workbook can be validated again without warnings about them.
"""

GUIDANCE_SHEET = "Guidance"
CODE_LISTS_SHEET = "Code lists"
SUMMARY_SHEET = "Validation summary"
ALL_ISSUES_SHEET = "All issues"

OWN_SHEETS = frozenset({GUIDANCE_SHEET, CODE_LISTS_SHEET, SUMMARY_SHEET, ALL_ISSUES_SHEET})
