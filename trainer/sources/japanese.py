"""The Japanese label set: hiragana and katakana (with their dakuten, handakuten and small forms)
and the 2,136 jōyō kanji of the 2010 list, as the package kanji-lists (0.2.0, `JOYO`) carries it.

Characters that differ only by size (つ and っ) or not at all in one person's hand (ロ and 口) are
one candidate group: the model learns the group's first character as its label, and the page
offers every member with it (metadata.json's "candidate_groups").

A source path may end in a selection, as `FOLDER/digits` does for pen digits: `kanjivg/kana` is
the kana alone, `kanjivg/grade2` the kana and the kanji of school grades 1 and 2 (kyōiku kanji,
the same package), `kanjivg` the whole set.
"""

from __future__ import annotations

from pathlib import Path

from kanji_lists import JOYO, KYOIKU

from trainer.preprocess import Recipe
from trainer.sources.etl import ETL_BOX, ETL_MAX_STROKES, ETL_PEN, ETL_SIZE

# ETL's kanji recipe at 48 px: a 2,279-label model trains twice as fast as at 64 (the convolutions
# are most of a step on a CPU), with the same margin and pen in proportion to the box.
JAPANESE_SIZE = 48
JAPANESE_RECIPE = Recipe(size=JAPANESE_SIZE, box=round(ETL_BOX / ETL_SIZE * JAPANESE_SIZE),
                         pen=ETL_PEN, max_strokes=ETL_MAX_STROKES)
HIRAGANA = [chr(code) for code in range(0x3041, 0x3097)]  # ぁ .. ゖ
KATAKANA = [chr(code) for code in range(0x30A1, 0x30FB)] + ["ー"]  # ァ .. ヺ, and the long ー
KANA = HIRAGANA + KATAKANA
# Declared once: the first of each group is the model's label, the others are offered with it.
CANDIDATE_GROUPS = [
    *(list(pair) for pair in (
        "あぁ", "いぃ", "うぅ", "えぇ", "おぉ", "つっ", "やゃ", "ゆゅ", "よょ", "わゎ",
        "かゕ", "けゖ", "アァ", "イィ", "ウゥ", "エェ", "オォ", "ツッ", "ヤャ", "ユュ",
        "ヨョ", "ワヮ", "ケヶ",
    )),
    ["カ", "ヵ", "力"],
    ["エ", "ェ", "工"],
    *(list(pair) for pair in ("ロ口", "ニ二", "へヘ", "べベ", "ぺペ", "タ夕", "ハ八", "ー一")),
]
KANA_ONLY = "kana"
GRADE_PREFIX = "grade"  # grade1 .. grade6: the kana and the kyōiku kanji up to that grade
GRADES = 6


def _merged_groups(groups: list[list[str]]) -> list[list[str]]:
    """The groups with those that share a character joined (エ is in two pairs above)."""
    merged: list[list[str]] = []
    for group in groups:
        joined = next((m for m in merged if set(m) & set(group)), None)
        if joined is None:
            merged.append(list(group))
        else:
            joined += [char for char in group if char not in joined]
    return merged


GROUPS = _merged_groups(CANDIDATE_GROUPS)
MODEL_LABEL = {char: group[0] for group in GROUPS for char in group}


def model_label(char: str) -> str:
    """The label the model learns for `char`: its candidate group's first, else itself."""
    return MODEL_LABEL.get(char, char)


def selection(path: Path) -> tuple[Path, list[str] | None]:
    """(the folder or file, the characters chosen) for a path that may end in a selection; None
    chosen when the path names no selection (a path that exists is never one)."""
    name = path.name
    if path.exists():
        return path, None
    if name == KANA_ONLY:
        return path.parent, list(KANA)
    if name.startswith(GRADE_PREFIX) and name[len(GRADE_PREFIX):] in map(str, range(1, GRADES + 1)):
        grades = range(1, int(name[len(GRADE_PREFIX):]) + 1)
        kanji = set().union(*(getattr(KYOIKU, f"GRADE{grade}") for grade in grades))
        return path.parent, list(KANA) + sorted(kanji)
    return path, None


def japanese_characters() -> list[str]:
    """Every character of the label set: the kana, then the jōyō kanji in code point order."""
    return list(KANA) + sorted(JOYO)


def labels_of(chars: list[str]) -> list[str]:
    """The model's labels for these characters: each group once, in the order first met."""
    return list(dict.fromkeys(model_label(char) for char in chars))


def groups_for(labels: list[str]) -> list[list[str]]:
    """The candidate groups whose label is among `labels`, for metadata.json."""
    chosen = set(labels)
    return [group for group in GROUPS if group[0] in chosen]


def is_kana(label: str) -> bool:
    return label in KANA
