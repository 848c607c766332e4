"""The indicator name of a figure: the noun phrase before the verb that leads to it, with time
words, links and verbs stripped (assistant/ledger/extract.py finds the figures)."""

from __future__ import annotations

import re

CHANGE_UP = "增长|增加|提高|提升|上升|上涨|递增|增|扩大|拉动"
CHANGE_DOWN = "下降|减少|降低|回落|下滑|递减|降|缩小|缩减|压减|减"
_CHANGE_UP, _CHANGE_DOWN = CHANGE_UP, CHANGE_DOWN
RATE_UNITS = ("%", "个百分点", "百分点", "倍")

_RANK_VERB = re.compile(r"(?:位居|居|排名|排|位列|名列|列|进入|跻身)[\u4e00-\u9fff]{0,4}$")
# Verbs and links between an indicator and its figure, stripped from the end of the clause before it.
_TRAILING = re.compile(
    r"(?:完成了|完成|达到了|达到|达|实现了|实现|为|是|有|突破|超过|超|共计|累计|合计|总计|共|计|分别|同比|"
    r"比上年|比去年|较上年|较去年|年均|平均|增至|增到|降至|降到|提高到|提升到|增加到|增长到|达成|到|至|了|已|均|"
    r"约|近|逾|占|的|由|从|在|以|按可比口径|可比口径|按|比|较|控制在|控制|"
    rf"{_CHANGE_UP}|{_CHANGE_DOWN}|，|,|、|\s)+$"
)
_LEADING = re.compile(
    r"^(?:其中|全年|年内|当年|今年|去年|上年|全区|全市|全省|全县|全乡|全镇|全村|我区|我市|我省|我县|我乡|我镇|"
    r"共|累计|并|和|及|与|同时|此外|另外|以及|了|力争|争取|计划|确保|预计|截至\S{0,8}?(?:月底|年底|月末|年末|底|末)|完成|实现|达到|使|让|将|"
    r"[一二三四五六七八九十]+是|\d+[.、．]|[（(][一二三四五六七八九十\d]+[）)]|[、，,\s])+"
)
_TIME = re.compile(
    r"(?:(?:19|20)\d{2}\s*(?:[-—–~至到]\s*(?:19|20)?\d{2,4})?\s*年(?:度|底|末|初|的|以来)?|今年以来|今年|去年|上年|全年)"
)
_NOUN_AFTER = re.compile(r"(?:[\u4e00-\u9fff]|[（(][\u4e00-\u9fff]{1,3}[）)]){1,10}")
_VERB_AFTER = re.compile(
    r"顺利|投产|建成|实现|开工|完成|入选|入围|形成|获批|落地|通车|运行|参与|享受|发放|带动|改造|提升|建设|实施|"
    r"得到|达到|覆盖|受益|签约|落户|开展|进行|的"
)
_COUNTS = frozenset("个项家所座处条件批支位场期名人户村")
# Names that are no names: examples before their category (实施光电、制储氢等10个专项), verbs in a row (新建、重组).
_NOT_A_NAME = re.compile(
    r".*(?:等|和|及|与|实现|年产|组建|建设|建成|新建|打造|培育|实施|启动)|(?:[\u4e00-\u9fff]{2}、)+[\u4e00-\u9fff]{2}"
)
# What may stand between a figure and the one before it when both are of one indicator.
_LINK = re.compile(
    rf"(?:达到|达|为|是|实现|完成|增加到|提高到|增至|同比|比上年|较上年|比|较|年均|分别|其中|和|、|与|共计|合计|累计|总计|共|"
    rf"{_CHANGE_UP}|{_CHANGE_DOWN}|了|约|近|超过|超|按可比口径)*"
)
# A clause that names an action, not what was counted: the noun follows the figure.
_ACTION = re.compile(
    r"(?:启动实施|启动|实施了|实施|推进|确保|全面完成|全面|严格|建成|重点实施|重点|以及|圆满|完成|新建|改造|"
    r"打造|创建|争取|开展|举办|组织|引进|签约|落实|帮助|慰问|建设|培育|发展|带动|解决|新增|累计|共|了)+"
)
_PARTIAL = ("增速", "增幅", "总量", "总额", "增量", "降幅", "占比", "比重")


def indicator_of(before: str) -> str:
    """The noun phrase of a clause before its figure: time words, links and verbs stripped."""
    text = _TIME.sub("", before)
    text = re.sub(r"[“”\"'‘’《》【】]", "", text)
    for _ in range(3):
        text = _TRAILING.sub("", text)
        text = _LEADING.sub("", text)
    text = re.sub(r"(?:累计|共计|合计)", "", text)
    text = text.strip(" ，,、")
    if len(text) > 16 and "的" in text[:-3]:  # 非公经济增加值占地区生产总值的比重: the head noun
        text = text[text.rindex("的", 0, len(text) - 3) + 1 :]
    if len(re.findall(r"[\u4e00-\u9fff]", text)) < 2:
        return ""
    return text[-20:]


def choose_name(
    name: str, before: str, sentence: str, end: int, unit: str, subject: str, versus: bool
) -> tuple[str, str]:
    """The indicator's name for a figure and the subject the next figures of the sentence inherit.

    The clause's own noun phrase, else the subject of the figure before it when only links stand
    between (完成235.2亿元，同比增长18.5%; 是2010年的2.6倍; 高于全国…), else the noun after the
    figure where the clause names an action or lists examples (试点组建4个重点产业链特聘专家团,
    绍兴黄酒、金华火腿3个历史经典产业)."""
    linked = not name and _LINK.fullmatch(_TIME.sub("", before).strip())
    if subject and (linked or (versus and not name) or (unit == "倍" and before.startswith("是"))):
        return subject, subject
    after = _noun_after(sentence, end)
    if not name or _ACTION.fullmatch(name):
        return name + after, subject  # 完成9.2公里管网改造, 实施36个老旧小区改造
    if after and (_NOT_A_NAME.fullmatch(name) or ("、" in name and unit in _COUNTS)):
        return after, subject
    if subject and name in _PARTIAL:
        return subject + name, subject
    return name, name


def _noun_after(sentence: str, end: int) -> str:
    """The noun phrase right after a figure (up to a boundary or a verb), '' when a conjunction follows."""
    m = _NOUN_AFTER.match(sentence, end)
    if not m or m.group(0)[0] in "和及与并":
        return ""
    noun = m.group(0)
    verb = _VERB_AFTER.search(noun, 2)
    return noun[: verb.start()] if verb else noun


def table_name(name: str, direction: str, unit: str, rank: bool, before: str, subject: str = "") -> str:
    """The indicator's table name: a rate of change is the indicator's 增速/降幅, a rank its 排名."""
    if rank:
        base = _RANK_VERB.sub("", name)
        if base in ("", *_PARTIAL) and subject:
            base = _RANK_VERB.sub("", subject) + base  # 地区生产总值增长8%，增速居全市第2位
        return base + "排名"
    if not direction:
        return name
    yearly = "年均" if "年均" in before else ""
    words = ("增速", "降幅") if unit in RATE_UNITS else ("增加", "减少")
    word = words[0] if direction == "up" else words[1]
    return f"{name}{yearly}{word}" if name else ""
