"""The Japanese teaching benchmark's plan (benchmarks/japanese_teach.py), without a page: what the
hand teaches and what is held out, and its table from given readings."""

from __future__ import annotations

from benchmarks.japanese_teach import (
    HELD,
    TOMOE_BOX,
    HandCharacter,
    Measured,
    held_out,
    report,
    sampled,
    teaching_rounds,
)

# Two characters as tomoe writes them (0..320, y down): 二 and 川.
NI = HandCharacter("二", "二", [[(80.0, 90.0), (240.0, 92.0)], [(40.0, 230.0), (280.0, 226.0)]])
KAWA = HandCharacter("川", "川", [[(90.0, 60.0), (70.0, 260.0)], [(160.0, 80.0), (162.0, 230.0)],
                                 [(240.0, 50.0), (250.0, 270.0)]])


def test_the_hand_teaches_its_misread_drawing_first_then_seeds_never_held_out():
    first, more = teaching_rounds([NI, KAWA], (1, 3))
    assert first == [["二", [[list(p) for p in s] for s in NI.strokes]],
                     ["川", [[list(p) for p in s] for s in KAWA.strokes]]]
    assert [label for label, _ in more] == ["二", "二", "川", "川"]
    assert teaching_rounds([NI, KAWA], (1, 3)) == [first, more]  # seeded: the same every run
    held = held_out([NI, KAWA])
    assert [label for label, _ in held] == ["二"] * HELD + ["川"] * HELD
    taught = first + more
    drawings = [str(strokes) for _, strokes in taught + held]
    assert len(set(drawings)) == len(drawings)  # no drawing both taught and held out
    points = [point for _, strokes in more + held for stroke in strokes for point in stroke]
    assert all(0 <= v <= TOMOE_BOX for point in points for v in point)  # tomoe's box
    assert [len(strokes) for _, strokes in held[:HELD]].count(2) >= HELD - 1  # 二, rarely joined


def test_the_sample_is_seeded_and_keeps_the_files_order():
    characters = [HandCharacter(chr(0x4E00 + i), chr(0x4E00 + i), []) for i in range(50)]
    chosen = sampled(characters, 7)
    assert chosen == sampled(characters, 7) and len({c.char for c in chosen}) == 7
    assert [characters.index(c) for c in chosen] == sorted(characters.index(c) for c in chosen)
    assert sampled(characters, 80) == characters


def test_the_table_splits_taught_characters_from_the_others():
    misread = [True, False]
    held = [[5] * HELD + [0] * HELD,  # before: 二 top-10, 川 top-1
            [0, 0, 1, 12, 12] + [0] * (HELD - 1) + [-1],  # after 1: 川's last refused
            [0] * (2 * HELD)]
    table = report(Measured([3, 0], held, [{}, {}]), misread).splitlines()
    assert table[0].startswith("| held-out drawings of | characters | drawings | top-1 before "
                               "| top-1 after 1 | top-1 after 3 | top-10 before |")
    taught, others = (line.split(" | ") for line in table[2:])
    assert taught[1:] == ["1", "5", "0.00%", "40.00%", "100.00%", "100.00%", "60.00%",
                          "100.00% |"]
    assert others[1:] == ["1", "5", "100.00%", "80.00%", "100.00%", "100.00%", "80.00%",
                          "100.00% |"]
