"""Data for templates/zone_table.h.j2: the zones a variant has and where
they end, from Kconfig (which zones, their reserve ratios) and the arch
(kit/archs.py: where its devices' reach ends, where RAM starts).

Zones are listed from the lowest address up, as Linux's enum zone_type;
Normal is always there and has no end.
"""
from __future__ import annotations

from . import archs

# The low zones Linux knows, lowest first, each with its Kconfig symbols.
LOW_ZONES = [
    ("DMA", "ZONE_DMA", "LOWMEM_RESERVE_RATIO_DMA"),
    ("DMA32", "ZONE_DMA32", "LOWMEM_RESERVE_RATIO_DMA32"),
]


def context(values: dict[str, object], arch: archs.Arch) -> dict:
    """What zone_table.h.j2 renders."""
    zones = []
    for name, symbol, ratio in LOW_ZONES:
        if values.get(symbol):
            zones.append({"name": name, "end": arch.zone_ends[name],
                          "reserve_ratio": int(values[ratio])})
    zones.append({"name": "Normal", "end": None, "reserve_ratio": 0})
    return {"zones": zones, "ram_base": arch.ram_base, "arch": arch.name}
