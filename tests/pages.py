"""Reading rendered pages: the message next to a field, what a control holds, the visible
text. Feature pages' own readers (a form's point rows, the report table) are in their
packages' ``helpers.py``."""

import html
import re


def field_error(page: str, field_id: str) -> str | None:
    """The message shown next to a field (the element its aria-describedby names)."""
    match = re.search(rf'id="{re.escape(field_id)}-error">([^<]*)<', page)
    return html.unescape(match.group(1)) if match else None


def input_value(page: str, name: str) -> str | None:
    match = re.search(
        rf'<input[^>]*name="{re.escape(name)}"[^>]*value="([^"]*)"', page
    ) or re.search(rf'<input[^>]*value="([^"]*)"[^>]*name="{re.escape(name)}"', page)
    return html.unescape(match.group(1)) if match else None


def textarea_value(page: str, name: str) -> str | None:
    match = re.search(rf'<textarea[^>]*name="{re.escape(name)}"[^>]*>\s*([^<]*)</textarea>', page)
    return html.unescape(match.group(1)) if match else None


def selected_option(page: str, name: str) -> str | None:
    select_html = re.search(
        rf'<select[^>]*name="{re.escape(name)}"[^>]*>(.*?)</select>', page, re.S
    )
    if not select_html:
        return None
    chosen = re.search(
        r'<option selected value="([^"]*)"|<option value="([^"]*)" selected', select_html.group(1)
    )
    return next(filter(None, chosen.groups()), "") if chosen else None


def checked_radio(page: str, name: str) -> str | None:
    """The value of the ticked radio button ``name`` ("" when none is, None when there is no
    such radio button: a point row's side is a row of them)."""
    tags = [tag for tag in re.findall(r"<input[^>]*>", page)
            if f'name="{name}"' in tag and 'type="radio"' in tag]
    if not tags:
        return None
    for tag in tags:
        if re.search(r"\schecked[\s>=]", tag):
            return html.unescape(re.search(r'value="([^"]*)"', tag).group(1))
    return ""


def ticked(page: str, name: str, value: str = "y") -> bool | None:
    """Whether the checkbox ``name`` with ``value`` is ticked (None when it is not there)."""
    for tag in re.findall(r"<input[^>]*>", page):
        if f'name="{name}"' in tag and f'value="{value}"' in tag:
            return re.search(r"\schecked[\s>=]", tag) is not None
    return None


def texts(page: str, pattern: str) -> list[str]:
    """Every first group of ``pattern`` in ``page``, whitespace collapsed."""
    return [" ".join(m.split()) for m in re.findall(pattern, page, re.S)]


def plain(page: str) -> str:
    """A page's visible text, tags dropped and whitespace collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())
