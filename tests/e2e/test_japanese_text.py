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
