"""Places: the body that issues a report (省, 自治区, 市, 州, 盟, 县, 区, 旗, 乡, 镇, 街道), its level,
and the short forms people type (广西 → 广西壮族自治区, 上海 → 上海市, 海拉尔 → 海拉尔区).

The same rules serve every level: a name is found by its administrative suffix, its aliases are
derived from the name (the suffix dropped, then any ethnic-group words of an autonomous area), and
its level follows from the suffix. Only the 34 province-level names are listed (PROVINCES): a
question may name a province by its short form (广西、新疆) without any suffix to find it by.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from assistant.script import fold

# Longest first: 自治区 before 区, 自治州 before 州.
SUFFIXES = (
    "特别行政区",
    "自治区",
    "自治州",
    "自治县",
    "自治旗",
    "街道",
    "省",
    "市",
    "州",
    "盟",
    "县",
    "区",
    "旗",
    "乡",
    "镇",
)
LEVELS = ("省级", "市级", "县级", "乡级")
_LEVEL_OF_SUFFIX = {
    "特别行政区": "省级",
    "自治区": "省级",
    "省": "省级",
    "市": "市级",
    "自治州": "市级",
    "州": "市级",
    "盟": "市级",
    "自治县": "县级",
    "县": "县级",
    "区": "县级",
    "自治旗": "县级",
    "旗": "县级",
    "街道": "乡级",
    "乡": "乡级",
    "镇": "乡级",
}
MUNICIPALITIES = ("北京市", "上海市", "天津市", "重庆市")
PROVINCES = (
    *MUNICIPALITIES,
    "河北省",
    "山西省",
    "辽宁省",
    "吉林省",
    "黑龙江省",
    "江苏省",
    "浙江省",
    "安徽省",
    "福建省",
    "江西省",
    "山东省",
    "河南省",
    "湖北省",
    "湖南省",
    "广东省",
    "海南省",
    "四川省",
    "贵州省",
    "云南省",
    "陕西省",
    "甘肃省",
    "青海省",
    "台湾省",
    "内蒙古自治区",
    "广西壮族自治区",
    "西藏自治区",
    "宁夏回族自治区",
    "新疆维吾尔自治区",
    "香港特别行政区",
    "澳门特别行政区",
)
# Ethnic-group words in the names of autonomous areas (广西壮族自治区, 恩施土家族苗族自治州).
_ETHNIC = (
    "维吾尔",
    "土家",
    "哈萨克",
    "柯尔克孜",
    "达斡尔",
    "鄂温克",
    "鄂伦春",
    "乌孜别克",
    "塔吉克",
    "塔塔尔",
    "俄罗斯",
    "蒙古",
    "朝鲜",
    "布依",
    "仡佬",
    "傈僳",
    "拉祜",
    "纳西",
    "仫佬",
    "毛南",
    "景颇",
    "锡伯",
    "撒拉",
    "布朗",
    "阿昌",
    "普米",
    "基诺",
    "德昂",
    "保安",
    "裕固",
    "门巴",
    "珞巴",
    "独龙",
    "赫哲",
    "哈尼",
    "壮",
    "回",
    "藏",
    "苗",
    "彝",
    "侗",
    "瑶",
    "白",
    "傣",
    "黎",
    "畲",
    "水",
    "佤",
    "羌",
    "土",
    "京",
    "怒",
    "各",
)
_HAN = "\u4e00-\u9fff"
# Characters that never belong to a place name but often stand right before or inside a candidate
# (全省, 我市, 本区, 各县, 三省, 该镇 …).
_NOT_IN_NAME = set("全本我该各此每他其那这哪个些第共委党的在和与及等为对把将从年月日")
# A base never ends in these (社区市 is 社区 + 市), though 州 ends many names (贵州, 广州).
_NOT_LAST = set("区市县省乡镇旗盟")
# A base ending in a numeral counts places, it does not name one (东北三省, 两区).
_NUMERALS = set("一二三四五六七八九十百千万两几多")
# Words that end in a suffix character but name no place (城市, 市场, 城区, 园区, 乡镇 …).
_NOT_PLACES = {
    "城市",
    "都市",
    "超市",
    "上市",
    "城区",
    "园区",
    "景区",
    "社区",
    "山区",
    "片区",
    "库区",
    "牧区",
    "林区",
    "矿区",
    "新区",
    "湾区",
    "地区",
    "市区",
    "郊区",
    "城乡",
    "乡镇",
    "城镇",
    "集镇",
    "村镇",
    "小镇",
    "名镇",
    "古镇",
    "强镇",
    "重镇",
    "省市",
    "市县",
    "区县",
    "旗县",
    "州市",
    "盟市",
}


def split_suffix(name: str) -> tuple[str, str]:
    """('广西壮族', '自治区') for 广西壮族自治区; (name, '') when it ends in no suffix."""
    for suffix in SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)], suffix
    return name, ""


def level_of(name: str) -> str:
    """省级 / 市级 / 县级 / 乡级 from the name's suffix ('' when it has none); 直辖市 are 省级."""
    if name in MUNICIPALITIES:
        return "省级"
    return _LEVEL_OF_SUFFIX.get(split_suffix(name)[1], "")


def _strip_ethnic(base: str) -> str:
    """广西壮族 → 广西, 恩施土家族苗族 → 恩施, 新疆维吾尔 → 新疆; a base that is only ethnic words stays."""
    out = base
    changed = True
    while changed:
        changed = False
        for word in _ETHNIC:
            for tail in (word + "族", word):
                if out.endswith(tail) and len(out) - len(tail) >= 2:
                    out = out[: -len(tail)]
                    changed = True
                    break
            if changed:
                break
    return out


def aliases(name: str) -> tuple[str, ...]:
    """The forms a user may type for a place, longest first: 广西壮族自治区, 广西壮族, 广西."""
    base, suffix = split_suffix(name)
    forms = [name]
    if suffix and len(base) >= 2 and not _ANONYMISED.match(base):  # XX乡 has no short form: XX is a placeholder
        forms.append(base)
        stripped = _strip_ethnic(base)
        if stripped != base:
            forms.append(stripped)
    return tuple(dict.fromkeys(forms))


def _is_name(base: str) -> bool:
    return len(base) >= 2 and not (set(base) & _NOT_IN_NAME) and base[-1] not in _NUMERALS


_CANDIDATE = re.compile(f"([{_HAN}]{{2,8}}?|[Xx×]{{1,3}})({'|'.join(SUFFIXES)})")
_ANONYMISED = re.compile(r"^[Xx×]{1,3}$")


def _mentions(text: str) -> list[tuple[int, str]]:
    """(start, name) of every suffixed place name in text (heuristic: see _NOT_IN_NAME, _NOT_PLACES)."""
    out = []
    for match in _CANDIDATE.finditer(text):
        base, suffix = match.group(1), match.group(2)
        if _ANONYMISED.match(base):  # an anonymised name: XX乡, X县
            out.append((match.start(), base + suffix))
            continue
        # The shortest base that is a name: 在海拉尔区 → 海拉尔区 (drop leading non-name characters).
        for cut in range(len(base) - 1):
            candidate = base[cut:]
            if _is_name(candidate):
                name = candidate + suffix
                if name not in _NOT_PLACES and candidate not in _NOT_PLACES and candidate[-1] not in _NOT_LAST:
                    out.append((match.start() + cut, name))
                break
    return out


# 我代表海拉尔区人民政府 / 海拉尔区人民政府区长 / 在吉林省第十四届人民代表大会: the issuing body in the body.
_BODY_PATTERNS = (
    re.compile(f"代表([{_HAN}]{{2,12}}?)人民政府"),
    re.compile(f"在([{_HAN}]{{2,12}}?)第[{_HAN}\\d]{{1,4}}届人民代表大会"),
)
# 海拉尔区人民政府区长 杜联合: the signature line under the title.
_SIGNATURE = re.compile(f"^([{_HAN}]{{2,12}}?)人民政府", re.MULTILINE)


def _clean_place(text: str) -> str:
    """The place a short span names, e.g. '海拉尔区' from '海拉尔区'; '' if it is not one."""
    found = _mentions(text)
    return found[-1][1] if found and found[-1][0] + len(found[-1][1]) == len(text) else ""


def issuing_place(title: str, body: str) -> str:
    """The place whose report this is: named in the title, else in the opening lines (我代表X人民政府,
    在X第…届人民代表大会上), else the first place the opening names; '' when none is found. Read,
    and returned, in Simplified characters (石門坎鄉 is 石门坎乡), as questions are read."""
    title, body = fold(title), fold(body)
    title_places = _mentions(re.sub(r"\s", "", title))
    if title_places:
        # 内蒙古自治区呼伦贝尔市海拉尔区… / XX县XX乡…: the most specific place of the title issues it.
        return max(title_places, key=lambda p: (LEVELS.index(level_of(p[1])) if level_of(p[1]) else -1, p[0]))[1]
    head = re.sub(r"[ \t\u3000]", "", body[:800])
    joined = head.replace("\n", "")
    # 代表X人民政府 within a line; 在X第…届人民代表大会 may wrap onto the next line (广东省第十四届⏎人民代表大会).
    matches = [*_BODY_PATTERNS[0].finditer(head), *_BODY_PATTERNS[1].finditer(joined), *_SIGNATURE.finditer(head)]
    for match in matches:
        place = _clean_place(match.group(1))
        if place:
            return place
    found = _mentions(joined)
    return found[0][1] if found else ""


# Province-level short names (简称), read only in a list of two or more that names its count (川、鄂、闽三省,
# 京津黔辽四地) or of three or more joined by 、 (皖、琼、藏): a lone 川 or 新 is an ordinary character.
SHORT_NAMES = dict(
    pair.split(":")
    for pair in (
        "京:北京市 津:天津市 沪:上海市 渝:重庆市 冀:河北省 晋:山西省 蒙:内蒙古自治区 辽:辽宁省 吉:吉林省 "
        "黑:黑龙江省 苏:江苏省 浙:浙江省 皖:安徽省 闽:福建省 赣:江西省 鲁:山东省 豫:河南省 鄂:湖北省 湘:湖南省 "
        "粤:广东省 桂:广西壮族自治区 琼:海南省 川:四川省 蜀:四川省 黔:贵州省 滇:云南省 藏:西藏自治区 陕:陕西省 "
        "甘:甘肃省 陇:甘肃省 青:青海省 宁:宁夏回族自治区 新:新疆维吾尔自治区"
    ).split()
)
_SHORT = "".join(SHORT_NAMES)
_SHORT_COUNTED = re.compile(
    f"[{_SHORT}](?:[、和与及]?[{_SHORT}])+(?=(?:[两二三四五六七八九十]|\\d)个?(?:省|地|市|区|省份|省区市|省市))"
)
_SHORT_LISTED = re.compile(f"[{_SHORT}](?:、[{_SHORT}]){{2,}}")


def short_names(question: str) -> list[tuple[int, str]]:
    """(position, full name) of each province short name in a list of them (SHORT_NAMES)."""
    out = []
    for pattern in (_SHORT_COUNTED, _SHORT_LISTED):
        for match in pattern.finditer(question):
            out += [(match.start() + i, SHORT_NAMES[c]) for i, c in enumerate(match.group()) if c in SHORT_NAMES]
    return out


_PROVINCE_FORMS = sorted(((form, full) for full in PROVINCES for form in aliases(full)), key=lambda f: -len(f[0]))
_CLAUSE_STARTS = ("，", ",", "；", "：", "。", "？")
_LEADING_YEAR = re.compile(r"^[\s“”\"']*(?:(?:19|20)\d{2}\s*年(?:度)?)?[\s，,]*")


def places_in(question: str, known: Iterable[str] = ()) -> tuple[str, ...]:
    """The places a question names, as full names, in order: a known report place by any of its
    aliases, any province-level name (also by short name in a list: 川、鄂、闽三省), an unknown
    suffixed name at the start of the question or of a list item (满洲里市…, 吉林、辽宁、黑龙江…).
    Longest forms win (吉林省 over 吉林)."""
    forms = sorted(((form, full) for full in known for form in aliases(full)), key=lambda f: -len(f[0]))
    taken = [False] * len(question)
    found: list[tuple[int, str]] = []

    def claim(start: int, end: int, full: str) -> None:
        if not any(taken[start:end]):
            taken[start:end] = [True] * (end - start)
            found.append((start, full))

    for form, full in [*forms, *_PROVINCE_FORMS]:
        if len(form) < 2:
            continue
        for match in re.finditer(re.escape(form), question):
            claim(match.start(), match.end(), full)
    for start, full in short_names(question):
        claim(start, start + 1, full)
    # Unknown suffixed names: only where a place is expected (the start of the question or of a
    # clause, after a year, after 、和与及, or right after another place: XX县XX乡).
    ends = {start + len(name) for start, name in _mentions(question)}
    for start, name in _mentions(question):
        before = question[:start]
        at_start = not _LEADING_YEAR.sub("", before) or _LEADING_YEAR.sub("", before[-8:]).endswith(_CLAUSE_STARTS)
        after_list = before.endswith(("、", "和", "与", "及", "跟", "同", *_CLAUSE_STARTS))
        if (at_start or after_list or start in ends) and level_of(name):
            claim(start, start + len(name), name)
    return tuple(dict.fromkeys(full for _, full in sorted(found)))


def leads_with(question: str, place: str) -> bool:
    """The question opens with the place's full name (after a year): it is what the question is about
    (满洲里市2018年旅游收入…), not a mention (河南信阳卢氏茶叶集团…)."""
    return _LEADING_YEAR.sub("", question).startswith(place)


def strip_places(question: str, places: Iterable[str]) -> str:
    """The question with every form of the places it names blanked out (they scope, not match)."""
    places = set(places)
    out = "".join(
        " " if i in {at for at, full in short_names(question) if full in places} else c for i, c in enumerate(question)
    )
    for form in sorted({f for p in places for f in aliases(p)}, key=len, reverse=True):
        out = out.replace(form, " ")
    return out


# 2013年; 2021—2022年; 2013、2014、2015这三年: a year, or a list or range of years ending in 年.
_YEARS = re.compile(r"(?<![\d.])((?:19|20)\d{2})(?=(?:\s*[、，,和与及—\-－~至到]\s*(?:19|20)\d{2})*\s*(?:这.{0,2})?年)")


def years_named(text: str) -> tuple[int, ...]:
    """The four-digit years a text names (also in lists and ranges: 2021—2022年), ascending."""
    return tuple(sorted({int(y) for y in _YEARS.findall(text)}))
