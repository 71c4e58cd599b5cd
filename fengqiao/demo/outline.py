"""The county outline: a hand-drawn WGS84 polygon of Wenling, about 930 km². The land border with Luqiao and
Huangyan runs along the north; the sea lies east and south-east, with the Shitang peninsula, the bay between
Chengnan and Songmen, and Yueqing Bay to the south-west. Every town seat lies a few kilometres inside it."""

from __future__ import annotations

from shapely.geometry import Polygon

# (lon, lat) clockwise from the northern border.
COUNTY_OUTLINE: tuple[tuple[float, float], ...] = (
    (121.338, 28.551), (121.371, 28.546), (121.405, 28.532), (121.444, 28.519), (121.486, 28.509),
    (121.524, 28.496), (121.556, 28.480), (121.585, 28.458), (121.604, 28.430), (121.619, 28.398),
    (121.641, 28.368), (121.649, 28.338), (121.637, 28.306), (121.631, 28.276), (121.621, 28.248),
    (121.600, 28.238), (121.578, 28.252), (121.556, 28.283), (121.528, 28.309), (121.495, 28.322),
    (121.465, 28.318), (121.438, 28.306), (121.410, 28.300), (121.376, 28.297), (121.342, 28.294),
    (121.309, 28.296), (121.281, 28.309), (121.258, 28.332), (121.234, 28.356), (121.206, 28.376),
    (121.190, 28.404), (121.198, 28.434), (121.221, 28.457), (121.246, 28.484), (121.276, 28.512),
    (121.306, 28.538),
)  # fmt: skip


def county_outline() -> Polygon:
    return Polygon(COUNTY_OUTLINE)
