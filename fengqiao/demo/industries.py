"""Wenling's trades as the enterprise generator sees them: what firms of each trade call themselves, and whether
they work in factories or from shop fronts. Pure data."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Industry:
    name: str
    # Words that end a company's trade name: 利达泵业有限公司.
    company_words: tuple[str, ...]
    manufacturing: bool
    # Words that end an individual business's name (个体工商户): 国华五金店; empty for trades without them.
    shop_words: tuple[str, ...] = ()


INDUSTRIES: dict[str, Industry] = {
    industry.name: industry
    for industry in (
        Industry("泵与电机", ("泵业", "机电", "电机", "水泵", "泵阀"), True),
        Industry("鞋业", ("鞋业", "鞋材", "制鞋"), True),
        Industry("机床与工量刃具", ("机床", "工具", "刃具", "量具", "数控机械"), True),
        Industry("汽摩配", ("汽车零部件", "摩托车配件", "汽配", "机车部件"), True),
        Industry("水产", ("水产", "水产品", "海产品", "渔业"), True),
        Industry("服装", ("服饰", "制衣", "针织"), True),
        Industry("帽业", ("帽业", "服饰"), True),
        Industry("塑料制品", ("塑业", "塑料制品", "塑胶"), True),
        Industry("电子电器", ("电器", "电子", "电气"), True, ("电器商行", "手机店")),
        Industry("船舶修造", ("船舶修造", "船业"), True),
        Industry("食品加工", ("食品",), True, ("食品店",)),
        Industry("农业种植", ("农业开发", "农业科技", "果蔬"), False),
        Industry("批发零售", ("商贸", "贸易", "五金"), False, ("商店", "超市", "五金店", "副食品店", "日用品店")),
        Industry("餐饮住宿", ("餐饮管理", "酒店管理"), False, ("饭店", "小吃店", "面馆", "旅馆")),
        Industry("交通物流", ("物流", "货运"), False, ("货运部",)),
        Industry("建筑建材", ("建设", "建材"), False, ("建材店",)),
    )
}
# Trades found in every town besides its own specialities.
GENERAL_INDUSTRIES: tuple[str, ...] = ("批发零售", "餐饮住宿", "交通物流", "建筑建材", "电子电器", "食品加工")
TRADE_NAME_CHARACTERS = (
    "利欧大元东音新界钱江宏达兴盛华丰亚泰恒通金龙瑞安德胜力凯博鑫海洋聚信宝富昌隆永康佳美创威远航正顺祥和中诚天"
)
