"""Region codes (the first six digits of an ID number) for the demo's people.

Local people carry Wenling's code of their birth year. Floating people come from the counties that send most
workers to Wenling (Guizhou, Sichuan, Chongqing, Yunnan, Jiangxi, Anhui, Henan, Hunan). A county's code changed
when its prefecture was reorganised, so each hometown lists its codes with the birth years each is valid for;
every (code, year) pair here validates with stdnum.cn.ric (checked by the tests)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from fengqiao.basedata.identifiers import WENLING_REGION_CODES_BY_YEAR

FIRST_BIRTH_YEAR = 1930
LAST_BIRTH_YEAR = 2025


@dataclass(frozen=True)
class Hometown:
    name: str
    weight: float
    # (code, first birth year it is used for); each code runs until the next one starts.
    codes: tuple[tuple[str, int], ...]

    def code_for(self, year: int) -> str:
        return next(code for code, start in reversed(self.codes) if year >= start)

    def years(self, code: str) -> range:
        """Birth years that receive ``code``, within the demo's range."""
        starts = [start for _, start in self.codes] + [LAST_BIRTH_YEAR + 1]
        index = [c for c, _ in self.codes].index(code)
        return range(max(starts[index], FIRST_BIRTH_YEAR), starts[index + 1])


_F = FIRST_BIRTH_YEAR

HOMETOWNS: tuple[Hometown, ...] = (
    Hometown("贵州省大方县", 3.0, (("522422", _F), ("520521", 2011))),
    Hometown("贵州省织金县", 2.5, (("522425", _F), ("520524", 2011))),
    Hometown("贵州省纳雍县", 2.0, (("522426", _F), ("520525", 2011))),
    Hometown("贵州省威宁彝族回族苗族自治县", 2.0, (("522427", _F), ("520526", 2011))),
    Hometown("贵州省黎平县", 1.0, (("522631", _F),)),
    Hometown("贵州省榕江县", 1.0, (("522632", _F),)),
    Hometown("贵州省从江县", 0.8, (("522633", _F),)),
    Hometown("贵州省瓮安县", 0.8, (("522725", _F),)),
    Hometown("四川省南部县", 1.5, (("512922", _F), ("511321", 1993))),
    Hometown("四川省营山县", 1.2, (("512924", _F), ("511322", 1993))),
    Hometown("四川省仪陇县", 1.2, (("512927", _F), ("511324", 1993))),
    Hometown("四川省宣汉县", 1.2, (("513022", _F), ("511722", 1999))),
    Hometown("四川省渠县", 1.2, (("513030", _F), ("511725", 1999))),
    Hometown("四川省通江县", 1.0, (("513025", _F), ("513721", 1993), ("511921", 2000))),
    Hometown("四川省平昌县", 1.0, (("513028", _F), ("513723", 1993), ("511923", 2000))),
    Hometown("重庆市云阳县", 1.0, (("512225", _F), ("511224", 1992), ("500235", 1997))),
    Hometown("重庆市奉节县", 0.8, (("512226", _F), ("511225", 1992), ("500236", 1997))),
    Hometown("云南省镇雄县", 1.5, (("532128", _F), ("530627", 2001))),
    Hometown("云南省彝良县", 1.0, (("532129", _F), ("530628", 2001))),
    Hometown("云南省会泽县", 0.8, (("532233", _F), ("530326", 1997))),
    Hometown("江西省于都县", 1.0, (("362132", _F), ("360731", 1998))),
    Hometown("江西省兴国县", 0.8, (("362133", _F), ("360732", 1998))),
    Hometown("江西省余干县", 0.8, (("362329", _F), ("361127", 2000))),
    Hometown("江西省玉山县", 0.6, (("362323", _F), ("361123", 2000))),
    Hometown("安徽省临泉县", 1.0, (("342122", _F), ("341221", 1996))),
    Hometown("安徽省太和县", 0.8, (("342123", _F), ("341222", 1996))),
    Hometown("安徽省颍上县", 0.8, (("342128", _F), ("341226", 1996))),
    Hometown("安徽省霍邱县", 0.6, (("342423", _F), ("341522", 1999))),
    Hometown("河南省固始县", 1.2, (("413026", _F), ("411525", 1998))),
    Hometown("河南省商城县", 0.8, (("413027", _F), ("411524", 1998))),
    Hometown("河南省光山县", 0.6, (("413025", _F), ("411522", 1998))),
    Hometown("河南省郸城县", 0.6, (("412726", _F), ("411625", 2000))),
    Hometown("湖南省隆回县", 0.8, (("432622", _F), ("430524", 1986))),
    Hometown("湖南省洞口县", 0.6, (("432624", _F), ("430525", 1986))),
    Hometown("湖南省邵东县", 0.6, (("432523", _F), ("430521", 1983), ("430582", 2019))),
    Hometown("湖南省祁东县", 0.5, (("432726", _F), ("430426", 1983))),
)

_HOMETOWN_WEIGHTS = np.array([hometown.weight for hometown in HOMETOWNS])
# codes[hometown, birth year - FIRST_BIRTH_YEAR], built once so drawing is a lookup.
_CODE_TABLE = np.array(
    [[int(h.code_for(year)) for year in range(FIRST_BIRTH_YEAR, LAST_BIRTH_YEAR + 1)] for h in HOMETOWNS]
)


def draw_hometowns(rng: np.random.Generator, size: int) -> NDArray[np.int64]:
    return rng.choice(len(HOMETOWNS), size=size, p=_HOMETOWN_WEIGHTS / _HOMETOWN_WEIGHTS.sum())


def hometown_region_codes(hometowns: NDArray[np.int64], birth_years: NDArray[np.int64]) -> NDArray[np.int64]:
    years = np.clip(birth_years, FIRST_BIRTH_YEAR, LAST_BIRTH_YEAR) - FIRST_BIRTH_YEAR
    return _CODE_TABLE[hometowns, years]


def wenling_region_codes(birth_years: NDArray[np.int64]) -> NDArray[np.int64]:
    """Vectorised ``basedata.identifiers.wenling_region_code``."""
    codes = np.zeros(len(birth_years), dtype=np.int64)
    assigned = np.zeros(len(birth_years), dtype=bool)
    for start, code in WENLING_REGION_CODES_BY_YEAR:
        take = ~assigned & (birth_years >= start)
        codes[take] = int(code)
        assigned |= take
    return codes
