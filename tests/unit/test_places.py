"""Places at every level: the issuing body of a report, its level and aliases, and the places a
question names. Real title and opening lines from ../shared/corpora and the seeds."""

from __future__ import annotations

import pytest

from assistant.places import aliases, issuing_place, leads_with, level_of, places_in, strip_places, years_named


@pytest.mark.parametrize(
    ("name", "forms", "level"),
    [
        ("广西壮族自治区", ("广西壮族自治区", "广西壮族", "广西"), "省级"),
        ("新疆维吾尔自治区", ("新疆维吾尔自治区", "新疆维吾尔", "新疆"), "省级"),
        ("内蒙古自治区", ("内蒙古自治区", "内蒙古"), "省级"),
        ("上海市", ("上海市", "上海"), "省级"),  # a 直辖市 is province-level
        ("呼伦贝尔市", ("呼伦贝尔市", "呼伦贝尔"), "市级"),
        ("恩施土家族苗族自治州", ("恩施土家族苗族自治州", "恩施土家族苗族", "恩施"), "市级"),
        ("海拉尔区", ("海拉尔区", "海拉尔"), "县级"),
        ("鄂温克族自治旗", ("鄂温克族自治旗", "鄂温克族"), "县级"),
        ("安民乡", ("安民乡", "安民"), "乡级"),
        ("XX乡", ("XX乡",), "乡级"),  # XX is a placeholder, not a short form
        ("城关街道", ("城关街道", "城关"), "乡级"),
    ],
)
def test_aliases_and_level(name: str, forms: tuple[str, ...], level: str) -> None:
    assert aliases(name) == forms
    assert level_of(name) == level


@pytest.mark.parametrize(
    ("title", "body", "place"),
    [
        ("2026年吉林省政府工作报告", "——2026年1月27日在吉林省第十四届人民代表大会第五次会议上", "吉林省"),
        ("2026年四川省人民政府工作报告", "2026年02月10日 07时41分\n来源：四川日报", "四川省"),
        ("2026年内蒙古自治区政府工作报告", "", "内蒙古自治区"),
        ("2026年上海市政府工作报告", "", "上海市"),
        # No place in the title: the meeting line wraps onto a second line (广东).
        ("政府工作报告", "——2026年1月26日在广东省第十四届\n人民代表大会第五次会议上\n来源：南方日报", "广东省"),
        # 政 府 工 作 报 告 with the meeting line, the signature and 我代表…人民政府 under it.
        (
            "政 府 工 作 报 告",
            "----2012年2月29日在海拉尔区第十三届人民代表大会第六次会议上\n海拉尔区人民政府区长\n"
            "各位代表：\n现在，我代表海拉尔区人民政府向大会作工作报告",
            "海拉尔区",
        ),
        ("XX县XX乡2023年工作总结暨2024年重点工作安排", "", "XX乡"),  # the most specific place
        ("安民乡2023年工作总结和2024年工作思路要点", "与枫坪乡联合探索", "安民乡"),
        ("2023年乡镇领导班子工作情况总结（述职）", "全乡上下，我乡领导班子运转正常。", ""),
    ],
)
def test_issuing_place(title: str, body: str, place: str) -> None:
    assert issuing_place(title, body) == place


KNOWN = ["吉林省", "海拉尔区", "广西壮族自治区", "上海市", "安民乡", "XX乡", "内蒙古自治区"]


@pytest.mark.parametrize(
    ("question", "places"),
    [
        ("2011年海拉尔一共接待了多少国内外游客？", ("海拉尔区",)),
        ("海拉尔东山机场2017年的年旅客吞吐量突破了多少？", ("海拉尔区",)),
        ("广西2025年地区生产总值增长了多少？", ("广西壮族自治区",)),
        ("东北三省吉林、辽宁、黑龙江2025年地区生产总值各增长了多少？", ("吉林省", "辽宁省", "黑龙江省")),
        ("内蒙古“十四五”期间累计建成了多少亩高标准农田？", ("内蒙古自治区",)),
        ("满洲里市2018年旅游收入是多少？", ("满洲里市",)),  # unknown, at the start: named
        ("截至2023年11月，XX县XX乡10个村的集体经济收入一共多少？", ("XX县", "XX乡")),
        ("全市城区社区市场2025年增长多少？", ()),  # 全市, 城区, 社区 are no places
        ("上海去年全市生产总值是多少？", ("上海市",)),
    ],
)
def test_places_in_questions(question: str, places: tuple[str, ...]) -> None:
    assert places_in(question, KNOWN) == places


def test_strip_places_removes_every_form() -> None:
    assert "广西" not in strip_places("广西壮族自治区和广西的区别", ["广西壮族自治区"])


@pytest.mark.parametrize(
    ("text", "years"),
    [
        ("2021—2022年的耕地流出图斑整治了多少个", (2021, 2022)),
        ("新农合参合率在2013、2014、2015这三年分别是多少", (2013, 2014, 2015)),
        ("山西2025年GDP增长多少？比2024年快了多少？", (2024, 2025)),
        ("总投资20000万元", ()),
        ("地区生产总值由2010年的162.4亿元增加到2015年的287.9亿元", (2010, 2015)),
    ],
)
def test_years_named(text: str, years: tuple[int, ...]) -> None:
    assert years_named(text) == years


def test_names_ending_in_a_suffix_character_are_kept() -> None:
    # 贵州 ends in 州 (itself a suffix): 贵州省 is still a place, found in the meeting line.
    body = (
        "政府工作报告\n（2026年1月27日在贵州省第十四届人民代表大会第四次会议上）\n"
        "省长 李炳军\n现在，我代表省人民政府向大会报告工作"
    )
    assert issuing_place("政府工作报告。 贵州日报天眼新闻记者 李森 摄", body) == "贵州省"
    assert places_in("广州市和贵州2025年地区生产总值各是多少？", ["贵州省"]) == ("广州市", "贵州省")


def test_leads_with() -> None:
    assert leads_with("呼伦贝尔市2016年地区生产总值是多少？", "呼伦贝尔市")
    assert leads_with("2016年呼伦贝尔市地区生产总值是多少？", "呼伦贝尔市")
    assert not leads_with("海拉尔区配合呼伦贝尔市做了什么？", "呼伦贝尔市")


def test_indicators_in_any_wording() -> None:
    from assistant.text import indicators_in

    assert [forms[0] for forms in indicators_in("湖北2026年GDP增长预期目标是多少？")] == ["地区生产总值"]
    assert [forms[0] for forms in indicators_in("规上工业增加值和公共财政预算收入")] == [
        "一般公共预算收入",
        "规模以上工业增加值",
    ]
    assert indicators_in("安民乡推出了几条红色旅游精品线路？") == []


@pytest.mark.parametrize(
    ("question", "places"),
    [
        ("川、鄂、闽三省去年地区生产总值分别是多少亿元？", ("四川省", "湖北省", "福建省")),
        ("京津黔辽四地去年一般公共预算收入增长了多少？", ("北京市", "天津市", "贵州省", "辽宁省")),
        ("去年皖、琼、藏三地规上工业增加值分别增长多少？", ("安徽省", "海南省", "西藏自治区")),
        ("苏浙两省粮食产量分别是多少？", ("江苏省", "浙江省")),
        ("京津冀三地的协同发展", ("北京市", "天津市", "河北省")),
        ("皖、琼、藏的地区生产总值", ("安徽省", "海南省", "西藏自治区")),
        # a short name alone, or two without their count, is an ordinary character
        ("京津冀协同发展有什么进展？", ()),
        ("新时代青年工作怎么做？", ()),
        ("乡村振兴要川流不息、新旧动能转换", ()),
        ("四川、湖北两省", ("四川省", "湖北省")),
    ],
)
def test_province_short_names_in_a_list(question: str, places: tuple[str, ...]) -> None:
    assert places_in(question) == places
    assert "皖" not in strip_places("去年皖、琼、藏三地规上工业增加值", ["安徽省", "海南省", "西藏自治区"])
