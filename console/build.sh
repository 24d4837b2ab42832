#!/usr/bin/env bash
# Rebuilds the console into src/main/resources/console/, the folder the jar serves: generates
# the API types from openapi.yaml, type-checks (a contract change that breaks the console fails
# here), builds with Vite, writes a gzip twin of each text file (-n: no name or time inside, so
# the bytes depend only on the input) and lists the files for the server. Deterministic: the
# same sources give the same bytes, which .ci/run checks against the committed build.
set -euo pipefail
cd "$(dirname "$0")"
out=../src/main/resources/console

if [ ! -d node_modules ] || [ "${CI_NPM_CI:-}" = 1 ]; then
  npm ci --no-audit --no-fund
fi
npm run -s gen:api >/dev/null
npm run -s typecheck
npx vite build --logLevel warn

find "$out" -type f \( -name '*.js' -o -name '*.css' -o -name '*.html' -o -name '*.svg' -o -name '*.json' \) \
  -size +1k -print0 | sort -z | xargs -0 -r gzip -9 -n -k -f
(cd "$out" && find . -type f ! -name '*.gz' ! -name files.txt | sed 's:^\./::' | LC_ALL=C sort > files.txt)

# The JavaScript the sign-in page loads: index.html's entry script and the chunks it preloads.
sign_in_js=$(grep -oE '(src|href)="/console/assets/[^"]+\.js"' "$out/index.html" | sed -E 's:.*/console/([^"]+)".*:\1:' \
  | while read -r f; do gzip -9 -n -c "$out/$f" | wc -c; done | awk '{s+=$1} END {print s}')
echo "sign-in page JavaScript: $sign_in_js bytes gzipped"
