"""指标台账: every figure of the reports as a table (filters, .xlsx export, a click opens the row's passage
in 原文 with its quote highlighted), plan against achievement, figures that disagree, and one
indicator over the years or across places as a chart. The rows come from assistant/ledger through
`Catalog.ledger` (docs/contracts.md, "Ledger"); the table builders here are plain functions."""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path
from typing import Any

import gradio as gr
import pandas as pd

from assistant.errors import AssistantError
from assistant.ledger.extract import Row
from assistant.ledger.plan import check, plan_vs_actual
from assistant.ledger.query import across_places, export, series
from assistant.ui.catalog import Catalog
from assistant.ui.doc_tab import DocParts, DocumentView
from assistant.ui.page_js import OPEN_JS
from assistant.ui.widgets import error_html

ALL = "全部"
KIND_LABELS = {"actual": "实际", "target": "目标", "change": "变化", "rank": "排名", "other": "其他"}
ROW_HEADERS = ["序号", "地区", "年份", "指标", "数值", "类型", "限定", "章节", "文档", "原文"]
PLAN_HEADERS = ["地区", "年份", "指标", "目标", "完成", "结论", "说明", "目标原文", "完成原文"]
CHECK_HEADERS = ["地区", "年份", "指标", "问题", "原文一", "原文二"]
MET_LABELS = {True: "达成", False: "未达成", None: "不可比"}
CHART_MODES = ("按年份（折线图）", "按地区（柱状图）")
SHOWN = 2000  # rows put in the page; the export has all of them


def row_table(found: list[Row]) -> list[list[object]]:
    """The rows as the grid shows them (ROW_HEADERS); 序号 is the row's place in `found`."""
    return [
        [
            i + 1,
            r.place or "—",
            r.year or "—",
            r.indicator or "—",
            r.value + ("（未公开）" if r.undisclosed else ""),
            KIND_LABELS.get(r.kind, r.kind) + ({"up": "↑", "down": "↓"}.get(r.direction, "")),
            r.qualifier,
            r.section,
            r.doc,
            r.quote,
        ]
        for i, r in enumerate(found[:SHOWN])
    ]


def plan_table(pairs: list[dict[str, Any]]) -> list[list[object]]:
    """plan_vs_actual pairs as PLAN_HEADERS rows: 达成 / 未达成 / 不可比 with the reason."""
    return [
        [
            p["place"] or "—",
            p["year"],
            p["indicator"],
            _as_said(p["target"]),
            p["actual"]["value"],
            MET_LABELS[p["met"]],
            p["reason"] or "",
            p["target"]["quote"],
            p["actual"]["quote"],
        ]
        for p in pairs
    ]


def _as_said(row: dict[str, Any]) -> str:
    """A value with its qualifier when the value does not hold it already (6% + 左右; 20余名 holds 余)."""
    value, qualifier = str(row["value"]), str(row.get("qualifier") or "")
    return value if qualifier in value else value + qualifier


_ISSUE_LABELS = {"different_values": "数值不一致", "rate_contradiction": "增速与数值矛盾"}


def check_table(issues: list[dict[str, Any]]) -> list[list[object]]:
    """check() results as CHECK_HEADERS rows, each with both quotes (a third, the base year's, joined to the second)."""
    out: list[list[object]] = []
    for i in issues:
        quotes = [f"{r['doc']}：{r['quote']}" for r in i["rows"]]
        label = _ISSUE_LABELS.get(i["type"], i["type"])
        problem = f"{label}：{i['reason']}"
        out.append([i["place"] or "—", i["year"], i["indicator"], problem, quotes[0], " ／ ".join(quotes[1:])])
    return out


def chart_frame(by_key: dict[Any, list[Row]], key_name: str) -> tuple[pd.DataFrame, str]:
    """One number per key (the first row stated for it) in the unit most of the rows use: a
    DataFrame of (key_name, 数值) and that unit (in 万/亿 for large amounts); keys are strings so a
    year axis stays categorical."""
    units = Counter(r.unit for rows in by_key.values() for r in rows if r.number is not None)
    if not units:
        return pd.DataFrame({key_name: [], "数值": []}), ""
    unit = units.most_common(1)[0][0]
    keys, numbers = [], []
    for key, rows in by_key.items():
        same = [r for r in rows if r.number is not None and r.unit == unit]
        if same:
            keys.append(str(key))
            numbers.append(float(same[0].number or 0))
    scale, prefix = _scale(numbers, unit)
    return pd.DataFrame({key_name: keys, "数值": [n / scale for n in numbers]}), prefix + unit


def _scale(numbers: list[float], unit: str) -> tuple[float, str]:
    """亿/万 for large amounts (the ledger's numbers are normalised: 159.5亿元 is 15950000000 元)."""
    top = max((abs(n) for n in numbers), default=0.0)
    if unit in ("%", "个百分点", "百分点") or top < 1e4:
        return 1.0, ""
    return (1e8, "亿") if top >= 1e8 else (1e4, "万")


class LedgerView:
    """What the tab shows, without Gradio: filtered rows, exports, pairs, issues, charts."""

    def __init__(self, catalog: Catalog, export_dir: Path) -> None:
        self.catalog = catalog
        self.export_dir = export_dir

    def options(self) -> tuple[list[str], list[str]]:
        """(places, years) for the filter dropdowns: the documents' (the catalog's cached scan, not a
        read of every row; a figure's year outside its reports' years can be typed in)."""
        options = self.catalog.filter_options()
        return [ALL, *options["township"]], [ALL, *options["year"]]

    def rows(self, place: str, year: str, kind: str, text: str) -> list[Row]:
        return self.catalog.ledger().rows(
            place=_choice(place),
            year=_year(year),
            kind=_kind(kind),
            indicator=(text or "").strip() or None,
        )

    def export(self, found: list[Row]) -> Path:
        self.export_dir.mkdir(parents=True, exist_ok=True)
        path = self.export_dir / f"指标台账-{time.strftime('%Y%m%d-%H%M%S')}.xlsx"
        export(found, path)
        return path

    def pairs(self, place: str) -> list[dict[str, Any]]:
        return plan_vs_actual(self.catalog.ledger().rows(place=_choice(place)))

    def issues(self, place: str) -> list[dict[str, Any]]:
        return check(self.catalog.ledger().rows(place=_choice(place)))

    def chart(self, indicator: str, mode: str, place: str, year: str) -> tuple[pd.DataFrame, str]:
        """An indicator (its exact name) over the years of one place, or across places in one year."""
        name = (indicator or "").strip()
        if not name:
            raise AssistantError("请输入指标名称（如 地区生产总值），或在台账中点选一行。")
        book = self.catalog.ledger()
        if mode == CHART_MODES[0]:
            if _choice(place) is None:
                raise AssistantError("按年份作图请先选择地区。")
            return chart_frame(series(book, name, str(place)), "年份")
        if _year(year) is None:
            raise AssistantError("按地区作图请先选择年份。")
        return chart_frame(across_places(book, name, int(year)), "地区")


def _choice(value: str | None) -> str | None:
    return None if not value or value == ALL else value


def _year(value: str | None) -> int | None:
    value = _choice(value)
    if value is None:
        return None
    if not str(value).strip().isdigit():
        raise AssistantError(f"年份应为数字，如 2018：{value}")
    return int(str(value).strip())


def _kind(label: str | None) -> str | None:
    label = _choice(label)
    if label is None:
        return None
    return next((k for k, v in KIND_LABELS.items() if v == label), label)


def ledger_tab(view: LedgerView, doc_view: DocumentView, doc: DocParts) -> None:
    """The tab; a click on a row of the table opens 原文 at that figure's passage."""
    places, years = view.options()
    with gr.Tab("指标台账", id="ledger") as tab:
        with gr.Row():
            place = gr.Dropdown(places, value=ALL, label="地区", elem_id="lg-place", allow_custom_value=True)
            year = gr.Dropdown(years, value=ALL, label="年份", elem_id="lg-year", allow_custom_value=True)
            kind = gr.Dropdown([ALL, *KIND_LABELS.values()], value=ALL, label="类型", elem_id="lg-kind")
            text = gr.Textbox(label="指标名称包含", placeholder="如 生产总值、游客", elem_id="lg-text", scale=2)
        with gr.Row():
            search = gr.Button("查询", variant="primary", elem_id="lg-search")
            save = gr.Button("导出 Excel（.xlsx）", elem_id="lg-export")
        status = gr.Markdown(elem_id="lg-status")
        xlsx = gr.File(label="下载台账", elem_id="lg-file", visible=False, height=80)
        table = gr.Dataframe(headers=ROW_HEADERS, interactive=False, wrap=True, elem_id="lg-table", max_height=520)
        gr.Markdown("点选表中一行，在「原文」中查看该数字所在段落（原文高亮）；计划对照、不一致两表同样可点。")
        with gr.Accordion("计划对照完成", open=True):
            plan_btn = gr.Button("对照计划与完成", elem_id="lg-plan-btn")
            plan = gr.Dataframe(headers=PLAN_HEADERS, interactive=False, wrap=True, elem_id="lg-plan")
        with gr.Accordion("前后不一致的数字", open=True):
            check_btn = gr.Button("检查不一致", elem_id="lg-check-btn")
            issues = gr.Dataframe(headers=CHECK_HEADERS, interactive=False, wrap=True, elem_id="lg-check")
        with gr.Accordion("指标走势", open=True):
            with gr.Row():
                name = gr.Textbox(label="指标（完整名称）", elem_id="lg-chart-name", scale=2)
                mode = gr.Radio(list(CHART_MODES), value=CHART_MODES[0], label="作图方式", elem_id="lg-chart-mode")
                draw = gr.Button("作图", elem_id="lg-chart-btn")
            note = gr.Markdown(elem_id="lg-chart-note")
            line = gr.LinePlot(x="年份", y="数值", label="按年份", elem_id="lg-line")
            bar = gr.BarPlot(x="地区", y="数值", label="按地区", elem_id="lg-bar", visible=False)
    shown = gr.State([])  # the rows in the grid (their JSON), for a click
    asked = gr.State(None)  # the filters of the last 查询, for the export
    plan_pairs = gr.State([])  # the pairs and issues shown, for a click
    found_issues = gr.State([])

    def on_search(p: str, y: str, k: str, t: str) -> tuple[Any, ...]:
        try:
            found = view.rows(p, y, k, t)
        except AssistantError as exc:
            raise gr.Error(str(exc)) from exc
        more = f"（表中显示前 {SHOWN} 行，导出含全部）" if len(found) > SHOWN else ""
        listed = [r.to_json() for r in found[:SHOWN]]
        return row_table(found), listed, [p, y, k, t], f"共 {len(found)} 行{more}"

    def on_export(asked: list[str] | None) -> Any:
        if not asked:
            raise gr.Error("没有可导出的行：请先查询。")
        try:  # the filters of the last 查询, read again: every row, not only those shown
            return gr.File(value=str(view.export(view.rows(*asked))), visible=True)
        except AssistantError as exc:
            raise gr.Error(str(exc)) from exc

    def on_row(found: list[dict[str, Any]], evt: gr.SelectData) -> tuple[Any, ...]:
        return open_row(_picked(found, evt))

    def open_row(picked: dict[str, Any] | None) -> tuple[Any, ...]:
        if picked is None:
            return gr.skip(), error_html("找不到这一行（台账已更新），请重新查询。"), gr.skip()
        picker = gr.Dropdown(choices=doc_view.catalog.choices(), value=picked["doc"])
        return picker, doc_view.show(picked["doc"], picked["chunk_id"], picked["quote"]), picked["indicator"]

    def on_plan(p: str) -> tuple[Any, Any]:
        pairs = view.pairs(p)
        return plan_table(pairs), pairs

    def on_plan_row(pairs: list[dict[str, Any]], evt: gr.SelectData) -> tuple[Any, ...]:
        pair = _clicked(pairs, evt, lambda x: plan_table([x])[0])
        target_side = _column(evt) in (PLAN_HEADERS.index("目标"), PLAN_HEADERS.index("目标原文"))
        return open_row(None if pair is None else pair["target" if target_side else "actual"])

    def on_check(p: str) -> tuple[Any, Any]:
        found = view.issues(p)
        return check_table(found), found

    def on_check_row(found: list[dict[str, Any]], evt: gr.SelectData) -> tuple[Any, ...]:
        issue = _clicked(found, evt, lambda x: check_table([x])[0])
        second = _column(evt) == CHECK_HEADERS.index("原文二")
        return open_row(None if issue is None else issue["rows"][1 if second else 0])

    def on_chart(n: str, m: str, p: str, y: str) -> tuple[Any, ...]:
        try:
            frame, unit = view.chart(n, m, p, y)
        except AssistantError as exc:
            raise gr.Error(str(exc)) from exc
        said = f"单位：{unit}" if unit else "没有找到该指标的数值（需完整名称，类型为实际或变化）。"
        by_year = m == CHART_MODES[0]
        return (
            gr.LinePlot(value=frame if by_year else None, visible=by_year),
            gr.BarPlot(value=None if by_year else frame, visible=not by_year),
            said,
        )

    def on_select() -> tuple[Any, Any]:  # documents uploaded or deleted since the page was built
        p, y = view.options()
        return gr.Dropdown(choices=p), gr.Dropdown(choices=y)

    filters = [place, year, kind, text]
    search.click(on_search, filters, [table, shown, asked, status], api_visibility="private")
    text.submit(on_search, filters, [table, shown, asked, status], api_visibility="private")
    save.click(on_export, [asked], [xlsx], api_visibility="private")
    opened = table.select(on_row, [shown], [doc.pick, doc.page, name], api_visibility="private")
    opened.then(None, None, None, js=OPEN_JS)
    plan_btn.click(on_plan, [place], [plan, plan_pairs], api_visibility="private")
    check_btn.click(on_check, [place], [issues, found_issues], api_visibility="private")
    outputs = [doc.pick, doc.page, name]
    plan.select(on_plan_row, [plan_pairs], outputs, api_visibility="private").then(None, None, None, js=OPEN_JS)
    issues.select(on_check_row, [found_issues], outputs, api_visibility="private").then(None, None, None, js=OPEN_JS)
    draw.click(on_chart, [name, mode, place, year], [line, bar, note], api_visibility="private")
    tab.select(on_select, None, [place, year], api_visibility="private")


def _clicked(items: list[dict[str, Any]], evt: gr.SelectData, cells: Any) -> dict[str, Any] | None:
    """The item whose table row (`cells(item)`) is the clicked one (a sorted grid too), else by position."""
    value = getattr(evt, "row_value", None)
    if value:
        shown = [str(v) for v in value]
        found = next((x for x in items if [str(c) for c in cells(x)] == shown), None)
        if found is not None:
            return found
    at = evt.index[0] if isinstance(evt.index, (list, tuple)) else evt.index
    return items[at] if isinstance(at, int) and 0 <= at < len(items) else None


def _column(evt: gr.SelectData) -> int:
    return int(evt.index[1]) if isinstance(evt.index, (list, tuple)) and len(evt.index) > 1 else -1


def _picked(found: list[dict[str, Any]], evt: gr.SelectData) -> dict[str, Any] | None:
    """The clicked row: by its 序号 cell (the grid may be sorted in the page), else its position."""
    value = getattr(evt, "row_value", None)
    index = evt.index[0] if isinstance(evt.index, (list, tuple)) else evt.index
    try:
        at = int(value[0]) - 1 if value else int(index)
    except (TypeError, ValueError):
        return None
    return found[at] if 0 <= at < len(found) else None
