"""Report obligations read from the closing sentence."""

from __future__ import annotations

from danso.plans.document import ReportRule
from danso.plans.reading.blocks import Paragraph
from danso.plans.reading.reports import read_report_rules


def rules(text: str) -> list[ReportRule]:
    return read_report_rules([Paragraph(text, 1, "line 1")])


def test_quarterly_and_yearly_reports_to_the_health_department() -> None:
    found = rules(
        "yêu cầu các sở nghiêm túc triển khai thực hiện Kế hoạch này, báo cáo kết quả thực "
        "hiện định kỳ hàng quý (hạn gửi báo cáo trước ngày 10 tháng đầu tiên của quý tiếp "
        "theo), báo cáo tổng kết năm gửi trước ngày 15/12, gửi về Sở Y tế tổng hợp báo cáo "
        "UBND Thành phố theo quy định./."
    )
    assert found == [
        ReportRule(
            text="báo cáo kết quả thực hiện định kỳ hàng quý (hạn gửi báo cáo trước ngày 10 tháng "
            "đầu tiên của quý tiếp theo)",
            period="quarter",
            rule="before_day_next",
            day=10,
            recipient="Sở Y tế",
        ),
        ReportRule(
            text="báo cáo tổng kết năm gửi trước ngày 15/12",
            period="year",
            rule="fixed_date",
            day=15,
            month=12,
            recipient="Sở Y tế",
        ),
    ]


def test_monthly_before_a_day_of_the_next_month_and_working_days() -> None:
    found = rules(
        "Các phường báo cáo hàng tháng trước ngày 5 của tháng sau (qua Trung tâm Y tế quận); "
        "báo cáo hàng quý trong vòng 5 ngày làm việc."
    )
    assert [(r.period, r.rule, r.day, r.days, r.recipient) for r in found] == [
        ("month", "before_day_next", 5, None, "Trung tâm Y tế quận"),
        ("quarter", "working_days_after", None, 5, "Trung tâm Y tế quận"),
    ]


def test_periodic_reports_without_a_deadline_give_no_rule() -> None:
    assert rules("định kỳ báo cáo UBND Thành phố kết quả thực hiện (qua Sở Y tế tổng hợp)/.") == []
