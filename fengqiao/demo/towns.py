"""Wenling's 16 towns and sub-districts as the generator sees them: real names, codes and approximate positions
(DOMAIN.md §3), with the sizes and leanings that shape what is generated inside each one. Pure data."""

from __future__ import annotations

from dataclasses import dataclass

from fengqiao.jurisdiction.kinds import UnitVariant

COUNTY_CODE = "331081"
COUNTY_NAME = "温岭市"


@dataclass(frozen=True)
class TownSpec:
    """One town at scale 1.0. ``villages`` counts communities too; ``population`` is residents in thousands."""

    code: str
    name: str
    variant: UnitVariant
    lat: float
    lon: float
    villages: int
    communities: int
    population: int
    floating_share: float
    # 0 = all farmland and village houses, 1 = all estates and shops.
    urban: float
    # Relative weight of factories and industrial enterprises.
    industry: float
    industries: tuple[str, ...]
    # Local place names (former townships, well-known villages) given to the first villages of the town.
    place_names: tuple[str, ...]
    # A big town's second police station, named after the area it covers.
    police_split: str | None = None
    # County-level public buildings that stand in this town.
    county_landmarks: tuple[str, ...] = ()

    @property
    def short_name(self) -> str:
        """泽国镇 → 泽国, 太平街道 → 太平."""
        return self.name.removesuffix("街道").removesuffix("镇")

    @property
    def is_subdistrict(self) -> bool:
        return self.variant is UnitVariant.SUBDISTRICT


_S = UnitVariant.SUBDISTRICT
_T = UnitVariant.TOWNSHIP

TOWNS: tuple[TownSpec, ...] = (
    TownSpec(
        "331081001", "太平街道", _S, 28.372, 121.375, 38, 24, 120, 0.25, 0.90, 0.4,
        ("服装", "批发零售", "餐饮住宿", "电子电器"),
        ("锦屏", "万寿", "东门", "西门", "南屏", "横湖", "石夫人", "九龙"),
        county_landmarks=("温岭市人民政府", "温岭市第一人民医院", "温岭市中医院", "温岭中学", "温岭市图书馆"),
    ),
    TownSpec(
        "331081002", "城东街道", _S, 28.380, 121.400, 40, 22, 85, 0.30, 0.80, 1.0,
        ("汽摩配", "泵与电机", "批发零售", "电子电器"),
        ("东辉", "楼山", "肖泉", "新街", "九龙湖", "百丈"),
        county_landmarks=("温岭市社会治理中心", "温岭市人民法院", "温岭市体育中心"),
    ),
    TownSpec(
        "331081003", "城西街道", _S, 28.370, 121.340, 48, 26, 85, 0.35, 0.70, 1.2,
        ("鞋业", "汽摩配", "塑料制品", "批发零售"),
        ("三星", "上蔡", "龙门", "下保", "白石", "前溪"),
        county_landmarks=("温岭市妇幼保健院", "温岭市汽车客运中心"),
    ),
    TownSpec(
        "331081004", "城北街道", _S, 28.400, 121.370, 42, 24, 75, 0.35, 0.70, 1.2,
        ("鞋业", "服装", "泵与电机", "塑料制品"),
        ("北山", "上马", "横街", "泗头", "方城", "山下"),
    ),
    TownSpec(
        "331081005", "横峰街道", _S, 28.410, 121.320, 45, 24, 75, 0.40, 0.60, 1.4,
        ("鞋业", "汽摩配", "机床与工量刃具", "塑料制品"),
        ("横峰", "前洋", "后洋", "渭川", "楼下", "西洋"),
    ),
    TownSpec(
        "331081100", "泽国镇", _T, 28.510, 121.350, 62, 11, 175, 0.40, 0.45, 1.6,
        ("泵与电机", "机床与工量刃具", "鞋业", "汽摩配"),
        ("牧屿", "联树", "丹崖", "泽楚", "水澄", "山北", "腾蛟", "下沙"),
        police_split="牧屿",
    ),
    TownSpec(
        "331081101", "大溪镇", _T, 28.450, 121.270, 109, 10, 165, 0.40, 0.35, 1.6,
        ("泵与电机", "机床与工量刃具", "汽摩配", "塑料制品"),
        ("潘郎", "山市", "照洋", "方山", "桐山", "沙岙", "大岙", "屿头"),
        police_split="潘郎",
    ),
    TownSpec(
        "331081102", "松门镇", _T, 28.340, 121.600, 69, 8, 90, 0.15, 0.30, 0.8,
        ("水产", "船舶修造", "泵与电机", "批发零售"),
        ("淋川", "龙门", "东海", "南塘", "松建", "礁山"),
    ),
    TownSpec(
        "331081103", "箬横镇", _T, 28.400, 121.500, 91, 14, 125, 0.20, 0.30, 0.8,
        ("农业种植", "水产", "汽摩配", "塑料制品"),
        ("晋岙", "高龙", "东浦", "西浦", "五岙", "麟南"),
    ),
    TownSpec(
        "331081104", "新河镇", _T, 28.470, 121.450, 95, 9, 110, 0.30, 0.30, 1.2,
        ("帽业", "服装", "汽摩配", "泵与电机"),
        ("长屿", "塘下", "中山", "寺前", "南鉴", "西门外"),
    ),
    TownSpec(
        "331081105", "石塘镇", _T, 28.260, 121.600, 50, 6, 50, 0.08, 0.20, 0.5,
        ("水产", "船舶修造", "餐饮住宿"),
        ("箬山", "钓浜", "里箬", "海利", "东山", "桂岙"),
    ),
    TownSpec(
        "331081106", "滨海镇", _T, 28.440, 121.560, 45, 5, 45, 0.20, 0.25, 1.0,
        ("水产", "汽摩配", "农业种植"),
        ("北港", "礁山", "海城", "东片", "新建", "海丰"),
    ),
    TownSpec(
        "331081107", "温峤镇", _T, 28.400, 121.220, 62, 6, 70, 0.30, 0.25, 1.1,
        ("机床与工量刃具", "泵与电机", "塑料制品"),
        ("琛山", "江厦", "青屿", "楼旗", "上珙", "山后"),
    ),
    TownSpec(
        "331081108", "城南镇", _T, 28.3293, 121.4025, 49, 4, 65, 0.15, 0.20, 0.6,
        ("农业种植", "水产", "泵与电机"),
        ("岙环", "石粘", "南屿", "塘岙", "洞下", "五龙"),
        county_landmarks=("温岭火车站",),
    ),
    TownSpec(
        "331081109", "石桥头镇", _T, 28.350, 121.460, 37, 4, 50, 0.20, 0.20, 0.8,
        ("机床与工量刃具", "塑料制品", "农业种植"),
        ("沙角", "石桥头", "上马", "洋屿", "后塘", "石仓"),
    ),
    TownSpec(
        "331081110", "坞根镇", _T, 28.320, 121.300, 14, 2, 15, 0.08, 0.10, 0.3,
        ("农业种植", "水产"),
        ("坞根", "沙山", "花芯", "黄岙"),
    ),
)  # fmt: skip


def town_by_code(code: str) -> TownSpec:
    return next(town for town in TOWNS if town.code == code)
