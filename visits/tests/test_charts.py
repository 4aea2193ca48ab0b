from __future__ import annotations

import datetime as dt

import pytest

from visits import charts
from visits.stats import Day


@pytest.mark.parametrize(
    ("value", "ceiling"), [(0, 1), (1, 1), (2, 2), (3, 4), (5, 6), (9, 10), (11, 20), (45, 60), (101, 200)]
)
def test_axis_ceiling_is_round_with_a_whole_middle(value, ceiling):
    assert charts.nice_ceiling(value) == ceiling


def test_day_bars_scale_to_the_busiest_day():
    days = [Day(dt.date(2026, 3, 1) + dt.timedelta(days=n), visits, 0) for n, visits in enumerate([0, 3, 6])]
    chart = charts.day_bars(days, width=344, height=130)
    assert [(bar.height, bar.y) for bar in chart.bars] == [(0, 106), (48, 58), (96, 10)]
    assert [line.label for line in chart.gridlines] == ["0", "3", "6"]
    assert [bar.label for bar in chart.bars] == ["1.03", "2.03", "3.03"]


def test_heat_map_shades_cells_relative_to_the_busiest_hour():
    heat = [[0] * 24 for _ in range(7)]
    heat[0][9], heat[4][18] = 8, 1
    cells = {(cell.x, cell.y): cell.level for cell in charts.heat_map(heat, cell=10, left=0, top=0).cells}
    assert (cells[(90, 0)], cells[(180, 40)], cells[(0, 0)]) == (4, 1, 0)
