"""Heading levels and the section tree, on real lines from the seed reports (inline 一是/二是 items:
test_structure_items.py)."""

from __future__ import annotations

import itertools

import pytest

from assistant.ingest.structure import ITEM_LEVEL, chinese_numeral, heading_head, heading_level, parse_sections
from tests.unit.seed_reports import SEED_IDS, SEED_TITLES, find_node, node_bodies, seed_text, tree_nodes

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
    (body,) = node_bodies(text, node)
    assert body.startswith(body_start)
    assert body == line[len(label) + 1 :]
    assert text[node.heading_span[0] : node.body_spans[0][1]] == line


def test_heading_without_sentence_end_has_no_body() -> None:
    text = "XX乡2023年工作总结\n（一）突出稳进提质，迈出高质量发展新步伐\n1.在项目建设上求突破。坚持项目带动。"
    root = parse_sections(text)
    node = find_node(root, "（一）突出稳进提质，迈出高质量发展新步伐")
    assert node.body_spans == []
    assert [c.heading for c in node.children] == ["1.在项目建设上求突破"]


def test_long_numbered_paragraph_keeps_all_text_as_body() -> None:
    line = "1.在项目建设上求突破" + "坚持项目带动扩大有效投资，" * 10 + "确保成效。"
    text = f"标题\n{line}"
    node = parse_sections(text).children[0]
    assert node.level == 4
    assert node.heading.endswith("…")
    assert node_bodies(text, node) == [line]


# --- whole-seed trees --------------------------------------------------------------------------

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
    text = seed_text(prefix)
    root = parse_sections(text)
    assert root.level == 0
    assert root.heading == SEED_TITLES[prefix]
    assert root.heading_span == (0, len(SEED_TITLES[prefix]))


@pytest.mark.parametrize("prefix", SEED_IDS)
def test_seed_outline(prefix: str) -> None:
    root = parse_sections(seed_text(prefix))
    outline = [(node.level, node.heading) for node in tree_nodes(root) if node.level < ITEM_LEVEL]
    assert outline == EXPECTED_OUTLINES[prefix]


@pytest.mark.parametrize("prefix", SEED_IDS)
def test_seed_item_count(prefix: str) -> None:
    root = parse_sections(seed_text(prefix))
    assert len(tree_nodes(root, ITEM_LEVEL)) == EXPECTED_ITEM_COUNTS[prefix]


@pytest.mark.parametrize("prefix", SEED_IDS)
def test_seed_tree_is_well_formed(prefix: str) -> None:
    text = seed_text(prefix)
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
    text = seed_text(prefix)
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
    root = parse_sections(seed_text(prefix))
    spans = sorted(span for _, node in root.walk() for span in node.body_spans)
    for (_, e1), (s2, _) in itertools.pairwise(spans):
        assert e1 <= s2


def test_seed000_numbered_headings_carry_their_body() -> None:
    text = seed_text("000")
    node = find_node(parse_sections(text), "1.在项目建设上求突破")
    assert node.level == 4
    assert text[node.heading_span[0] : node.heading_span[1]] == "1.在项目建设上求突破。"
    assert node.heading_span[1] == node.body_spans[0][0]
    (body,) = node_bodies(text, node)
    assert body.startswith("坚持项目带动扩大有效投资，加大中央、省预算内项目争取力度，")
    assert body.endswith("提升民宿品质、品位和运营能力。")


def test_seed003_parts_nest_sections() -> None:
    text = seed_text("003")
    root = parse_sections(text)
    first, second = root.children
    assert [c.heading for c in first.children] == [
        "一、以党建引领打造高质量发展新高地",
        "二、以示范带动提升农文旅产业新动能",
        "三、以生态优先开启可持续发展新引擎",
        "三、以民生为本谱写高品质生活新篇章",
    ]
    assert len(second.children) == 4
    (intro,) = node_bodies(text, second)
    assert intro.startswith("XX乡将以学习贯彻习近平总书记考察浙江重要讲话精神为契机，")


def test_seed004_heading_with_inline_items() -> None:
    text = seed_text("004")
    node = find_node(parse_sections(text), "（一）学理论、助提升，政治建设常抓不懈")
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
    assert node_bodies(text, items[0]) == [
        "一是坚持把政治建设摆在首位。扛牢党的政治建设主体责任，坚持把政治标准和政治要求贯穿全乡各级党组织思想建设、"
        "组织建设、作风建设、纪律建设以及制度建设始终，自觉在思想上、政治上、行动上同以习近平同志为核心的党中央"
        "保持高度一致，推动全乡各项工作在正确的方向上不走样、不走偏。"
    ]
    (second,) = node_bodies(text, items[1])
    assert "全年召开党委理论中心组集中学习XX次" in second
    (third,) = node_bodies(text, items[2])
    assert third.endswith("牢牢掌握意识形态工作主导权。")


# --- edge cases -------------------------------------------------------------------------------


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
    text = seed_text("004")
    root = parse_sections(text)
    assert node_bodies(text, root)[0] == "考核组的各位领导、同志们："
    assert node_bodies(text, root)[1].startswith("2023年，在习近平新时代中国特色社会主义思想的指导下，")


def test_heading_head_is_the_heading_the_section_tree_takes_from_a_line() -> None:
    """The 公文 export sets heading_head's part of a line in the heading font: the same heading
    parse_sections names the section by, for every heading line of every seed."""
    checked = 0
    for prefix in SEED_IDS:
        text = seed_text(prefix)
        for node in tree_nodes(parse_sections(text)):
            if 0 < node.level < ITEM_LEVEL and node.heading_span[0] > 0:
                line = text[node.heading_span[0] :].split("\n")[0]
                head = heading_head(line)
                if node.heading.endswith("…"):  # a numbered paragraph, not a heading
                    assert head is None, line
                elif head is not None:
                    assert head.rstrip("。！？!?：:；;") == node.heading.rstrip("。！？!?：:；;"), line
                    checked += 1
    assert checked > 40
    assert heading_head("今年以来，全乡上下一、二季度保持增长。") is None
