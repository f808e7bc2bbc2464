"""Merge the Unicode-range pieces of a vendored web font into one font file, for PDFs.

Browsers fetch only the pieces of Noto Sans JP a page uses; WeasyPrint, though, embeds fonts
by their internal name, and every piece carries the same one, so a PDF drawn from the pieces
mixes up their glyphs. One merged file per weight avoids that.

Usage: .venv/bin/python bin/merge_font.py FOLDER WEIGHT OUTPUT.woff2   (run by bin/vendor.sh)
"""

import sys
import tempfile
from pathlib import Path

from fontTools.merge import Merger, Options
from fontTools.ttLib import TTFont


def main(folder: str, weight: str, output: str) -> None:
    pieces = sorted(Path(folder).glob(f"*-{weight}-normal.woff2"))
    with tempfile.TemporaryDirectory() as scratch:
        paths = []
        for index, piece in enumerate(pieces):  # the merger reads plain TrueType files
            font = TTFont(piece)
            font.flavor = None
            path = Path(scratch) / f"{index}.ttf"
            font.save(path)
            paths.append(str(path))
        # Vertical metrics differ between pieces and horizontal text does not need them.
        merged = Merger(options=Options(drop_tables=["vhea", "vmtx"])).merge(paths)
    merged.flavor = "woff2"
    merged.save(output)
    print(f"Merged {len(pieces)} pieces of weight {weight} into {output}")


if __name__ == "__main__":
    main(*sys.argv[1:4])
