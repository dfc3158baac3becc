#!/usr/bin/env bash
# Vendors the assets of the OpenAPI pages (/docs: Swagger UI, /redoc: ReDoc) into
# viz/vendor/, from the npm registry at pinned versions, so the pages work with no network.
# Run it again (after changing a version and its integrity below) to update them; then
# update viz/vendor/README.md's table (this script prints the sizes and hashes).
#
# Needs npm (only for `npm pack`: nothing is installed), tar and openssl.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="$ROOT/viz/vendor"

SWAGGER_UI=5.36.0
SWAGGER_UI_SHA512="Lt6/Kb0gXmLdiabLhvso4VdJP9V7qJWB0zh0gzeXUV3+CMOTzMmvpJRSXN7EAjfwixwmoi9ezDbLHiexC7lA9A=="
REDOC=2.5.4  # 3.x's standalone bundle is over 2 MiB and loads icons from a CDN
REDOC_SHA512="M6jWhG1qoBnH6TFmzJnstyCZ87HmOY/UzDm78mHiYihEdlV/YcS9ogOo1NlElnJMeLsyxHFe2yFc4sNjHTrABQ=="

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

fetch() {  # fetch NAME VERSION SHA512: unpack the npm tarball into $TMP/NAME/package
    local tgz
    tgz="$(cd "$TMP" && npm pack --silent "$1@$2")"
    local got
    got="$(openssl dgst -sha512 -binary "$TMP/$tgz" | openssl base64 -A)"
    [[ "$got" == "$3" ]] || { echo "$1@$2: sha512 $got, expected $3" >&2; exit 1; }
    mkdir -p "$TMP/$1"
    tar -xzf "$TMP/$tgz" -C "$TMP/$1"
}

fetch swagger-ui-dist "$SWAGGER_UI" "$SWAGGER_UI_SHA512"
fetch redoc "$REDOC" "$REDOC_SHA512"

rm -rf "$DEST/swagger-ui" "$DEST/redoc"
mkdir -p "$DEST/swagger-ui" "$DEST/redoc"
s="$TMP/swagger-ui-dist/package"
cp "$s/swagger-ui-bundle.js" "$s/swagger-ui-bundle.js.LICENSE.txt" "$s/swagger-ui.css" \
    "$s/favicon-32x32.png" "$s/LICENSE" "$s/NOTICE" "$DEST/swagger-ui/"
r="$TMP/redoc/package"
cp "$r/bundles/redoc.standalone.js" "$r/bundles/redoc.standalone.js.LICENSE.txt" "$r/LICENSE" "$DEST/redoc/"

# The one change to a vendored file: ReDoc's sidebar footer shows Redocly's logo from
# Redocly's CDN (no option turns it off); it becomes an empty inline SVG, so the page asks
# no other host for anything.
logo='https:\/\/cdn\.redoc\.ly\/redoc\/logo-mini\.svg'
empty='data:image\/svg+xml,%3Csvg xmlns=%22http:\/\/www.w3.org\/2000\/svg%22 width=%220%22 height=%220%22\/%3E'
n="$(grep -o "$logo" "$DEST/redoc/redoc.standalone.js" | wc -l)"
[[ "$n" == 1 ]] || { echo "expected ReDoc's logo URL once in redoc.standalone.js, found it $n times" >&2; exit 1; }
sed -i "s/\"$logo\"/\"$empty\"/" "$DEST/redoc/redoc.standalone.js"
if grep -nE 'https://(cdn|unpkg|cdnjs|ajax\.googleapis|fonts\.googleapis)' "$DEST"/*/*.js "$DEST"/*/*.css; then
    echo "a vendored file still names a CDN (above)" >&2
    exit 1
fi

echo "swagger-ui-dist $SWAGGER_UI, redoc $REDOC:"
(cd "$DEST" && for f in */*; do
    printf '%-42s %9s  sha256 %s\n' "$f" "$(wc -c <"$f")" "$(openssl dgst -sha256 -r "$f" | cut -c1-64)"
done)
