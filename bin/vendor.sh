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
