"""Japanese on the page is drawn in glyphs, not empty boxes, even on a machine without a
Japanese system font (this one, and a clinic's thin client): the browser reports which font
drew each piece of text marked Japanese, and it must be the vendored Noto Sans JP."""

from playwright.sync_api import Page


def drawn_with(page: Page, selector: str) -> list[dict[str, int]]:
    """For each element matching ``selector``: the fonts that drew its glyphs, and how many
    each (Chromium's own account, through the DevTools protocol)."""
    page.evaluate("document.fonts.ready")
    devtools = page.context.new_cdp_session(page)
    devtools.send("DOM.enable")
    devtools.send("CSS.enable")
    root = devtools.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
    found = []
    for node in devtools.send("DOM.querySelectorAll", {"nodeId": root,
                                                        "selector": selector})["nodeIds"]:
        fonts = devtools.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
        found.append({font["familyName"]: font["glyphCount"] for font in fonts})
    devtools.detach()
    return found


def test_every_kana_reading_on_the_patient_list_is_drawn_in_the_japanese_font(page: Page):
    page.goto("/patients/")
    readings = drawn_with(page, "td [lang=ja]")
    assert len(readings) >= 10  # the demo's Japanese patients on the first page
    # Before the fix, the first reading's eight glyphs were all DejaVu Sans: empty boxes.
    assert all(family.startswith("Noto Sans JP") for fonts in readings for family in fonts), \
        readings


def japanese_characters(text: str) -> int:
    return sum(ord(character) >= 0x2E80 for character in text)


def test_japanese_names_in_bold_and_plain_are_drawn_in_the_japanese_font(page: Page):
    """A patient's name drawn bold (the follow-up list's patient column) or plain (the
    dashboard's lists), not marked Japanese at all: each Japanese character is drawn by Noto
    Sans JP, never by the system's font. Before the Japanese-only family came first in the
    font list, the bold names here drew as empty boxes from DejaVu Sans Bold."""
    for path, selector in (("/outcomes/follow-ups?days=3", "th .patient-link"),
                           ("/", "a[href^='/patients/']")):
        page.goto(path)
        names = page.locator(selector).all_inner_texts()
        drawn = drawn_with(page, selector)
        japanese = [(name, fonts) for name, fonts in zip(names, drawn, strict=True)
                    if japanese_characters(name)]
        assert len(japanese) >= 3, (path, names)  # the demo's Japanese patients
        for name, fonts in japanese:
            from_japanese_font = sum(count for family, count in fonts.items()
                                     if family.startswith("Noto Sans JP"))
            assert from_japanese_font >= japanese_characters(name), (path, name, fonts)
