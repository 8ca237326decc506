"""Reporting: one Report, rendered for a console, as JSON, as HTML or as a workbook.

Renderers compute nothing new; they choose what to show and hide personal values
unless the user asked to see them.
"""

from sufficiency_standard.report.model import Report, VersionChoice

__all__ = ["Report", "VersionChoice"]
