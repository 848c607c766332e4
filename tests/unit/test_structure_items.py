"""Inline 一是/二是 items, on real lines from the seed reports: runs on one line or over paragraphs, and
markers that must not split."""

from __future__ import annotations

import pytest

from assistant.ingest.structure import ITEM_LEVEL, parse_sections
from tests.unit.seed_reports import SEED_TITLES, find_node, node_bodies, seed_line, seed_text, tree_nodes

# --- 一是/二是 items on single lines / paragraphs ---------------------------------------------


@pytest.mark.parametrize(
    ("prefix", "heading_line", "line_starts", "owner", "parent_body", "items"),
    [
        pytest.param(
            "004",
            "一、履职情况",
            ["（一）学理论、助提升"],
            "（一）学理论、助提升，政治建设常抓不懈",
            [],
            ["一是坚持把政治建设摆在首位", "二是持续深化理论武装", "三是意识形态阵地更加巩固"],
            id="seed004-heading-line-items",
        ),
        pytest.param(
            "004",
            "一、履职情况",
            ["（五）抓团结、重实干"],
            "（五）抓团结、重实干，整体效能显著增强",
            ["我乡领导班子运转正常，整体功能发挥较好。"],
            ["一是坚持民主集中制，增强领导班子凝聚力", "二是科学分工，责任明晰", "三是履职尽责，服务大局"],
            id="seed004-lead-sentence-stays-in-parent",
        ),
        pytest.param(
            "004",
            "二、存在问题",
            ["在全乡干部群众的共同努力下"],
            "二、存在问题",
            ["在全乡干部群众的共同努力下，2023年各项工作有序推进，但还存在一些问题和不足。"],
            [
                "一是产业发展结构转型还需进一步加快、经济增长内生动力还需进一步挖掘、经济社会发展…",
                "二是道路、农业灌溉等基础设施建设短板亟待补齐，易地搬迁历史遗留问题仍需花大力气解…",
                "三是教育、就业、社会稳定等方面的民生保障能力仍需持续加强，安全生产、食品安全等方…",
                "四是干部拼劲闯劲干劲不够，部分干部责任意识不强、担当精神不足，遇事习惯等指示、听…",
            ],
            id="seed004-problems-paragraph",
        ),
        pytest.param(
            "002",
            "一、2023年工作总结",
            ["(一)锚定产业发展不动摇", "一是深挖红色资源优势"],
            "(一)锚定产业发展不动摇,擦亮焕新安民品牌",
            [],
            ["一是深挖红色资源优势", "二是深挖特色品牌价值", "三是深挖点位发展可能"],
            id="seed002-one-long-paragraph",
        ),
        pytest.param(
            "002",
            "一、2023年工作总结",
            ["(五)坚持效能提升不止步", "一是深入学习规矩纪律"],
            "(五)坚持效能提升不止步,持续建设干部队伍",
            [],
            ["一是深入学习规矩纪律", "二是不断强化规矩意识", "三是常态监督目标履责"],
            id="seed002-half-width-heading-own-line",
        ),
        pytest.param(
            "003",
            "一、以党建统领“切题”，凝聚干事创业合力",
            ["一是创新机制建好主轴"],
            "一、以党建统领“切题”，凝聚干事创业合力",
            [],
            ["一是创新机制建好主轴", "二是揭榜挂帅协同破难", "三是督考结合协同发力"],
            id="seed003-items-in-one-line",
        ),
    ],
)
def test_inline_items(
    prefix: str, heading_line: str, line_starts: list[str], owner: str, parent_body: list[str], items: list[str]
) -> None:
    lines = [seed_line(prefix, start) for start in line_starts]
    text = "\n".join([SEED_TITLES[prefix], heading_line, *lines])
    node = find_node(parse_sections(text), owner)
    assert node_bodies(text, node) == parent_body
    children = [c for c in node.children if c.level == ITEM_LEVEL]
    assert [c.heading for c in children] == items
    # the parent's own body and its items tile the paragraph exactly, in order
    pieces = parent_body + [text[s:e] for c in children for s, e in c.body_spans]
    line = lines[-1]
    paragraph_body = line[len(owner) + 1 :] if line.startswith(owner) else line
    assert "".join(pieces) == paragraph_body


def test_seed004_problem_items_are_exact_sentences() -> None:
    line = seed_line("004", "在全乡干部群众的共同努力下")
    text = f"{SEED_TITLES['004']}\n二、存在问题\n{line}"
    node = parse_sections(text).children[0]
    bodies = [text[s:e] for c in node.children for s, e in c.body_spans]
    assert bodies[1] == (
        "二是道路、农业灌溉等基础设施建设短板亟待补齐，易地搬迁历史遗留问题仍需花大力气解决，违法图斑整治等工作亟须持续推进。"
    )


def test_seed000_items_on_separate_lines() -> None:
    text = seed_text("000")
    section = find_node(parse_sections(text), "一、2023年工作总结")
    items = [c for c in section.children if c.level == ITEM_LEVEL]
    assert [c.heading for c in items[:3]] == [
        "一是聚焦理论学习，提升政治忠诚力",
        "二是聚焦教育管理，提升组织战斗力",
        "三是聚焦三治融合，提升治理凝聚力",
    ]
    for item in items[:3]:
        (body,) = node_bodies(text, item)
        assert body.startswith(item.heading + "。")
        line_start = text.rfind("\n", 0, item.body_spans[0][0]) + 1
        line_end = text.find("\n", item.body_spans[0][0])
        assert item.body_spans[0] == (line_start, line_end), "each item is its whole line"
    # the 2023年，是…的一年 lines are not items: they stay in the 一、 section's own body
    bodies = node_bodies(text, section)
    assert bodies[0] == "2023年，是组织建设卓有成效的一年，我们转作风、强效能，锲而不舍，推动全面从严治党纵深发展。"
    assert bodies[1].startswith("2023年，是经济增长保持强劲势头的一年")
    assert bodies[-1] == "同时，积极做好妇女儿童、民族宗教、退役军人、档案、第五次全国经济普查等工作。"
    # every new 一是 restarts the run: four runs in this section
    assert [c.heading[:2] for c in items].count("一是") == 4


def test_seed001_items_on_separate_lines_under_paren_heading() -> None:
    text = seed_text("001")
    node = find_node(parse_sections(text), "（一）行富民强民之举，务经济发展之实，确保经济发展稳中向好")
    assert node_bodies(text, node) == [
        "坚持将解决“三农问题”作为全乡工作的重中之重，举全乡之力加快农业农村现代化建设，全面推进乡村振兴，"
        "实现经济高质量发展、乡村宜居宜业、村民富裕富足。"
    ]
    assert [c.heading for c in node.children] == [
        "一是继续巩固拓展脱贫攻坚成果",
        "二是持续优化营商发展环境",
        "三是不断拓宽特色农产品销售渠道",
    ]


def test_items_continue_over_lines() -> None:
    text = (
        "XX乡2023年工作总结\n一、2023年工作总结\n一是聚焦理论学习，提升政治忠诚力。\n二是聚焦教育管理，提升组织战斗力。"
    )
    section = parse_sections(text).children[0]
    assert section.body_spans == []
    assert [c.heading for c in section.children] == [
        "一是聚焦理论学习，提升政治忠诚力",
        "二是聚焦教育管理，提升组织战斗力",
    ]


def test_item_after_colon_and_semicolon() -> None:
    text = "标题\n二、存在问题\n还存在一些问题：一是产业发展结构转型还需进一步加快；二是基础设施建设短板亟待补齐。"
    section = parse_sections(text).children[0]
    assert node_bodies(text, section) == ["还存在一些问题："]
    assert [c.heading for c in section.children] == [
        "一是产业发展结构转型还需进一步加快",
        "二是基础设施建设短板亟待补齐",
    ]
    assert [node_bodies(text, c) for c in section.children] == [
        ["一是产业发展结构转型还需进一步加快；"],
        ["二是基础设施建设短板亟待补齐。"],
    ]


@pytest.mark.parametrize(
    "paragraph",
    [
        pytest.param("做到学思用贯通、知信行统一是我们的目标，着力推动各项重点任务落地见效。", id="tongyi-shi"),
        pytest.param("抓落实的唯一是实干，着力推动各项重点任务落地见效。", id="weiyi-shi"),
        pytest.param("做好乡村振兴，第一是产业，第二是人才。", id="diyi-shi-mid-sentence"),
        pytest.param("二是持续深化理论武装。三是意识形态阵地更加巩固。", id="er-shi-without-yi-shi"),
        pytest.param("全乡上下，一是学习，二是落实。", id="yi-shi-after-comma"),
        pytest.param("开展“一是一、二是二”求真务实作风教育。", id="inside-quotes"),
    ],
)
def test_markers_that_must_not_split(paragraph: str) -> None:
    text = f"XX乡2023年工作总结\n一、2023年工作总结\n{paragraph}"
    section = parse_sections(text).children[0]
    assert section.children == []
    assert node_bodies(text, section) == [paragraph]


def test_yi_shi_inside_word_does_not_start_run_for_er_shi() -> None:
    text = "标题\n一、履职情况\n做到知信行统一是根本。二是持续深化理论武装。"
    section = parse_sections(text).children[0]
    assert section.children == []


def test_er_shi_after_yi_shi_inside_item_with_comma_stays_in_item() -> None:
    text = "标题\n一、履职情况\n一是坚持学习，二是加强管理。三是做好服务。"
    section = parse_sections(text).children[0]
    assert [c.heading for c in section.children] == ["一是坚持学习，二是加强管理"]
    assert node_bodies(text, section.children[0]) == ["一是坚持学习，二是加强管理。三是做好服务。"]


def test_item_labels_are_capped() -> None:
    text = seed_text("003")
    labels = [c.heading for c in tree_nodes(parse_sections(text), ITEM_LEVEL)]
    assert "三是筑巢引凤集聚新乡人，借势高等院校、自媒体博主聚焦XX，做强配套打造红色教育、…" in labels
    assert all(len(label) <= 41 for label in labels)
