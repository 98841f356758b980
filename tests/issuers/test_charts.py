"""The dashboard's SVG charts (pages/issuers/charts.py), read back as XML: named for assistive technology, bars in
proportion to their values, every value in words, the deadline marked, and no NaN whatever the data."""

from __future__ import annotations

from lxml import etree

from pages.issuers.charts import LABEL_CHARACTERS, WIDTH, Bar, Column, Marker, bar_chart, bar_length, histogram_chart

SVG = "{http://www.w3.org/2000/svg}"


def parse(markup: str) -> etree._Element:
    return etree.fromstring(markup.encode())


def bars_of(svg: etree._Element) -> list[float]:
    return [float(rect.get("width")) for rect in svg.iter(f"{SVG}rect") if rect.get("class") == "chart-bar"]


def texts_of(svg: etree._Element) -> list[str]:
    return [text.text or "" for text in svg.iter(f"{SVG}text")]


def test_a_bar_chart_is_an_image_named_by_its_title_and_description():
    svg = parse(bar_chart(chart_id="c", title="Funnel <1>", desc="Of 4 started & 2 earned", bars=[Bar("A", 1, "1")]))
    assert svg.get("role") == "img"
    assert svg.get("aria-labelledby") == "c-title c-desc"
    assert svg.find(f"{SVG}title").text == "Funnel <1>"  # escaped in the markup, read back as written
    assert svg.find(f"{SVG}desc").text == "Of 4 started & 2 earned"
    assert svg.get("width") == "100%"
    assert svg.get("viewBox").startswith(f"0 0 {WIDTH} ")


def test_bar_lengths_are_proportional_to_their_values_and_labelled_in_words():
    svg = parse(
        bar_chart(
            chart_id="f",
            title="t",
            desc="d",
            bars=[Bar("Started", 8, "8 (100%)"), Bar("Submitted", 6, "6 (75%)"), Bar("Earned", 2, "2 (25%)")],
            scale_max=8,
        )
    )
    started, submitted, earned = bars_of(svg)
    assert submitted / started == 0.75
    assert earned / started == 0.25
    assert {"Started", "Submitted", "Earned", "8 (100%)", "6 (75%)", "2 (25%)"} <= set(texts_of(svg))


def test_rates_fill_at_most_the_whole_scale():
    svg = parse(
        bar_chart(chart_id="r", title="t", desc="d", bars=[Bar("a", 1.0, "100%"), Bar("b", 0.5, "50%")], scale_max=1)
    )
    full, half = bars_of(svg)
    assert half == full / 2
    assert bar_length(3.0, 1.0, 100) == 100  # clamped
    assert bar_length(-1.0, 1.0, 100) == 0


def test_empty_data_draws_no_nan():
    for markup in (
        bar_chart(chart_id="e", title="t", desc="d", bars=[]),
        bar_chart(
            chart_id="z", title="t", desc="d", bars=[Bar("none", 0, "0"), Bar("not a number", float("nan"), "—")]
        ),
        bar_chart(chart_id="s", title="t", desc="d", bars=[Bar("a", 0, "0")], scale_max=0),
        histogram_chart(chart_id="h", title="t", desc="d", columns=[], axis_label="days"),
        histogram_chart(chart_id="h0", title="t", desc="d", columns=[Column(0, 1, 0)], axis_label="days"),
    ):
        assert "nan" not in markup.lower()
        assert "inf" not in markup.lower()
        parse(markup)  # well-formed
    assert bars_of(parse(bar_chart(chart_id="z", title="t", desc="d", bars=[Bar("a", 0, "0")]))) == [0.0]


def test_a_long_label_wraps_onto_two_lines_at_most():
    label = "How the candidate used the evidence of their students' learning to change what they planned next " * 3
    texts = texts_of(parse(bar_chart(chart_id="l", title="t", desc="d", bars=[Bar(label, 1, "1")])))
    lines = [t for t in texts if t != "1"]
    assert len(lines) == 2
    assert all(len(line) <= LABEL_CHARACTERS for line in lines)
    assert lines[1].endswith("…")


def test_a_histogram_draws_columns_in_proportion_and_marks_the_deadline():
    svg = parse(
        histogram_chart(
            chart_id="t",
            title="Days",
            desc="d",
            columns=[Column(0, 3, 4), Column(3, 6, 2), Column(6, 9, 0), Column(9, 12, 1)],
            markers=[Marker(14, "Deadline: 14 days")],
            axis_label="Days from submission to decision",
        )
    )
    heights = [float(r.get("height")) for r in svg.iter(f"{SVG}rect") if r.get("class") == "chart-bar"]
    assert heights[1] / heights[0] == 0.5
    assert heights[2] == 0
    assert heights[3] / heights[0] == 0.25
    texts = texts_of(svg)
    assert "Deadline: 14 days" in texts
    assert "Days from submission to decision" in texts
    counts = [t.text for t in svg.iter(f"{SVG}text") if t.get("class") == "chart-value"]
    assert counts == ["4", "2", "1"]  # above each column but the empty one
    marker = next(line for line in svg.iter(f"{SVG}line") if line.get("class") == "chart-marker")
    assert marker.get("stroke-dasharray")  # dashed: told apart by shape, not colour alone
    widths = [float(r.get("width")) for r in svg.iter(f"{SVG}rect") if r.get("class") == "chart-bar"]
    # The scale runs to the deadline (14), past the last column (12): four columns of 3 days fill 12/14 of it.
    right_of_marker = float(marker.get("x1"))
    assert all(w > 0 for w in widths)
    assert right_of_marker > max(float(r.get("x")) for r in svg.iter(f"{SVG}rect") if r.get("class") == "chart-bar")
