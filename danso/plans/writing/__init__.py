"""Writing a plan out: ``plan_docx`` gives the Word document, ``appendices_xlsx`` the
appendix tables as a workbook.  Their only input is a ``PlanDocument``, and what they
write, ``danso.plans.reading`` reads back into the same ``PlanDocument``.  No Django."""

from danso.plans.writing.excel import appendices_xlsx
from danso.plans.writing.word import plan_docx

__all__ = ["appendices_xlsx", "plan_docx"]
