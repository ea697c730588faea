"""Names Windows, macOS and Linux all create as they read: separators, reserved names, lengths, copies."""

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from guangying.documents.naming import (
    MAX_PATH_BYTES,
    Folder,
    Tree,
    cut,
    render_name,
    safe_name,
    split_extension,
    utf8_len,
)
from guangying.rulesets import load_preset

WINDOWS_FORBIDDEN = set('<>:"/\\|?*')


def assert_portable(name: str, max_bytes: int = 255) -> None:
    assert name, "a name is never empty"
    assert not WINDOWS_FORBIDDEN & set(name)
    assert not any(unicodedata.category(c) in ("Cc", "Cs") for c in name)
    assert name == unicodedata.normalize("NFC", name)
    assert name[-1] not in " ." and name[0] not in " ."
    assert utf8_len(name) <= max_bytes
    base = name.split(".", 1)[0].rstrip(" ").upper()
    assert base not in {"CON", "PRN", "AUX", "NUL"} and not (
        base[:3] in ("COM", "LPT") and len(base) == 4 and base[3] in "0123456789¹²³"
    )


@pytest.mark.parametrize(("given", "expected"), [
    ("红岩/记忆", "红岩／记忆"),
    ("a\\b", "a＼b"),
    ("微光:照见初心", "微光：照见初心"),
    ('他说"同心"', "他说＂同心＂"),
    ("谁？<是>|我*", "谁？＜是＞｜我＊"),
    ("一封\n家书\t第二版", "一封 家书 第二版"),
    ("  一封家书  ", "一封家书"),
    ("一封家书...", "一封家书"),
    ("一封家书. . .", "一封家书"),
    ("...隐藏", "隐藏"),
    (".mp4", "mp4"),
    ("", "未命名"),
    ("   ", "未命名"),
    ("\x00\x01", "未命名"),
    ("家书\u202e4pm.exe", "家书4pm.exe"),  # a right-to-left override would disguise the extension
    ("零\u200b宽", "零宽"),
])
def test_characters_windows_and_macos_refuse_are_replaced_or_removed(given, expected):
    assert safe_name(given) == expected
    assert_portable(safe_name(given))


@pytest.mark.parametrize("reserved", [
    "CON", "con", "Prn", "AUX", "nul", "COM1", "com9", "LPT1", "lpt9", "COM0", "COM¹", "LPT³",
    "CONIN$", "conout$",
])
@pytest.mark.parametrize("extension", ["", ".mp4", ".tar.gz", " .txt"])
def test_reserved_windows_device_names_get_a_mark_in_any_case_and_with_an_extension(reserved, extension):
    name = safe_name(reserved + extension)
    assert_portable(name)
    assert name.upper().startswith(reserved.upper() + "_")
    assert name.endswith(extension.strip())


@pytest.mark.parametrize("harmless", ["CONSOLE.mp4", "COM10", "LPT", "AUXILIARY", "空CON", "NULL.txt"])
def test_names_that_only_start_like_a_device_stay_as_they_are(harmless):
    assert safe_name(harmless) == harmless


def test_names_are_nfc_so_a_macos_decomposed_name_is_the_same_file():
    decomposed = unicodedata.normalize("NFD", "Café-한글.mp4")
    assert decomposed != "Café-한글.mp4"
    assert safe_name(decomposed) == "Café-한글.mp4"
    folder = Folder()
    assert folder.claim("Café-한글.mp4") == "Café-한글.mp4"
    assert folder.claim(decomposed) == "Café-한글（2）.mp4"


@pytest.mark.parametrize("emoji", ["🎬", "👨‍👩‍👧‍👦", "👍🏽", "🇨🇳", "🏴󠁧󠁢󠁳󠁣󠁴󠁿", "❤️"])
def test_emoji_are_kept_whole(emoji):
    assert safe_name(f"{emoji}家书{emoji}.mp4") == f"{emoji}家书{emoji}.mp4"


def test_a_long_chinese_name_is_cut_within_255_bytes_at_a_character_keeping_the_extension():
    name = safe_name("红" * 200 + ".mp4")
    assert name.endswith(".mp4")
    assert utf8_len(name) <= 255
    assert name == "红" * 83 + ".mp4"  # 83 × 3 + 4 = 253; an 84th character would need 256
    name.encode("utf-8").decode("utf-8")  # no broken character at the cut


def test_a_cut_never_splits_an_emoji_sequence_or_a_flag():
    family = "👨‍👩‍👧‍👦"  # 25 bytes
    assert cut("ab" + family, 10) == "ab"
    assert cut("ab" + family, 27) == "ab" + family
    assert cut("🇨🇳🇨🇳", 12) == "🇨🇳"
    assert cut("e\u0301e\u0301", 4) == "e\u0301"


def test_a_cut_that_ends_on_a_dot_or_space_loses_it():
    assert safe_name("一封家书 . 后记" * 30 + ".mp4", max_bytes=20) == "一封家书.mp4"


def test_the_extension_is_only_a_short_ascii_tail():
    assert split_extension("家书.mp4") == ("家书", ".mp4")
    assert split_extension("1.5亿人的故事") == ("1.5亿人的故事", "")
    assert split_extension("v1.2 最终版") == ("v1.2 最终版", "")
    assert split_extension(".bashrc") == (".bashrc", "")


def test_identical_names_in_one_folder_are_numbered_as_copies_and_case_does_not_matter():
    folder = Folder()
    given = ["一封家书.mp4", "一封家书.mp4", "一封家书.MP4", "一封家书", "一封家书"]
    names = [folder.claim(n) for n in given]
    assert names == ["一封家书.mp4", "一封家书（2）.mp4", "一封家书（3）.MP4", "一封家书", "一封家书（2）"]
    assert Folder().claim("Readme.TXT") == "Readme.TXT"
    other = Folder()
    assert other.claim("README.txt") == "README.txt"
    assert other.claim("readme.TXT") == "readme（2）.TXT"


def test_a_copy_of_a_name_at_the_limit_still_fits():
    folder = Folder()
    first = folder.claim("家" * 200 + ".mp4")
    second = folder.claim("家" * 200 + ".mp4")
    assert first != second and second.endswith("（2）.mp4")
    assert utf8_len(second) <= 255


def test_member_paths_stay_within_the_archive_limit_with_distinct_folders():
    tree = Tree()
    top = tree.folder("", "某" * 100)
    assert utf8_len(top) <= 80
    works = [tree.folder(top, "同名作品") for _ in range(3)]
    assert works[1].endswith("同名作品（2）") and works[2].endswith("同名作品（3）")
    long_title = tree.folder(top, "题" * 150)
    path = tree.file(long_title, "名" * 200 + ".mp4")
    assert utf8_len(path) <= MAX_PATH_BYTES
    assert path.endswith(".mp4") and path.startswith(long_title + "/")
    assert all(part and part == safe_name(part, max_bytes=255) for part in path.split("/"))


@pytest.mark.parametrize(("preset", "entrant", "title", "episode", "expected"), [
    ("chongqing-2026-hongse", "示例区委党校", "红岩家书", None, "示例区委党校+红岩家书.mp4"),
    ("chongqing-2026-hongse", "示例区委党校", "红岩家书", 2, "示例区委党校+红岩家书（第2集）.mp4"),
    ("chongqing-2026-hongse", "李四（示例中学）", "山城/记忆", 10,
     "李四（示例中学）+山城／记忆（第10集）.mp4"),
    ("hubei-2026-weiguang", "长川市委统战部", "一封家书", None, "长川市委统战部-一封家书.mp4"),
    ("hubei-2026-weiguang", "长川市委统战部", "CON", None, "长川市委统战部-CON.mp4"),
])
def test_the_campaigns_naming_template_names_the_videos(preset, entrant, title, episode, expected):
    naming = load_preset(preset).file_naming
    name = render_name(naming.template, entrant=entrant, title=title, episode=episode,
                       episode_format=naming.episode_format, extension=".mp4")
    assert name == expected
    # The automatic file-name check still finds the entrant (the person's name for an
    # individual, as the engine is given it) and the title, 「/」 folded back by NFKC.
    assert naming.missing_parts(name, entrant=entrant.split("（")[0], title=title) == []


def test_a_rendered_name_that_is_a_device_name_gets_its_mark():
    assert render_name("{title}", entrant="", title="con", extension=".mp4") == "con_.mp4"
    assert render_name("{entrant}-{title}", entrant="", title="", extension=".mp4") == "-.mp4"


def test_a_name_too_long_for_its_folder_keeps_episode_entrant_and_extension():
    naming = load_preset("chongqing-2026-hongse").file_naming
    name = render_name(naming.template, entrant="示例" * 30, title="很长的标题" * 40, episode=12,
                       episode_format=naming.episode_format, extension=".mov", max_bytes=150)
    assert utf8_len(name) <= 150
    assert name.endswith("（第12集）.mov")
    entrant, _, rest = name.partition("+")
    assert entrant.startswith("示例") and rest.startswith("很长的标题")
    assert_portable(name, 150)


def test_a_template_reaching_into_objects_is_refused():
    with pytest.raises(ValueError, match="entrant"):
        render_name("{entrant.__class__}", entrant="a", title="b")
    with pytest.raises(ValueError):
        render_name("{title!r}", entrant="a", title="b")


@settings(max_examples=300, deadline=None)
@given(st.text(min_size=0, max_size=120), st.integers(min_value=8, max_value=255))
def test_any_text_becomes_a_portable_name(text, max_bytes):
    assert_portable(safe_name(text, max_bytes=max_bytes), max_bytes)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(["家书", "家书.mp4", "家书.MP4", "CON", "con", "家书 ", "家书."]),
                max_size=12))
def test_a_folder_never_holds_two_names_a_file_system_takes_for_one(names):
    folder = Folder()
    claimed = [folder.claim(n) for n in names]
    assert len({c.casefold() for c in claimed}) == len(claimed)
