#!/usr/bin/env bash
# Copy the front-end libraries named in package.json from npm into tracker/static/vendor/.
# The copies are committed, so running the app never needs npm or a network.
set -euo pipefail
cd "$(dirname "$0")/.."
npm install --no-audit --no-fund --ignore-scripts
version=$(node -p "require('./node_modules/bootstrap/package.json').version")
dest="tracker/static/vendor/bootstrap-$version"
rm -rf tracker/static/vendor/bootstrap-*
mkdir -p "$dest"
cp node_modules/bootstrap/dist/css/bootstrap.min.css "$dest/"
cp node_modules/bootstrap/dist/js/bootstrap.bundle.min.js "$dest/"
cp node_modules/bootstrap/LICENSE "$dest/LICENSE"
# The maps are not shipped; drop the comments that point at them to keep the console quiet.
sed -i '/sourceMappingURL/d' "$dest/bootstrap.min.css" "$dest/bootstrap.bundle.min.js"
echo "Vendored bootstrap $version into $dest"

# Noto Sans JP (SIL Open Font License): Japanese names and point hanzi on every page and in
# the PDFs, whatever fonts the machine has. Regular and bold, split by Unicode range as
# Google Fonts serves it, so a browser fetches only the parts a page uses; WOFF2 only.
version=$(node -p "require('./node_modules/@fontsource/noto-sans-jp/package.json').version")
dest="tracker/static/vendor/noto-sans-jp-$version"
rm -rf tracker/static/vendor/noto-sans-jp-*
mkdir -p "$dest/files"
for weight in 400 700; do
  cp node_modules/@fontsource/noto-sans-jp/files/noto-sans-jp-*-"$weight"-normal.woff2 "$dest/files/"
  # Keep the WOFF2 source of each face (the WOFF copies are not shipped).
  sed -E "s|, url\(\./files/[^)]*\.woff\) format\('woff'\)||" \
    node_modules/@fontsource/noto-sans-jp/"$weight".css > "$dest/$weight.css"
done
cp node_modules/@fontsource/noto-sans-jp/LICENSE "$dest/LICENSE"
# The same faces as a Japanese-only family, first in the page's font list (the script says why).
.venv/bin/python bin/japanese_font_faces.py "$dest"
# PDFs need each weight as one font file (bin/merge_font.py says why).
.venv/bin/python bin/merge_font.py "$dest/files" 400 "$dest/NotoSansJP-Regular.woff2"
.venv/bin/python bin/merge_font.py "$dest/files" 700 "$dest/NotoSansJP-Bold.woff2"
echo "Vendored Noto Sans JP $version into $dest"

# axe-core (MPL-2.0): the accessibility check the browser tests run inside each page
# (tests/e2e). Served from static like the rest, so the page's strict CSP allows it.
version=$(node -p "require('./node_modules/axe-core/package.json').version")
dest="tracker/static/vendor/axe-core-$version"
rm -rf tracker/static/vendor/axe-core-*
mkdir -p "$dest"
cp node_modules/axe-core/axe.min.js "$dest/"
cp node_modules/axe-core/LICENSE "$dest/LICENSE"
echo "Vendored axe-core $version into $dest"
