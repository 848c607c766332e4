"""clean_text on real lines from the seed reports: paywall markers, junk lines, whitespace, invisible characters."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from assistant.ingest.clean import clean_text

SEEDS_DIR = Path(__file__).resolve().parents[2] / "seeds"
SEED_FILES = sorted(SEEDS_DIR.glob("*.txt"))
SEED_IDS = [p.name[:3] for p in SEED_FILES]


def _seed(prefix: str) -> str:
    (path,) = SEEDS_DIR.glob(f"{prefix}_*.txt")
    return path.read_text(encoding="utf-8")


def test_all_five_seeds_are_present() -> None:
    assert SEED_IDS == ["000", "001", "002", "003", "004"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param(
            "完成2##paidbegin##021—2022年耕地流出图斑整治728个",
            "完成2021—2022年耕地流出图斑整治728个",
            id="seed004-marker-inside-number",
        ),
        pytest.param(
            "##paidbegin##拓展财税来源，夯实财政基础。“栽下梧桐树引得凤凰来”，",
            "拓展财税来源，夯实财政基础。“栽下梧桐树引得凤凰来”，",
            id="seed001-marker-at-line-start",
        ),
        pytest.param(
            "##paidbegin##二是践初心强使命，民生实事落地见效。",
            "二是践初心强使命，民生实事落地见效。",
            id="seed003-marker-before-item",
        ),
        pytest.param(
            "合计签约招商引资项目10个，##paidbegin##其中，河南信阳卢氏茶叶集团来乡设立分厂，项目已顺利落地，",
            "合计签约招商引资项目10个，其中，河南信阳卢氏茶叶集团来乡设立分厂，项目已顺利落地，",
            id="seed000-marker-mid-sentence",
        ),
        pytest.param(
            "（六）抓作风促落实，激发干事创业新气象。\n\n##paidend##\n",
            "（六）抓作风促落实，激发干事创业新气象。",
            id="seed004-paidend-line",
        ),
        pytest.param(
            "三是抓实基层智治。\n\n\n\n本文档编辑密码：wsx2023\n\n##paidend##\n",
            "三是抓实基层智治。",
            id="seed003-password-junk-line",
        ),
        pytest.param(
            "第一部分：2023年工作总结\n\n\n\n一、以党建引领打造高质量发展新高地",
            "第一部分：2023年工作总结\n一、以党建引领打造高质量发展新高地",
            id="blank-line-run",
        ),
        pytest.param(
            "一、2023年工作总结\r\n（一）坚持稳中求进基调，开创高质量发展新局面\r\n\r\n稳定农业产业，保持稳中有进。\r\n",
            "一、2023年工作总结\n（一）坚持稳中求进基调，开创高质量发展新局面\n稳定农业产业，保持稳中有进。",
            id="crlf",
        ),
        pytest.param(
            "一、履职情况\r（一）学理论、助提升，政治建设常抓不懈。",
            "一、履职情况\n（一）学理论、助提升，政治建设常抓不懈。",
            id="lone-cr",
        ),
        pytest.param(
            "\u3000\u3000一是聚焦理论学习，提升政治忠诚力。\u3000",
            "一是聚焦理论学习，提升政治忠诚力。",
            id="full-width-indent",
        ),
        pytest.param(
            " \t\xa0二是聚焦教育管理，提升组织战斗力。 \t",
            "二是聚焦教育管理，提升组织战斗力。",
            id="ascii-tab-nbsp-edges",
        ),
        pytest.param(
            "\ufeffXX县XX乡2023年工作总结暨2024年重点工作安排",
            "XX县XX乡2023年工作总结暨2024年重点工作安排",
            id="bom",
        ),
        pytest.param(
            "全年召开党委理论中心组集中\u200b学习XX\u200c次，周一集中\u200d学习会XX\u2060次",
            "全年召开党委理论中心组集中学习XX次，周一集中学习会XX次",
            id="zero-width",
        ),
        pytest.param(
            "严把党员入口关，全年吸纳积极分子XX人、\x0b新发展党员XX人\x00、转正党员xx人。\x7f",
            "严把党员入口关，全年吸纳积极分子XX人、新发展党员XX人、转正党员xx人。",
            id="control-chars",
        ),
        pytest.param(
            "X乡将环境保护纳入重要工作内容\u2028围绕XXX区“首区”目标",
            "X乡将环境保护纳入重要工作内容\n围绕XXX区“首区”目标",
            id="unicode-line-separator",
        ),
    ],
)
def test_clean_text_cases(raw: str, expected: str) -> None:
    assert clean_text(raw) == expected


@pytest.mark.parametrize(
    "line",
    [
        pytest.param("全年召开党委理论中心组集中学习XX次，周一集中学习会XX次，做到学思用贯通、知信行统一，", id="XX"),
        pytest.param("深化落实习近平总书记考察XXX重要讲话精神，聚焦省委、省政府和市委、市政府目标要求，", id="XXX"),
        pytest.param("X乡将环境保护纳入重要工作内容，坚决打好“蓝天、碧水、净土”保卫战，", id="X乡"),
        pytest.param("严把党员入口关，全年吸纳积极分子XX人、新发展党员XX人、转正党员xx人。", id="xx人"),
        pytest.param("实施1+3+Ⅹ机制深化党建引领乡村治理工作，", id="roman-numeral-X"),
        pytest.param("(一)锚定产业发展不动摇,擦亮焕新安民品牌", id="seed002-half-width-heading"),
        pytest.param(
            "过去一年,安民乡在县委、县政府的坚强领导下,敢于自我加压、勤于目标耕耘,以主题教育为契机奋力加速奔跑。",
            id="seed002-mixed-commas",
        ),
        pytest.param(
            "细化“选秧 育苗 结果”工作的“颗粒度”团结带领更多有生力量锚定“二次创业”总任务,", id="inner-ascii-spaces"
        ),
        pytest.param("加强交通建设管理和服务保障，以内循环＋外循环运行模式，", id="full-width-plus"),
        pytest.param("特困人员护理率达100％。临时救助16户16人，发放临时救助金2.105万元。", id="full-width-percent"),
    ],
)
def test_content_is_kept_exactly(line: str) -> None:
    assert clean_text(line) == line
    assert clean_text(f"\u3000\u3000{line}\r\n\r\n") == line


def test_paywall_marker_spelling_variants() -> None:
    assert clean_text("完成2## paidBEGIN ##021—2022年") == "完成2021—2022年"
    assert clean_text("一、履职情况\n##PAIDEND##") == "一、履职情况"


def test_marker_like_text_that_is_not_a_marker_is_kept() -> None:
    line = "开展“红漾壶源奋发为民”系列活动##，落实“十个一”举措"
    assert clean_text(line) == line


@pytest.mark.parametrize(
    "junk",
    ["本文档编辑密码：wsx2023", "本文档密码: abc", "文档来源：某某文库", "编辑密码：123"],
)
def test_junk_lines_are_dropped(junk: str) -> None:
    assert clean_text(f"二、存在问题\n{junk}\n三、下一步工作打算") == "二、存在问题\n三、下一步工作打算"


def test_line_mentioning_password_inside_content_is_kept() -> None:
    line = "加强网络安全管理，定期修改本文档编辑密码等账号信息。"
    assert clean_text(line) == line


def test_empty_and_whitespace_only_input() -> None:
    assert clean_text("") == ""
    assert clean_text("\r\n\u3000\u3000\n\t\n\ufeff\n") == ""


# --- every seed -------------------------------------------------------------------------------

_MARKER = re.compile(r"##paid(?:begin|end)##")


def _expected_lines(raw: str) -> list[str]:
    """What the cleaner must keep: every non-blank line, markers removed, edges stripped, junk dropped."""
    out = []
    for line in raw.split("\n"):
        line = _MARKER.sub("", line).strip(" \t\u3000\xa0")
        if line and not line.startswith("本文档编辑密码"):
            out.append(line)
    return out


@pytest.mark.parametrize("path", SEED_FILES, ids=SEED_IDS)
def test_seed_cleaned_text_has_no_markers_or_junk(path: Path) -> None:
    raw = path.read_text(encoding="utf-8")
    text = clean_text(raw)
    assert "paidbegin" not in text
    assert "paidend" not in text
    assert "##" not in text
    assert "本文档编辑密码" not in text
    assert "\r" not in text
    assert "\n\n" not in text
    assert not text.startswith("\n")
    assert not text.endswith("\n")
    for ch in "\ufeff\u200b\u200c\u200d\u2060\x00":
        assert ch not in text
    for line in text.split("\n"):
        assert line == line.strip(" \t\u3000\xa0"), line


@pytest.mark.parametrize("path", SEED_FILES, ids=SEED_IDS)
def test_seed_content_lines_are_kept_verbatim(path: Path) -> None:
    raw = path.read_text(encoding="utf-8")
    assert clean_text(raw).split("\n") == _expected_lines(raw)


@pytest.mark.parametrize("path", SEED_FILES, ids=SEED_IDS)
def test_seed_placeholders_are_kept(path: Path) -> None:
    raw = path.read_text(encoding="utf-8")
    text = clean_text(raw)
    for placeholder in ("XXX", "XX", "X乡", "xx"):
        assert text.count(placeholder) == raw.count(placeholder), placeholder


@pytest.mark.parametrize("path", SEED_FILES, ids=SEED_IDS)
def test_clean_is_idempotent(path: Path) -> None:
    once = clean_text(path.read_text(encoding="utf-8"))
    assert clean_text(once) == once


@pytest.mark.parametrize("path", SEED_FILES, ids=SEED_IDS)
def test_clean_ignores_windows_line_endings_bom_and_indentation(path: Path) -> None:
    raw = path.read_text(encoding="utf-8")
    windows = "\ufeff" + "\r\n".join("\u3000\u3000" + line for line in raw.split("\n"))
    assert clean_text(windows) == clean_text(raw)


def test_seed004_specific_lines() -> None:
    text = clean_text(_seed("004"))
    assert "完成2021—2022年耕地流出图斑整治728个，3647.94亩。" in text
    assert "全年召开党委理论中心组集中学习XX次，周一集中学习会XX次" in text
    assert "转正党员xx人" in text
    assert text.split("\n")[-1].startswith("（六）抓作风促落实，激发干事创业新气象。")


def test_seed003_tail_is_the_last_content_line() -> None:
    text = clean_text(_seed("003"))
    assert text.split("\n")[-1].startswith("一是抓实环境整治。")
    assert "wsx2023" not in text


def test_seed002_mixed_width_punctuation_kept() -> None:
    lines = clean_text(_seed("002")).split("\n")
    assert "(一)锚定产业发展不动摇,擦亮焕新安民品牌" in lines
    assert "二、2024年工作思路要点" in lines
    assert lines[1].startswith("过去一年,安民乡在县委、县政府的坚强领导下,")
