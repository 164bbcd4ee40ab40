#!/bin/sh
# Seeds each target's corpus from the repository's own test fixtures.
set -eu
cd "$(dirname "$0")"
root=..
mkdir -p corpus/textdump corpus/html corpus/extract corpus/dates corpus/query_bounds
for f in "$root"/crates/textdump/tests/golden/*/dump.txt; do
    cp "$f" "corpus/textdump/$(basename "$(dirname "$f")").txt"
done
for f in "$root"/tests/golden/html/*/page.html; do
    name=$(basename "$(dirname "$f")")
    cp "$f" "corpus/html/$name.html"
    cp "$f" "corpus/extract/$name.html"
done
printf '%s\n' "2024-03-01T12:00:00Z" "Tue, 5 Mar 2024 08:00:00 +0100" "4 sec ago" "yesterday at 9:40 PM" \
    "Updated 14 March 2024" "3. März 2024, 10:15 Uhr" | while read -r d; do
    printf '%s' "$d" > "corpus/dates/$(printf '%s' "$d" | cksum | cut -d' ' -f1)"
done
printf '%s\n' 'harbour AND "old bridge"' '((a OR b) AND NOT c)' 'NOT NOT a' '-word +other' | while read -r q; do
    printf '%s' "$q" > "corpus/query_bounds/$(printf '%s' "$q" | cksum | cut -d' ' -f1)"
done
echo "seeded: $(ls corpus/* | wc -l) files"
