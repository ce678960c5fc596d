"""The QPainter charts: data checks, axis steps, tooltips that carry exact (Decimal) values."""

from __future__ import annotations

from decimal import Decimal

import pytest

from crm_desktop.ui.charts import BarChart, FunnelChart, LineChart, Series, nice_step, pounds


def test_nice_steps_are_round_numbers():
    assert nice_step(0) == 1.0
    assert nice_step(9) == 2.5
    assert nice_step(40) == 10
    assert nice_step(151_000) == 50_000


def test_series_must_match_labels(qtbot):
    chart = BarChart("x")
    qtbot.addWidget(chart)
    with pytest.raises(ValueError):
        chart.set_series(["a", "b"], [Series("s", (1,))])


@pytest.mark.parametrize("cls", [BarChart, LineChart, FunnelChart])
def test_charts_paint_and_explain_each_value(cls, qtbot):
    chart = cls("Revenue", value_format=pounds)
    qtbot.addWidget(chart)
    chart.resize(480, 300)
    chart.set_data(["Bronze", "Silver", "Gold"], [Decimal("12.50"), Decimal("0"), Decimal("1234.56")])
    chart.grab()  # paints
    texts = chart.hit_texts()
    assert any("Bronze" in t and "£12.50" in t for t in texts)
    assert any("Gold" in t and "£1,235" in t for t in texts)
    assert chart.values()[2] == Decimal("1234.56")  # exact value kept


def test_empty_chart_says_so(qtbot):
    chart = LineChart("Enquiries per week", empty_text="No enquiries yet")
    qtbot.addWidget(chart)
    chart.set_data(["w1", "w2"], [0, 0])
    chart.grab()
    assert chart.hit_texts() == []
