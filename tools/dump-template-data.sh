#!/usr/bin/env bash
# Writes the data the HTML templates are rendered with for the sample month:
#   sample-data/invoice-data.json  (teams/data.html: the team "data", Équipe Données)
#   sample-data/summary-data.json  (index.html)
# so that `chargeback template templates/invoice.html sample-data/invoice-data.json` prints the
# sample month's invoice. The tool has no command that prints this data, so the script links the
# already built objects of BUILD (default build/) once more with view_team and view_summary
# wrapped (ld --wrap) to save the trees they return, and renders the HTML of the sample month.
# Run from the repository root after building; it checks that the data renders the same bytes.
set -euo pipefail
rm -f sample-data/invoice-data.json sample-data/summary-data.json
build=${1:-build}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat >"$tmp/wrap.c" <<'C'
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
struct report;
json_t *__real_view_team(const struct report *r, size_t i);
json_t *__real_view_summary(const struct report *r);
json_t *__wrap_view_team(const struct report *r, size_t i)
{
    json_t *v = __real_view_team(r, i);
    char path[4096];
    snprintf(path, sizeof path, "%s/team-%zu.json", getenv("CB_DUMP_DIR"), i);
    json_dump_file(v, path, JSON_INDENT(2) | JSON_SORT_KEYS);
    return v;
}
json_t *__wrap_view_summary(const struct report *r)
{
    json_t *v = __real_view_summary(r);
    char path[4096];
    snprintf(path, sizeof path, "%s/summary.json", getenv("CB_DUMP_DIR"));
    json_dump_file(v, path, JSON_INDENT(2) | JSON_SORT_KEYS);
    return v;
}
C
libs=$(sed 's/.*libcbcore\.a//' "$build/CMakeFiles/chargeback.dir/link.txt")
# shellcheck disable=SC2046
cc -O1 -c "$tmp/wrap.c" -o "$tmp/wrap.o" $(pkg-config --cflags jansson)
# shellcheck disable=SC2086
cc "$build/CMakeFiles/chargeback.dir/src/main.c.o" "$tmp/wrap.o" -o "$tmp/cbdump" \
    -Wl,--wrap=view_team -Wl,--wrap=view_summary "$build/libcbcore.a" $libs
mkdir "$tmp/dump"
CB_DUMP_DIR=$tmp/dump "$tmp/cbdump" render -q -f html -c sample-data/config.json \
    sample-data/usage-2026-10.jsonl -o "$tmp/out"
# teams are in report order; pick the team whose page is teams/data.html
for f in "$tmp"/dump/team-*.json; do
    if "$build/chargeback" template templates/invoice.html "$f" | cmp -s - "$tmp/out/teams/data.html"; then
        cp "$f" sample-data/invoice-data.json
    fi
done
[ -f sample-data/invoice-data.json ] && cmp -s <("$build/chargeback" template templates/invoice.html sample-data/invoice-data.json) "$tmp/out/teams/data.html" ||
    { echo "dump-template-data: no dumped team renders teams/data.html" >&2; exit 1; }
cp "$tmp/dump/summary.json" sample-data/summary-data.json
"$build/chargeback" template templates/summary.html sample-data/summary-data.json | cmp -s - "$tmp/out/index.html" ||
    { echo "dump-template-data: summary-data.json does not render index.html" >&2; exit 1; }
echo "wrote sample-data/invoice-data.json and sample-data/summary-data.json"
