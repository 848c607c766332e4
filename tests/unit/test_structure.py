"""Heading levels, the section tree and inline 一是/二是 items, on real lines from the seed reports."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from assistant.ingest.clean import clean_text
from assistant.ingest.structure import ITEM_LEVEL, chinese_numeral, heading_level, parse_sections
from assistant.types import Section

SEEDS_DIR = Path(__file__).resolve().parents[2] / "seeds"
SEED_FILES = sorted(SEEDS_DIR.glob("*.txt"))
SEED_IDS = [p.name[:3] for p in SEED_FILES]


def _seed_text(prefix: str) -> str:
    (path,) = SEEDS_DIR.glob(f"{prefix}_*.txt")
    return clean_text(path.read_text(encoding="utf-8"))


def _seed_line(prefix: str, start: str) -> str:
    """The full cleaned line of a seed that starts with `start` (exactly one must exist)."""
    matches = [line for line in _seed_text(prefix).split("\n") if line.startswith(start)]
    assert len(matches) == 1, (prefix, start, len(matches))
    return matches[0]


def _nodes(root: Section, level: int | None = None) -> list[Section]:
    return [node for _, node in root.walk() if node.level > 0 and (level is None or node.level == level)]


def _find(root: Section, heading: str) -> Section:
    found = [node for _, node in root.walk() if node.heading == heading]
    assert len(found) == 1, (heading, len(found))
    return found[0]


def _bodies(text: str, node: Section) -> list[str]:
    return [text[s:e] for s, e in node.body_spans]


# --- heading_level -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "level"),
    [
        pytest.param("第一部分：2023年工作总结", 1, id="seed003-part-1"),
        pytest.param("第二部分：2024年工作思路", 1, id="seed003-part-2"),
        pytest.param("一、2023年工作总结", 2, id="seed000-yi"),
        pytest.param("二、2024年重点工作安排", 2, id="seed000-er"),
        pytest.param("一、履职情况", 2, id="seed004-yi"),
        pytest.param("三、下一步工作打算", 2, id="seed004-san"),
        pytest.param("四、以基层治理“答题”，构筑善治共治效力", 2, id="seed003-si"),
        pytest.param("（一）坚持稳中求进基调，开创高质量发展新局面", 3, id="seed001-full-width-paren"),
        pytest.param(
            "（四）转作风，提效能，政治生态持续优化。持续保持惩治腐败的高压态势，", 3, id="seed004-paren-with-body"
        ),
        pytest.param("(一)锚定产业发展不动摇,擦亮焕新安民品牌", 3, id="seed002-half-width-paren"),
        pytest.param("(五)坚持效能提升不止步,持续建设干部队伍", 3, id="seed002-half-width-paren-5"),
        pytest.param(
            "（一）学理论、助提升，政治建设常抓不懈。一是坚持把政治建设摆在首位。", 3, id="seed004-heading-with-items"
        ),
        pytest.param(
            "1.在项目建设上求突破。坚持项目带动扩大有效投资，加大中央、省预算内项目争取力度，",
            4,
            id="seed000-digit-dot",
        ),
        pytest.param(
            "3.着力提升社会保障水平。继续发挥好“市长热线、书记信箱、重畅决”等渠道载体作用，", 4, id="seed000-3"
        ),
        # No seed uses 1、/（1）/①; these are seed-000 lines re-numbered in those styles.
        pytest.param("1、在项目建设上求突破。坚持项目带动扩大有效投资，", 4, id="digit-dunhao"),
        pytest.param("1．在项目建设上求突破。", 4, id="full-width-dot"),
        pytest.param("12、着力提升社会保障水平。", 4, id="two-digit-dunhao"),
        pytest.param("（1）在项目建设上求突破。坚持项目带动扩大有效投资，", 5, id="paren-digit"),
        pytest.param("(2)在振兴实体上见实效。", 5, id="half-width-paren-digit"),
        pytest.param("①深化和美乡村建设。", 5, id="circled-digit"),
    ],
)
def test_heading_level(line: str, level: int) -> None:
    assert heading_level(line) == level


@pytest.mark.parametrize(
    "line",
    [
        pytest.param("XX县XX乡2023年工作总结暨2024年重点工作安排", id="seed000-title"),
        pytest.param("X乡2023年工作总结及2024年工作计划", id="seed001-title"),
        pytest.param("安民乡2023年工作总结和2024年工作思路要点", id="seed002-title"),
        pytest.param("XX乡2023年工作总结及2024年工作思路", id="seed003-title"),
        pytest.param("2023年乡镇领导班子工作情况总结（述职）", id="seed004-title"),
        pytest.param(
            "2023年，是组织建设卓有成效的一年，我们转作风、强效能，锲而不舍，推动全面从严治党纵深发展。",
            id="seed000-year-paragraph",
        ),
        pytest.param("1.65万吨；蔬菜种植面积0.8万亩，产量2.6万吨；水果期末面积0.41万亩，", id="decimal-1.65"),
        pytest.param("3.76万亩，产量1.65万吨；", id="decimal-3.76"),
        pytest.param("0.8万亩", id="decimal-0.8"),
        pytest.param("100、", id="three-digits"),
        pytest.param("2024年X乡将坚持以习近平新时代中国特色社会主义思想为指导，", id="seed001-plan-paragraph"),
        pytest.param(
            "一是聚焦理论学习，提升政治忠诚力。始终把第二批主题教育作为当前最重要的政治任务，", id="item-yi-shi"
        ),
        pytest.param("二是聚焦教育管理，提升组织战斗力。", id="item-er-shi"),
        pytest.param("考核组的各位领导、同志们：", id="seed004-salutation"),
        pytest.param("为实现上述目标，应重点做到“四个确保”：", id="seed001-lead-in"),
        pytest.param("稳定农业产业，保持稳中有进。2023年完成粮食种植面积3.76万亩，", id="seed001-paragraph"),
        pytest.param("“五型”政府建设持续稳定进行。以高度的政治自觉做好“五型”政府建设，", id="quoted-start"),
        pytest.param(
            "同时，积极做好妇女儿童、民族宗教、退役军人、档案、第五次全国经济普查等工作。", id="seed000-tongshi"
        ),
        pytest.param("一年来，我们坚持稳中求进。", id="yi-nian-lai"),
        pytest.param("一二三产融合发展", id="yi-er-san-chan"),
        pytest.param("", id="empty"),
    ],
)
def test_not_a_heading(line: str) -> None:
    assert heading_level(line) is None


@pytest.mark.parametrize(("n", "numeral"), [(1, "一"), (7, "七"), (10, "十"), (12, "十二"), (20, "二十")])
def test_chinese_numeral(n: int, numeral: str) -> None:
    assert chinese_numeral(n) == numeral


# --- heading lines that carry their body ------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "label", "body_start"),
    [
        pytest.param(
            "1.在项目建设上求突破。坚持项目带动扩大有效投资，加大中央、省预算内项目争取力度。",
            "1.在项目建设上求突破",
            "坚持项目带动扩大有效投资",
            id="seed000-digit",
        ),
        pytest.param(
            "（四）转作风，提效能，政治生态持续优化。持续保持惩治腐败的高压态势。",
            "（四）转作风，提效能，政治生态持续优化",
            "持续保持惩治腐败的高压态势",
            id="seed004-paren",
        ),
        pytest.param(
            "（一）抓理论强思想，实现政治建设新突破。全面学习贯彻习近平新时代中国特色社会主义思想和党的XX大精神，",
            "（一）抓理论强思想，实现政治建设新突破",
            "全面学习贯彻习近平新时代中国特色社会主义思想和党的XX大精神",
            id="seed004-plan",
        ),
    ],
)
def test_heading_line_with_body(line: str, label: str, body_start: str) -> None:
    text = f"2023年乡镇领导班子工作情况总结（述职）\n一、履职情况\n{line}"
    root = parse_sections(text)
    (top,) = root.children
    (node,) = top.children
    assert node.heading == label
    # the label drops the 。 but the span keeps it: heading and body abut and tile the line
    assert text[node.heading_span[0] : node.heading_span[1]] == label + "。"
    assert node.heading_span[1] == node.body_spans[0][0]
    (body,) = _bodies(text, node)
    assert body.startswith(body_start)
    assert body == line[len(label) + 1 :]
    assert text[node.heading_span[0] : node.body_spans[0][1]] == line


def test_heading_without_sentence_end_has_no_body() -> None:
    text = "XX乡2023年工作总结\n（一）突出稳进提质，迈出高质量发展新步伐\n1.在项目建设上求突破。坚持项目带动。"
    root = parse_sections(text)
    node = _find(root, "（一）突出稳进提质，迈出高质量发展新步伐")
    assert node.body_spans == []
    assert [c.heading for c in node.children] == ["1.在项目建设上求突破"]


def test_long_numbered_paragraph_keeps_all_text_as_body() -> None:
    line = "1.在项目建设上求突破" + "坚持项目带动扩大有效投资，" * 10 + "确保成效。"
    text = f"标题\n{line}"
    node = parse_sections(text).children[0]
    assert node.level == 4
    assert node.heading.endswith("…")
    assert _bodies(text, node) == [line]


# --- whole-seed trees --------------------------------------------------------------------------

EXPECTED_TITLES = {
    "000": "XX县XX乡2023年工作总结暨2024年重点工作安排",
    "001": "X乡2023年工作总结及2024年工作计划",
    "002": "安民乡2023年工作总结和2024年工作思路要点",
    "003": "XX乡2023年工作总结及2024年工作思路",
    "004": "2023年乡镇领导班子工作情况总结（述职）",
}

EXPECTED_OUTLINES = {
    "000": [
        (2, "一、2023年工作总结"),
        (2, "二、2024年重点工作安排"),
        (3, "（一）突出稳进提质，迈出高质量发展新步伐"),
        (4, "1.在项目建设上求突破"),
        (4, "2.在振兴实体上见实效"),
        (4, "3.在平台公司上下功夫"),
        (3, "（二）聚焦内外兼修，提升和美乡村新品质"),
        (4, "1.深化和美乡村建设"),
        (4, "2.全面提升乡村品质"),
        (4, "3.促进乡村宜居宜游"),
        (3, "（三）坚守民生根本，谱写幸福XX新篇章"),
        (4, "1.着力丰富基层精神文化"),
        (4, "2.着力兜稳兜牢民生底线"),
        (4, "3.着力提升社会保障水平"),
    ],
    "001": [
        (2, "一、2023年工作总结"),
        (3, "（一）坚持稳中求进基调，开创高质量发展新局面"),
        (3, "（二）坚持惠民生增福祉，民生事业发展新篇章"),
        (3, "（三）坚持生态优先原则，绿水青山呈现新面貌"),
        (3, "（四）坚持共建共治共享，社会治理采取新模式"),
        (3, "（五）坚持自身能力建设，取得政府效能新突破"),
        (2, "二、2024年工作计划"),
        (3, "（一）行富民强民之举，务经济发展之实，确保经济发展稳中向好"),
        (3, "（二）立争先进位之志，鼓攻坚克难之劲，确保环境任务顺利完成"),
        (3, "（三）兴求真务实之风，求狠抓落实之效，确保党风党纪从严落实"),
        (3, "（四）怀亲民爱民之心，尽为民惠民之责，确保社会事业和谐稳定"),
    ],
    "002": [
        (2, "一、2023年工作总结"),
        (3, "(一)锚定产业发展不动摇,擦亮焕新安民品牌"),
        (3, "(二)紧盯乡村建设不放松,推动项目稳定落地"),
        (3, "(三)牢记初心使命不懈怠,着力解决急难愁盼"),
        (3, "(四)防范风险隐患不放手,逐步强化社会治理"),
        (3, "(五)坚持效能提升不止步,持续建设干部队伍"),
        (2, "二、2024年工作思路要点"),
        (3, "(一)深化转型升级,加速产业发展融合提档"),
        (3, "(二)强化日常宣传,促进事业价值转化提效"),
        (3, "(三)优化基层治理,力争全域和谐稳定提质"),
        (3, "(四)细化干部管育,坚定干部履职能力提优"),
    ],
    "003": [
        (1, "第一部分：2023年工作总结"),
        (2, "一、以党建引领打造高质量发展新高地"),
        (2, "二、以示范带动提升农文旅产业新动能"),
        (2, "三、以生态优先开启可持续发展新引擎"),
        (2, "三、以民生为本谱写高品质生活新篇章"),  # the report numbers two sections 三、
        (1, "第二部分：2024年工作思路"),
        (2, "一、以党建统领“切题”，凝聚干事创业合力"),
        (2, "二、以产业升级“破题”，激发强村富民活力"),
        (2, "三、以人才引育“解题”，提升内生发展动力"),
        (2, "四、以基层治理“答题”，构筑善治共治效力"),
    ],
    "004": [
        (2, "一、履职情况"),
        (3, "（一）学理论、助提升，政治建设常抓不懈"),
        (3, "（二）抓党建、强基础，党的建设持续加强"),
        (3, "（三）重基础、促民生，全乡发展有力有序"),
        (3, "（四）转作风，提效能，政治生态持续优化"),
        (3, "（五）抓团结、重实干，整体效能显著增强"),
        (2, "二、存在问题"),
        (2, "三、下一步工作打算"),
        (3, "（一）抓理论强思想，实现政治建设新突破"),
        (3, "（二）抓重点破难题，打开乡村振兴新局面"),
        (3, "（三）抓发展强经济，走出产业致富新路子"),
        (3, "（四）抓治理美环境，写好绿美乡村新篇章"),
        (3, "（五）抓民生强保障，力促幸福指数新攀升"),
        (3, "（六）抓作风促落实，激发干事创业新气象"),
    ],
}

EXPECTED_ITEM_COUNTS = {"000": 14, "001": 13, "002": 15, "003": 24, "004": 19}


@pytest.mark.parametrize("prefix", SEED_IDS)
def test_seed_title_is_root_heading(prefix: str) -> None:
    text = _seed_text(prefix)
    root = parse_sections(text)
    assert root.level == 0
    assert root.heading == EXPECTED_TITLES[prefix]
    assert root.heading_span == (0, len(EXPECTED_TITLES[prefix]))


@pytest.mark.parametrize("prefix", SEED_IDS)
def test_seed_outline(prefix: str) -> None:
    root = parse_sections(_seed_text(prefix))
    outline = [(node.level, node.heading) for node in _nodes(root) if node.level < ITEM_LEVEL]
    assert outline == EXPECTED_OUTLINES[prefix]


@pytest.mark.parametrize("prefix", SEED_IDS)
def test_seed_item_count(prefix: str) -> None:
    root = parse_sections(_seed_text(prefix))
    assert len(_nodes(root, ITEM_LEVEL)) == EXPECTED_ITEM_COUNTS[prefix]


@pytest.mark.parametrize("prefix", SEED_IDS)
def test_seed_tree_is_well_formed(prefix: str) -> None:
    text = _seed_text(prefix)
    root = parse_sections(text)
    previous_start = -1
    for _, node in root.walk():
        for child in node.children:
            assert child.level > node.level, (node.heading, child.heading)
        if node.level == 0:
            continue
        start, end = node.heading_span
        assert 0 <= start < end <= len(text)
        assert start > previous_start, "nodes must come in document order"
        previous_start = start
        if node.heading.endswith("…"):
            pass
        elif node.level == ITEM_LEVEL or end == len(text) or text[end] == "\n":
            assert text[start:end] == node.heading  # an item label, or a heading on its own line
        else:  # a heading that carries its body: the span keeps the sentence end, then its body or first item begins
            assert text[start:end] == node.heading + text[end - 1]
            assert text[end - 1] in "。！？!?"
            items = [c for c in node.children if c.level == ITEM_LEVEL]
            assert min([s for s, _ in node.body_spans] + [c.heading_span[0] for c in items]) == end, node.heading
        for s, e in node.body_spans:
            assert 0 <= s < e <= len(text)
            assert "\n" not in text[s:e]
            assert text[s:e].strip()
        if node.level == ITEM_LEVEL:
            assert not node.children
            (body,) = node.body_spans
            assert body[0] == start, "an item's body starts at its marker"


@pytest.mark.parametrize("prefix", SEED_IDS)
def test_seed_no_text_is_lost(prefix: str) -> None:
    """Heading spans (levels 0–5) and body spans cover every character but newlines exactly once."""
    text = _seed_text(prefix)
    root = parse_sections(text)
    counts = [0] * len(text)
    for _, node in root.walk():
        spans = list(node.body_spans)
        if node.level < ITEM_LEVEL:  # an item's label lies inside its own body
            spans.append(node.heading_span)
        for s, e in spans:
            for i in range(s, e):
                counts[i] += 1
    assert [i for i, n in enumerate(counts) if n != (text[i] != "\n")] == []


@pytest.mark.parametrize("prefix", SEED_IDS)
def test_seed_body_spans_do_not_overlap(prefix: str) -> None:
    root = parse_sections(_seed_text(prefix))
    spans = sorted(span for _, node in root.walk() for span in node.body_spans)
    for (_, e1), (s2, _) in itertools.pairwise(spans):
        assert e1 <= s2


def test_seed000_numbered_headings_carry_their_body() -> None:
    text = _seed_text("000")
    node = _find(parse_sections(text), "1.在项目建设上求突破")
    assert node.level == 4
    assert text[node.heading_span[0] : node.heading_span[1]] == "1.在项目建设上求突破。"
    assert node.heading_span[1] == node.body_spans[0][0]
    (body,) = _bodies(text, node)
    assert body.startswith("坚持项目带动扩大有效投资，加大中央、省预算内项目争取力度，")
    assert body.endswith("提升民宿品质、品位和运营能力。")


def test_seed003_parts_nest_sections() -> None:
    text = _seed_text("003")
    root = parse_sections(text)
    first, second = root.children
    assert [c.heading for c in first.children] == [
        "一、以党建引领打造高质量发展新高地",
        "二、以示范带动提升农文旅产业新动能",
        "三、以生态优先开启可持续发展新引擎",
        "三、以民生为本谱写高品质生活新篇章",
    ]
    assert len(second.children) == 4
    (intro,) = _bodies(text, second)
    assert intro.startswith("XX乡将以学习贯彻习近平总书记考察浙江重要讲话精神为契机，")


def test_seed004_heading_with_inline_items() -> None:
    text = _seed_text("004")
    node = _find(parse_sections(text), "（一）学理论、助提升，政治建设常抓不懈")
    assert node.level == 3
    assert node.body_spans == [], "the heading line has no text between its first 。 and 一是"
    assert text[node.heading_span[0] : node.heading_span[1]] == "（一）学理论、助提升，政治建设常抓不懈。"
    items = node.children
    assert items[0].heading_span[0] == node.heading_span[1], "the first item starts right after the 。"
    assert [i.heading for i in items] == [
        "一是坚持把政治建设摆在首位",
        "二是持续深化理论武装",
        "三是意识形态阵地更加巩固",
    ]
    assert _bodies(text, items[0]) == [
        "一是坚持把政治建设摆在首位。扛牢党的政治建设主体责任，坚持把政治标准和政治要求贯穿全乡各级党组织思想建设、"
        "组织建设、作风建设、纪律建设以及制度建设始终，自觉在思想上、政治上、行动上同以习近平同志为核心的党中央"
        "保持高度一致，推动全乡各项工作在正确的方向上不走样、不走偏。"
    ]
    (second,) = _bodies(text, items[1])
    assert "全年召开党委理论中心组集中学习XX次" in second
    (third,) = _bodies(text, items[2])
    assert third.endswith("牢牢掌握意识形态工作主导权。")


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
    lines = [_seed_line(prefix, start) for start in line_starts]
    text = "\n".join([EXPECTED_TITLES[prefix], heading_line, *lines])
    node = _find(parse_sections(text), owner)
    assert _bodies(text, node) == parent_body
    children = [c for c in node.children if c.level == ITEM_LEVEL]
    assert [c.heading for c in children] == items
    # the parent's own body and its items tile the paragraph exactly, in order
    pieces = parent_body + [text[s:e] for c in children for s, e in c.body_spans]
    line = lines[-1]
    paragraph_body = line[len(owner) + 1 :] if line.startswith(owner) else line
    assert "".join(pieces) == paragraph_body


def test_seed004_problem_items_are_exact_sentences() -> None:
    line = _seed_line("004", "在全乡干部群众的共同努力下")
    text = f"{EXPECTED_TITLES['004']}\n二、存在问题\n{line}"
    node = parse_sections(text).children[0]
    bodies = [text[s:e] for c in node.children for s, e in c.body_spans]
    assert bodies[1] == (
        "二是道路、农业灌溉等基础设施建设短板亟待补齐，易地搬迁历史遗留问题仍需花大力气解决，违法图斑整治等工作亟须持续推进。"
    )


def test_seed000_items_on_separate_lines() -> None:
    text = _seed_text("000")
    section = _find(parse_sections(text), "一、2023年工作总结")
    items = [c for c in section.children if c.level == ITEM_LEVEL]
    assert [c.heading for c in items[:3]] == [
        "一是聚焦理论学习，提升政治忠诚力",
        "二是聚焦教育管理，提升组织战斗力",
        "三是聚焦三治融合，提升治理凝聚力",
    ]
    for item in items[:3]:
        (body,) = _bodies(text, item)
        assert body.startswith(item.heading + "。")
        line_start = text.rfind("\n", 0, item.body_spans[0][0]) + 1
        line_end = text.find("\n", item.body_spans[0][0])
        assert item.body_spans[0] == (line_start, line_end), "each item is its whole line"
    # the 2023年，是…的一年 lines are not items: they stay in the 一、 section's own body
    bodies = _bodies(text, section)
    assert bodies[0] == "2023年，是组织建设卓有成效的一年，我们转作风、强效能，锲而不舍，推动全面从严治党纵深发展。"
    assert bodies[1].startswith("2023年，是经济增长保持强劲势头的一年")
    assert bodies[-1] == "同时，积极做好妇女儿童、民族宗教、退役军人、档案、第五次全国经济普查等工作。"
    # every new 一是 restarts the run: four runs in this section
    assert [c.heading[:2] for c in items].count("一是") == 4


def test_seed001_items_on_separate_lines_under_paren_heading() -> None:
    text = _seed_text("001")
    node = _find(parse_sections(text), "（一）行富民强民之举，务经济发展之实，确保经济发展稳中向好")
    assert _bodies(text, node) == [
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
    assert _bodies(text, section) == ["还存在一些问题："]
    assert [c.heading for c in section.children] == [
        "一是产业发展结构转型还需进一步加快",
        "二是基础设施建设短板亟待补齐",
    ]
    assert [_bodies(text, c) for c in section.children] == [
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
    assert _bodies(text, section) == [paragraph]


def test_yi_shi_inside_word_does_not_start_run_for_er_shi() -> None:
    text = "标题\n一、履职情况\n做到知信行统一是根本。二是持续深化理论武装。"
    section = parse_sections(text).children[0]
    assert section.children == []


def test_er_shi_after_yi_shi_inside_item_with_comma_stays_in_item() -> None:
    text = "标题\n一、履职情况\n一是坚持学习，二是加强管理。三是做好服务。"
    section = parse_sections(text).children[0]
    assert [c.heading for c in section.children] == ["一是坚持学习，二是加强管理"]
    assert _bodies(text, section.children[0]) == ["一是坚持学习，二是加强管理。三是做好服务。"]


def test_item_labels_are_capped() -> None:
    text = _seed_text("003")
    labels = [c.heading for c in _nodes(parse_sections(text), ITEM_LEVEL)]
    assert "三是筑巢引凤集聚新乡人，借势高等院校、自媒体博主聚焦XX，做强配套打造红色教育、…" in labels
    assert all(len(label) <= 41 for label in labels)


def test_empty_text() -> None:
    root = parse_sections("")
    assert root.heading == ""
    assert root.children == []
    assert root.body_spans == []


def test_title_only() -> None:
    root = parse_sections("安民乡2023年工作总结和2024年工作思路要点")
    assert root.heading == "安民乡2023年工作总结和2024年工作思路要点"
    assert root.children == []


def test_preamble_is_root_body() -> None:
    text = _seed_text("004")
    root = parse_sections(text)
    assert _bodies(text, root)[0] == "考核组的各位领导、同志们："
    assert _bodies(text, root)[1].startswith("2023年，在习近平新时代中国特色社会主义思想的指导下，")
