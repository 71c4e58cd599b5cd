"""How much arrives by which channel, and what it is about — yearly volumes for the whole county (scale 1.0).

The dispute volumes add up to the 26,538 disputes Wenling's platform took in over a year (seed document 004:
受理各类矛盾纠纷类事项26538件); their split over channels follows the sources the centre fuses (基层智治 grid
patrols and front desks, 12345, 110 纠纷类警情, 法院民商事立案, 初信初访, 市域共治码) and is an estimate. Beside the
disputes each channel brings complaints, hazards and requests (not counted in the dispute figures).
"""

from __future__ import annotations

from dataclasses import dataclass

from fengqiao.events.kinds import Channel

# Level at which disputes end up being resolved (seed document 000: 市、镇、村 0.1 %、26.64 %、73.26 %).
LEVEL_SPLIT: dict[str, float] = {"village": 0.7326, "town": 0.2664, "county": 0.001}
YEARLY_DISPUTES = 26_538
# Disputes never resolved (seed document 000: 化解率达99.92%).
UNRESOLVED = 1 - 0.9992


@dataclass(frozen=True)
class ChannelVolume:
    channel: Channel
    code: str  # short code in simulated source ids
    disputes: int  # per year at scale 1.0
    others: int
    # Weights of categories for disputes and for the rest.
    dispute_mix: dict[str, float]
    other_mix: dict[str, float]
    # Where the channel registers: "county" (the centre), "town" (command room), "grid" (the patrol's grid).
    registers_at: str
    # How the location arrives: "building" (id), "point" (lon/lat), "address" (text for the address matcher).
    located_by: str
    # Arrivals on a Saturday or Sunday relative to a working day.
    weekend_factor: float = 0.35


_FAMILY_NEIGHBOUR = {"marriage_family": 3.0, "neighbour": 4.0, "housing_land": 2.0}

CHANNELS: tuple[ChannelVolume, ...] = (
    ChannelVolume(
        Channel.GRID_PATROL,
        "GP",
        disputes=9_300,
        others=5_200,
        dispute_mix={
            **_FAMILY_NEIGHBOUR,
            "labour": 1.0,
            "property_mgmt": 1.0,
            "land_acquisition": 0.5,
            "debt_contract": 0.6,
            "traffic": 0.3,
        },
        other_mix={
            "safety_hazard": 4.0,
            "city_management": 2.5,
            "environment": 1.5,
            "public_order": 1.0,
            "consultation": 0.8,
            "other": 0.4,
        },
        registers_at="grid",
        located_by="building",
        weekend_factor=0.5,
    ),
    ChannelVolume(
        Channel.POLICE_110,
        "PL",
        disputes=6_100,
        others=900,
        dispute_mix={
            "marriage_family": 2.5,
            "neighbour": 3.0,
            "traffic": 2.0,
            "labour": 1.0,
            "debt_contract": 1.2,
            "consumer": 0.8,
            "housing_land": 0.6,
            "medical": 0.3,
        },
        other_mix={"public_order": 3.0, "safety_hazard": 1.0},
        registers_at="town",
        located_by="point",
        weekend_factor=1.1,
    ),
    ChannelVolume(
        Channel.HOTLINE_12345,
        "HL",
        disputes=4_400,
        others=6_000,
        dispute_mix={
            "labour": 2.5,
            "consumer": 2.5,
            "property_mgmt": 2.0,
            "neighbour": 1.5,
            "housing_land": 1.0,
            "land_acquisition": 0.8,
            "medical": 0.6,
            "debt_contract": 0.6,
            "marriage_family": 0.4,
        },
        other_mix={
            "city_management": 3.0,
            "consultation": 3.0,
            "environment": 2.0,
            "safety_hazard": 1.0,
            "other": 1.0,
            "public_order": 0.4,
        },
        registers_at="county",
        located_by="address",
        weekend_factor=0.6,
    ),
    ChannelVolume(
        Channel.FRONT_DESK,
        "FD",
        disputes=3_200,
        others=1_600,
        dispute_mix={
            "marriage_family": 2.0,
            "labour": 2.0,
            "housing_land": 2.0,
            "land_acquisition": 1.0,
            "debt_contract": 1.5,
            "neighbour": 1.5,
            "traffic": 1.0,
            "medical": 0.5,
        },
        other_mix={"consultation": 4.0, "other": 1.0},
        registers_at="town",
        located_by="building",
        weekend_factor=0.05,
    ),
    ChannelVolume(
        Channel.COURT,
        "CT",
        disputes=2_300,
        others=0,
        dispute_mix={
            "debt_contract": 5.0,
            "traffic": 2.0,
            "labour": 1.5,
            "marriage_family": 1.5,
            "housing_land": 1.0,
            "property_mgmt": 1.0,
            "consumer": 0.5,
        },
        other_mix={},
        registers_at="county",
        located_by="address",
        weekend_factor=0.0,
    ),
    ChannelVolume(
        Channel.FIRST_PETITION,
        "FP",
        disputes=800,
        others=300,
        dispute_mix={
            "land_acquisition": 3.0,
            "labour": 1.5,
            "housing_land": 1.5,
            "property_mgmt": 1.0,
            "debt_contract": 0.5,
        },
        other_mix={"other": 2.0, "consultation": 0.5},
        registers_at="town",
        located_by="address",
        weekend_factor=0.0,
    ),
    ChannelVolume(
        Channel.CITIZEN_QR,
        "QR",
        disputes=438,
        others=900,
        dispute_mix={"neighbour": 3.0, "property_mgmt": 1.5, "consumer": 1.0},
        other_mix={"city_management": 3.0, "environment": 1.0, "safety_hazard": 1.0, "other": 0.5},
        registers_at="grid",
        located_by="building",
        weekend_factor=0.9,
    ),
    ChannelVolume(
        Channel.CITY_MANAGEMENT,
        "CM",
        disputes=0,
        others=1_800,
        dispute_mix={},
        other_mix={"city_management": 5.0, "environment": 1.0},
        registers_at="town",
        located_by="point",
        weekend_factor=0.4,
    ),
)

# Months differ: the Spring Festival (wage arrears before it, family matters around it), typhoon season.
MONTH_FACTOR: dict[int, float] = {
    1: 1.25,
    2: 0.85,
    3: 0.95,
    4: 0.95,
    5: 1.0,
    6: 1.0,
    7: 1.05,
    8: 1.05,
    9: 1.0,
    10: 0.9,
    11: 0.95,
    12: 1.1,
}
