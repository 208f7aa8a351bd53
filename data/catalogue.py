"""The sample catalogue's vocabulary: IT product families with real-looking brands, part numbers,
descriptions, shipping weights, box sizes and trade costs; and the distributors that sell them.

Used only by `generate.py`; everything here is drawn from a seeded `random.Random`, so the output is
the same bytes for the same seed.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from random import Random

from fulfilment_engine.countries import EU_COUNTRIES

UPPER = string.ascii_uppercase
DIGITS = string.digits


def code(rng: Random, pattern: str) -> str:
    """A part number from a pattern: `9` a digit, `A` a letter, `X` either, anything else literal."""
    out = []
    for ch in pattern:
        if ch == "9":
            out.append(rng.choice(DIGITS))
        elif ch == "A":
            out.append(rng.choice(UPPER))
        elif ch == "X":
            out.append(rng.choice(UPPER + DIGITS))
        else:
            out.append(ch)
    return "".join(out)


def dec(value: float, places: str = "0.01") -> Decimal:
    return Decimal(repr(value)).quantize(Decimal(places), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Item:
    category: str
    brand: str
    mpn: str
    description: str
    weight_kg: Decimal
    dims_cm: tuple[int, int, int]
    cost: Decimal  # typical trade cost in GBP, before each distributor's price level


def laptop(rng: Random) -> Item:
    brand, series, pattern, base = rng.choice(
        [
            ("Lenovo", "ThinkPad E14 Gen 5", "21JK99XXUK", 560),
            ("Lenovo", "ThinkPad T14 Gen 4", "21HD99XXUK", 820),
            ("Lenovo", "ThinkPad X1 Carbon Gen 11", "21HM99XXUK", 1280),
            ("HP", "ProBook 450 G10", "9XA99EA#ABU", 590),
            ("HP", "EliteBook 840 G10", "9XA99EA#ABU", 910),
            ("Dell", "Latitude 5440", "XXXX9", 640),
            ("Dell", "Latitude 7440", "XXXX9", 980),
            ("ASUS", "ExpertBook B1", "B1502CVA-BQ9999X", 470),
            ("Acer", "TravelMate P2", "NX.VXXEK.99X", 450),
        ]
    )
    cpu, cpu_extra = rng.choice(
        [("i5-1335U", 0), ("i7-1355U", 160), ("Ryzen 5 7530U", -40), ("Ryzen 7 7730U", 90)]
    )
    ram, ram_extra = rng.choice([(8, 0), (16, 70), (32, 190)])
    ssd, ssd_extra = rng.choice([("256GB", 0), ("512GB", 45), ("1TB", 120)])
    screen = "15.6" if "450" in series or "B1" in series or "P2" in series else "14"
    os_name = rng.choice(["Win 11 Pro", "Win 11 Pro", "Win 11 Home"])
    description = f'{brand} {series} {screen}" {cpu} {ram}GB {ssd} SSD {os_name}'
    weight = 2.1 + (0.3 if screen == "15.6" else 0) + rng.uniform(-0.2, 0.3)
    return Item(
        "Laptops",
        brand,
        code(rng, pattern),
        description,
        dec(weight, "0.01"),
        (45 if screen == "14" else 50, 31, 8),
        dec((base + cpu_extra + ram_extra + ssd_extra) * rng.uniform(0.95, 1.05)),
    )


def monitor(rng: Random) -> Item:
    size, base, weight = rng.choice(
        [(21.5, 85, 4.2), (23.8, 115, 5.1), (27, 190, 7.0), (31.5, 290, 9.8), (34, 420, 11.5)]
    )
    inch = {21.5: "22", 23.8: "24", 27: "27", 31.5: "32", 34: "34"}[size]
    brand, series, mpn = rng.choice(
        [
            ("Dell", f"P{inch}25H", f"DELL-P{inch}25H"),
            ("iiyama", f"ProLite XUB{inch}93HS", f"XUB{inch}93HS-B5"),
            ("AOC", f"{inch}P2Q", f"{inch}P2Q"),
            ("LG", f"UltraFine {inch}UP850N", f"{inch}UP850N-W"),
            ("Samsung", "ViewFinity S6", f"LS{inch}A600UUUXXU"),
            ("Philips", f"B Line {inch}3B1", f"{inch}3B1/00"),
            ("HP", f"E{inch} G5", f"6N{inch}E9AA#ABU"),
        ]
    )
    panel = rng.choice(["IPS Full HD", "IPS QHD", "VA Full HD", "IPS 4K UHD"])
    extra = {"IPS Full HD": 0, "IPS QHD": 45, "VA Full HD": -10, "IPS 4K UHD": 140}[panel]
    description = f'{brand} {series} {size}" {panel} monitor, height adjustable, HDMI/DP'
    width = int(size * 2.6) + 8
    return Item(
        "Monitors",
        brand,
        mpn,
        description,
        dec(weight + rng.uniform(-0.4, 0.6)),
        (width, int(width * 0.62), 16),
        dec((base + extra) * rng.uniform(0.92, 1.08)),
    )


def toner(rng: Random) -> Item:
    brand, family, pattern, base = rng.choice(
        [
            ("HP", "LaserJet toner", "CF99XA", 62),
            ("HP", "LaserJet toner high yield", "W99XXX", 118),
            ("Brother", "toner", "TN-2999", 48),
            ("Brother", "toner high yield", "TN-2999XL", 74),
            ("Canon", "cartridge", "99X9C002", 79),
            ("Kyocera", "toner kit", "TK-1999", 66),
            ("Lexmark", "return programme toner", "99B2X00", 88),
        ]
    )
    colour = rng.choice(["black", "black", "cyan", "magenta", "yellow"])
    pages = rng.choice([1200, 2600, 3000, 7200, 9500])
    description = f"{brand} {family}, {colour}, {pages:,} pages"
    return Item(
        "Toner & ink",
        brand,
        code(rng, pattern),
        description,
        dec(rng.uniform(0.6, 1.8)),
        (36, 14, 12),
        dec(base * (1.2 if colour != "black" else 1.0) * rng.uniform(0.9, 1.1)),
    )


def cable(rng: Random) -> Item:
    brand, kind, pattern, base = rng.choice(
        [
            ("StarTech.com", "HDMI 2.0 cable", "HDMM9M", 7),
            ("StarTech.com", "DisplayPort 1.4 cable", "DP14MM9M", 11),
            ("StarTech.com", "USB-C to USB-C cable, 100W", "USB2C5C9M", 13),
            ("Belkin", "USB-C to HDMI adapter", "AVC99XbtBK", 19),
            ("Excel", "Cat6 U/UTP patch lead", "EX-99-9XX", 2),
            ("Excel", "Cat6a S/FTP patch lead", "EX-99-9XX", 4),
            ("Lindy", "IEC C13 to UK mains lead", "3XX99", 5),
        ]
    )
    metres = rng.choice([0.5, 1, 2, 3, 5, 10])
    colour = rng.choice(["black", "grey", "blue", "white"])
    description = f"{brand} {kind}, {metres:g} m, {colour}"
    return Item(
        "Cables & adapters",
        brand,
        code(rng, pattern.replace("9M", f"{int(metres) or 'H'}M")),
        description,
        dec(0.04 + 0.05 * metres * rng.uniform(0.8, 1.2), "0.001"),
        (22, 16, 4),
        dec(base * (1 + metres / 6) * rng.uniform(0.9, 1.1)),
    )


def switch(rng: Random) -> Item:
    brand, series, pattern, base, weight = rng.choice(
        [
            ("Cisco", "Business 250 smart switch", "CBS250-99T-4G-UK", 260, 2.9),
            ("Cisco", "Business 350 managed switch PoE+", "CBS350-99P-4G-UK", 780, 5.2),
            ("NETGEAR", "unmanaged switch", "GS3099-300UKS", 25, 0.6),
            ("NETGEAR", "smart managed pro switch", "GS7299T-300EUS", 310, 3.1),
            ("HPE Aruba", "Instant On 1930 switch", "JL69XA", 420, 3.6),
            ("TP-Link", "easy smart switch", "TL-SG1099E", 28, 0.5),
            ("Ubiquiti", "UniFi switch PoE", "USW-99-POE", 380, 4.3),
        ]
    )
    ports = rng.choice([8, 16, 24, 48])
    description = f"{brand} {series}, {ports}-port Gigabit"
    return Item(
        "Networking",
        brand,
        code(rng, pattern.replace("99", str(ports), 1))
        + ("" if rng.random() < 0.7 else f"-{rng.randint(1, 9)}"),
        description,
        dec(weight * (0.7 + ports / 48) * rng.uniform(0.9, 1.1)),
        (44 if ports >= 24 else 28, 30 if ports >= 24 else 18, 8),
        dec(base * (0.6 + ports / 40) * rng.uniform(0.92, 1.08)),
    )


def ups(rng: Random) -> Item:
    brand, series, pattern, per_va, kg_per_va = rng.choice(
        [
            ("APC", "Back-UPS", "BX999MI", 0.11, 0.0075),
            ("APC", "Smart-UPS", "SMT9999IC", 0.34, 0.0135),
            ("APC", "Smart-UPS rack 2U", "SMT9999RMI2UC", 0.38, 0.0150),
            ("Eaton", "5E", "5E999IUSB", 0.10, 0.0070),
            ("Eaton", "9SX online", "9SX9999I", 0.52, 0.0120),
            ("CyberPower", "Value Pro", "VP999ELCD-UK", 0.09, 0.0080),
        ]
    )
    va = rng.choice([650, 850, 1000, 1500, 2200, 3000])
    description = f"{brand} {series} {va}VA UPS, line-interactive, UK sockets"
    return Item(
        "Power & UPS",
        brand,
        code(rng, pattern.replace("9999", str(va)[:4].ljust(4, "0")).replace("999", str(va)[:3])),
        description,
        dec(va * kg_per_va + rng.uniform(1, 3)),
        (45, 28, 30 if va < 2000 else 40),
        dec(va * per_va * rng.uniform(0.9, 1.1) + 35),
    )


def storage(rng: Random) -> Item:
    brand, series, pattern, per_tb = rng.choice(
        [
            ("Samsung", "870 EVO SATA SSD", "MZ-77E{tb}T0B/EU", 62),
            ("Samsung", "990 PRO NVMe SSD", "MZ-V9P{tb}T0BW", 88),
            ("Crucial", "MX500 SATA SSD", "CT{tb}000MX500SSD1", 55),
            ("Kingston", "NV2 NVMe SSD", "SNV2S/{tb}000G", 48),
            ("WD", "Red Plus NAS HDD", "WD{tb}0EFPX", 24),
            ("Seagate", "IronWolf NAS HDD", "ST{tb}000VN006", 22),
        ]
    )
    hdd = "HDD" in series
    tb = rng.choice([4, 8, 12]) if hdd else rng.choice([1, 2, 4])
    description = f"{brand} {series}, {tb}TB"
    return Item(
        "Storage",
        brand,
        pattern.format(tb=tb),
        description,
        dec(0.72 if hdd else 0.06 + rng.uniform(0, 0.04), "0.001"),
        (20 if hdd else 12, 14 if hdd else 9, 4 if hdd else 2),
        dec(per_tb * tb * rng.uniform(0.9, 1.1) + 12),
    )


def memory(rng: Random) -> Item:
    brand, pattern = rng.choice(
        [("Kingston", "KVR99N22S8/99"), ("Crucial", "CT99G4DFRA32A"), ("Kingston", "KCP4A9-99")]
    )
    gb = rng.choice([8, 16, 32])
    kind = rng.choice(["DDR4-3200 DIMM", "DDR4-3200 SODIMM", "DDR5-4800 SODIMM"])
    return Item(
        "Memory",
        brand,
        code(rng, pattern.replace("99", str(gb), 1)),
        f"{brand} {gb}GB {kind}, non-ECC",
        Decimal("0.030"),
        (14, 8, 1),
        dec(gb * 2.3 * rng.uniform(0.9, 1.15) + 6),
    )


def accessory(rng: Random) -> Item:
    brand, name, pattern, base, weight, dims = rng.choice(
        [
            ("Logitech", "MK270 wireless keyboard and mouse, UK layout", "920-00999", 22, 0.62, (47, 18, 5)),
            ("Logitech", "MX Keys S wireless keyboard, UK layout", "920-01999", 78, 0.98, (46, 16, 4)),
            ("Microsoft", "Wired Desktop 600, UK layout", "3J2-0009X", 19, 0.85, (48, 19, 5)),
            ("Jabra", "Evolve2 40 SE USB-A headset, UC stereo", "24089-989-999", 64, 0.32, (20, 18, 8)),
            ("Poly", "Voyager Focus 2 UC headset", "77Y99AA", 165, 0.41, (22, 19, 9)),
            ("Dell", "WD19S USB-C dock, 180W", "210-AZBX", 148, 1.2, (25, 19, 9)),
            ("HP", "USB-C Dock G5", "5TW10AA#ABU", 132, 1.1, (24, 18, 8)),
            ("Lenovo", "ThinkPad Universal USB-C Dock", "40AY0090UK", 139, 1.15, (25, 19, 9)),
        ]
    )
    return Item(
        "Accessories",
        brand,
        code(rng, pattern) + ("" if rng.random() < 0.6 else f"-{code(rng, 'XX')}"),
        f"{brand} {name}",
        dec(weight * rng.uniform(0.95, 1.05)),
        dims,
        dec(base * rng.uniform(0.9, 1.1)),
    )


def printer(rng: Random) -> Item:
    brand, name, pattern, base, weight = rng.choice(
        [
            ("HP", "LaserJet Pro 4002dn mono laser printer", "2Z605F#B19", 265, 11.5),
            ("HP", "Color LaserJet Pro MFP 4302fdw", "5HH99F#B19", 520, 22.0),
            ("Brother", "HL-L2350DW mono laser printer", "HLL2350DWZU1", 119, 7.6),
            ("Brother", "MFC-L8690CDW colour laser MFP", "MFCL8690CDWZU1", 410, 23.5),
            ("Kyocera", "ECOSYS P3145dn mono laser printer", "1102TT3NL0", 330, 14.8),
            ("Epson", "WorkForce Pro WF-C4810DTWF", "C11CJ05401", 165, 14.0),
        ]
    )
    return Item(
        "Printers",
        brand,
        code(rng, pattern) + ("" if rng.random() < 0.5 else f"-{code(rng, '9A')}"),
        f"{brand} {name}",
        dec(weight * rng.uniform(0.97, 1.05)),
        (52, 45, 38),
        dec(base * rng.uniform(0.92, 1.08)),
    )


def rack(rng: Random) -> Item:
    units = rng.choice([12, 15, 18, 24, 42])
    depth = rng.choice([600, 800, 1000])
    brand, pattern = rng.choice([("Excel", "543-99-99X"), ("APC", "AR3100"), ("Prism", "FI-99U-99")])
    weight = 18 + units * 1.6 + depth / 100
    return Item(
        "Racks & cabinets",
        brand,
        code(rng, pattern) + f"-{units}U{depth // 100}",
        f"{brand} {units}U floor/wall cabinet, 600 wide x {depth} deep, glass door",
        dec(weight),
        (70, depth // 10 + 8, units * 5 + 15),
        dec(140 + units * 14 + depth / 8 * rng.uniform(0.9, 1.1)),
    )


# Product families and their shares of the catalogue.
FAMILIES = [
    (laptop, 14),
    (monitor, 12),
    (toner, 16),
    (cable, 14),
    (switch, 8),
    (ups, 6),
    (storage, 9),
    (memory, 6),
    (accessory, 8),
    (printer, 5),
    (rack, 2),
]


@dataclass(frozen=True)
class DistributorProfile:
    id: str
    name: str
    region: str
    ships_to: tuple[str, ...]
    freight: dict | None
    coverage: dict[str, float]  # share of each category it carries ("*" for the rest)
    price_level: float  # against the typical trade cost
    in_stock: float  # share of carried lines in stock
    depth: float  # mean units when in stock
    sku_pattern: str
    realtime: bool = False
    feed: str = "sitc"  # or the name of a mapped CSV layout in generate.py
    small_order: dict | None = None  # {"below", "charge"}: a charge on shipments under `below` of goods


def flat(charge: str, free_over: str | None = None) -> dict:
    return {"type": "flat", "charge": charge, **({"free_over": free_over} if free_over else {})}


def small_order(charge: str, below: str) -> dict:
    """A small-order (minimum order) charge: `charge` on a shipment of less than `below` in goods."""
    return {"below": below, "charge": charge}


def bands(*pairs: tuple[int, str], per_kg_over: str | None = None, dim_divisor: int | None = None) -> dict:
    rule: dict = {"type": "weight", "bands": [{"max_kg": kg, "charge": charge} for kg, charge in pairs]}
    if per_kg_over:
        rule["per_kg_over"] = per_kg_over
    if dim_divisor:
        rule["dim_divisor"] = dim_divisor
    return rule


UK = ("GB", "IE")
EU = tuple(sorted(EU_COUNTRIES))
NAMED_DISTRIBUTORS = [
    DistributorProfile(
        "ING",
        "Ingram Micro UK",
        "UK",
        UK,
        flat("9.95", "250.00"),
        {"*": 0.85},
        1.00,
        0.78,
        120,
        "A9X99XX",
        realtime=True,
    ),
    DistributorProfile(
        "TDS",
        "TD SYNNEX UK",
        "UK",
        UK,
        flat("8.50", "300.00"),
        {"*": 0.8, "Racks & cabinets": 0.3},
        0.99,
        0.74,
        90,
        "9999999",
        realtime=True,
    ),
    DistributorProfile(
        "WST",
        "Westcoast",
        "UK",
        UK,
        flat("7.95", "150.00"),
        {"Laptops": 0.9, "Monitors": 0.85, "Printers": 0.8, "Toner & ink": 0.7, "*": 0.25},
        0.975,
        0.7,
        40,
        "WC-99999",
        feed="westcoast",
    ),
    DistributorProfile(
        "EXR", "Exertis", "UK", UK, flat("10.00", "500.00"), {"*": 0.6}, 1.01, 0.72, 60, "EX99999X"
    ),
    DistributorProfile(
        "VIP",
        "VIP Computer Centre",
        "UK",
        ("GB",),
        flat("5.95"),
        {"Toner & ink": 0.85, "Cables & adapters": 0.6, "Accessories": 0.6, "*": 0.2},
        1.04,
        0.85,
        25,
        "VIP9999X",
        small_order=small_order("3.50", "25.00"),
    ),
    DistributorProfile(
        "TGT",
        "Target Components",
        "UK",
        ("GB",),
        flat("6.50", "100.00"),
        {"Storage": 0.9, "Memory": 0.9, "Cables & adapters": 0.7, "Networking": 0.5, "*": 0.15},
        0.98,
        0.6,
        15,
        "TC99999",
        small_order=small_order("4.50", "40.00"),
    ),
    DistributorProfile(
        "MDW",
        "Midwich",
        "UK",
        UK,
        flat("12.00", "400.00"),
        {"Monitors": 0.8, "Cables & adapters": 0.5, "Accessories": 0.5, "*": 0.1},
        1.02,
        0.65,
        30,
        "MW-9999-X",
        small_order=small_order("5.00", "50.00"),
    ),
    DistributorProfile(
        "NTH",
        "Northamber",
        "UK",
        ("GB",),
        bands((5, "6.95"), (20, "11.95"), (70, "29.95")),
        {"Power & UPS": 0.9, "Racks & cabinets": 0.9, "Networking": 0.6, "*": 0.25},
        1.03,
        0.55,
        12,
        "NA99999",
    ),
    DistributorProfile(
        "DAH",
        "D&H Distributing",
        "US",
        ("US", "CA"),
        bands((1, "6.50"), (5, "9.75"), (15, "18.50"), (30, "32.00"), per_kg_over="1.10", dim_divisor=5000),
        {"*": 0.5},
        0.96,
        0.7,
        50,
        "DH-XXXX999",
        feed="dandh",
    ),
    DistributorProfile(
        "ASI",
        "ASI Computer Technologies",
        "US",
        ("US",),
        bands((2, "8.00"), (10, "15.00"), (25, "24.00"), per_kg_over="0.95"),
        {"Storage": 0.8, "Memory": 0.8, "Networking": 0.6, "*": 0.3},
        0.97,
        0.6,
        35,
        "9999999",
        feed="asi",
    ),
    # A pan-European distributor, so carts to the EU (which the demo's delivery policy prices) can be
    # filled; its costs are in the sample's one currency, like everyone's.
    DistributorProfile(
        "ALS",
        "ALSO Europe",
        "EU",
        EU,
        flat("14.50", "350.00"),
        {"*": 0.6},
        1.02,
        0.75,
        45,
        "AL9999999",
    ),
]


def synthetic_distributor(index: int, rng: Random) -> DistributorProfile:
    """More distributors for benchmark sizes (the UK has about 120)."""
    return DistributorProfile(
        f"D{index:03d}",
        f"Distributor {index:03d}",
        "UK",
        ("GB",),
        flat(f"{rng.choice([5, 6, 7, 8, 9, 10])}.95", rng.choice([None, "150.00", "250.00", "500.00"])),
        {"*": rng.uniform(0.3, 0.7)},
        rng.uniform(0.96, 1.06),
        rng.uniform(0.5, 0.85),
        rng.choice([10, 25, 60]),
        "D" + "9" * 7,
    )
