#!/usr/bin/env bash
# gen-usage, the month generator of the sample data and the benchmarks: the same options give the
# same bytes; --records is the number of lines; every line is the JSON object SPEC §2.1 describes
# (or exactly the bad lines asked for); the bench preset averages 300-450 bytes a line with the
# fields the peer script reads at top level; the Admin API report sums exactly what the JSON Lines
# of the same options hold; the sample data in the repository is what --preset sample writes.
# Usage: test_gen_usage.sh CHARGEBACK GEN-USAGE SCRATCH
set -u
gen=$(cd "$(dirname "$2")" && pwd)/$(basename "$2") scratch=$3
src=${CB_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
pass=0 fail=0
ok() { pass=$((pass+1)); }
bad() { echo "FAIL: $*"; fail=$((fail+1)); }
check() { if eval "$2"; then ok; else bad "$1"; fi; }

rm -rf "$scratch" && mkdir -p "$scratch"
cd "$scratch" || exit 1
if ! command -v python3 >/dev/null; then
  echo "SKIP: python3 is needed to parse the generated JSON"
  exit 77
fi

# Usage errors and help.
"$gen" --help >help.txt 2>&1; check "--help exits 0" '[ $? -eq 0 ] && grep -q "^usage: gen-usage" help.txt'
"$gen" --frobnicate 1 >/dev/null 2>err.txt; st=$?
check "unknown option exits 2 naming it (got $st)" '[ $st -eq 2 ] && grep -q "frobnicate" err.txt'
"$gen" --records 0 >/dev/null 2>&1; check "--records 0 is refused" '[ $? -eq 2 ]'
"$gen" --month 2026-13 >/dev/null 2>&1; check "--month 2026-13 is refused" '[ $? -eq 2 ]'
"$gen" --dup-rate 1.5 >/dev/null 2>&1; check "--dup-rate 1.5 is refused" '[ $? -eq 2 ]'

# Determinism: same seed, same bytes (to stdout and through --out); another seed differs.
"$gen" --records 20000 --seed 7 >a.jsonl
"$gen" --records 20000 --seed 7 --out b.jsonl
"$gen" --records 20000 --seed 8 >c.jsonl
check "same seed gives the same bytes" 'cmp -s a.jsonl b.jsonl'
check "another seed gives other bytes" '! cmp -s a.jsonl c.jsonl'
check "--records 20000 writes 20000 lines (got $(wc -l <a.jsonl))" '[ "$(wc -l <a.jsonl)" -eq 20000 ]'

# Every line of a month without bad lines is a valid record of the month.
cat >validate.py <<'EOF'
import json, re, sys
path, month, want_bad = sys.argv[1], sys.argv[2], int(sys.argv[3])
rid = re.compile(r"^req_[0-9A-Za-z]{24}$")
ts = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
INTS = ("input_tokens", "output_tokens", "cache_read_input_tokens", "cache_creation_input_tokens")
problems, lines, outside = [], 0, 0
for n, line in enumerate(open(path, encoding="utf-8"), 1):
    lines += 1
    try:
        r = json.loads(line)
    except ValueError:
        problems.append((n, "not JSON"))
        continue
    u = r.get("usage", r)
    tags = r.get("tags", r.get("metadata", r))
    why = None
    if not isinstance(r, dict) or not rid.match(r.get("request_id", "")):
        why = "request_id"
    elif not ts.match(str(r.get("timestamp"))):
        why = "timestamp"
    elif not r.get("model", "").startswith(("claude-opus-4", "claude-sonnet-4", "claude-haiku-4", "bench-model-")):
        why = "model"
    elif any(type(u.get(k)) is not int or u[k] < 0 for k in INTS):
        why = "token count"
    elif "team" in tags and not re.match(r"^[a-z0-9-]+$", tags["team"]):
        why = "team"
    if why:
        problems.append((n, why))
    elif not r["timestamp"].startswith(month + "-"):
        outside += 1
if len(problems) != want_bad:
    print("%s: %d bad lines, expected %d: %s" % (path, len(problems), want_bad, problems[:5]))
    sys.exit(1)
print(lines, "lines", len(problems), "bad", outside, "outside", [p[1] for p in problems])
EOF
check "every line of a.jsonl is a valid 2026-10 record" 'python3 validate.py a.jsonl 2026-10 0 >/dev/null'

# Bad lines: exactly the number asked for, one of each kind; records outside the month.
"$gen" --records 5000 --bad-lines 5 --outside 4 --month 2027-02 >bad.jsonl
out=$(python3 validate.py bad.jsonl 2027-02 5)
check "--bad-lines 5 gives five bad lines of five kinds ($out)" \
  '[ $? -eq 0 ] && grep -q "not JSON" <<<"$out" && grep -q "token count" <<<"$out" && grep -q "model" <<<"$out" && grep -q "timestamp" <<<"$out"'
check "--outside 4 gives four records outside the month ($out)" 'grep -q " 4 outside" <<<"$out"'

# One JSON array.
"$gen" --records 300 --format array >arr.json
check "--format array is one JSON array of 300 objects" \
  '[ "$(python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(len(d))" arr.json)" = 300 ]'

# The bench preset: ~370 bytes a line, flat, only the three models the peer prices.
"$gen" --preset bench --records 100000 >bench.jsonl
bytes=$(wc -c <bench.jsonl) lines=$(wc -l <bench.jsonl)
avg=$((bytes / (lines > 0 ? lines : 1)))
check "bench preset averages 300-450 bytes a line (got $avg)" '[ $avg -ge 300 ] && [ $avg -le 450 ]'
check "bench preset writes 100000 lines (got $lines)" '[ $lines -eq 100000 ]'
python3 - bench.jsonl <<'EOF' >bench.txt
import json, sys
PEER = {"claude-opus-4-7", "claude-sonnet-4-6", "claude-haiku-4-5"}
TOP = ("model", "input_tokens", "output_tokens", "batch", "web_search_requests",
       "cache_read_input_tokens", "cache_creation_input_tokens")
teams, untagged, nested = set(), 0, 0
for line in open(sys.argv[1]):
    r = json.loads(line)
    assert r["model"] in PEER, r["model"]
    assert all(k in r for k in TOP), line
    nested += "usage" in r or "tags" in r
    if "team" in r:
        teams.add(r["team"])
    else:
        untagged += 1
print(sorted(teams), untagged, nested)
EOF
check "bench records are flat with the peer's models ($(cat bench.txt))" \
  '[ $? -eq 0 ] && grep -q "^\[.data., .engineering., .product., .research., .support.\] [1-9][0-9]* 0$" bench.txt'

# Synthetic scale: many teams, users and models.
"$gen" --records 20000 --teams 1000 --users 20000 --models 50 --shape flat >scale.jsonl
python3 - scale.jsonl <<'EOF' >scale.txt
import json, sys
teams, models, users = set(), set(), set()
for line in open(sys.argv[1]):
    r = json.loads(line)
    teams.add(r.get("team")); models.add(r["model"]); users.add(r["user"])
print(len(teams - {None}), len(models), len(users), min(models), max(models))
EOF
check "--teams 1000 --models 50 spreads over many teams and bench-model-01..50 ($(cat scale.txt))" \
  'read nt nm nu lo hi <scale.txt && [ $nt -ge 500 ] && [ $nm -eq 50 ] && [ $nu -ge 2000 ] && [ $lo = bench-model-01 ] && [ $hi = bench-model-50 ]'

# The Admin API report of the same options sums exactly the valid, first-seen, in-month records.
"$gen" --records 20000 --seed 3 --bad-lines 5 --outside 4 >m.jsonl
"$gen" --records 20000 --seed 3 --bad-lines 5 --outside 4 --format admin >m.admin.json
python3 - m.jsonl m.admin.json >admin.txt <<'EOF'
import collections, json, sys
def native(path):
    tot, seen = collections.Counter(), set()
    for line in open(path):
        try:
            r = json.loads(line)
        except ValueError:
            continue
        u = r.get("usage", r)
        if (type(u["input_tokens"]) is not int or u["output_tokens"] < 0 or r["model"] == "claude-2.1"
                or not r["timestamp"].startswith("2026-10-") or r["request_id"] in seen):
            continue
        seen.add(r["request_id"])
        cc = u.get("cache_creation", {})
        tot["in"] += u["input_tokens"]; tot["out"] += u["output_tokens"]
        tot["read"] += u["cache_read_input_tokens"]; tot["write"] += u["cache_creation_input_tokens"]
        tot["1h"] += cc.get("ephemeral_1h_input_tokens", 0)
        tot["web"] += r.get("web_search_requests", u.get("server_tool_use", {}).get("web_search_requests", 0))
    return tot
def admin(path):
    tot, text, dec, i, pages = collections.Counter(), open(path).read(), json.JSONDecoder(), 0, 0
    while i < len(text):
        page, i = dec.raw_decode(text, i)
        pages += 1
        for bucket in page["data"]:
            for x in bucket["results"]:
                c = x["cache_creation"]
                tot["in"] += x["uncached_input_tokens"]; tot["out"] += x["output_tokens"]
                tot["read"] += x["cache_read_input_tokens"]
                tot["write"] += c["ephemeral_5m_input_tokens"] + c["ephemeral_1h_input_tokens"]
                tot["1h"] += c["ephemeral_1h_input_tokens"]
                tot["web"] += x["server_tool_use"]["web_search_requests"]
                assert x["api_key_id"].startswith("apikey_01") and x["workspace_id"].startswith("wrkspc_01")
        while i < len(text) and text[i].isspace():
            i += 1
    return tot, pages, page["has_more"]
a = native(sys.argv[1]); b, pages, more = admin(sys.argv[2])
print("equal" if a == b and a["in"] > 0 else "differ", pages, more, dict(a), dict(b))
EOF
check "the Admin API report sums what the JSON Lines hold ($(cut -c1-80 admin.txt))" \
  'grep -q "^equal 5 False " admin.txt'

# The repository's sample data is what the documented commands write.
if [ -f "$src/sample-data/usage-2026-10.jsonl" ]; then
  "$gen" --preset sample >sample.jsonl
  "$gen" --preset sample --format admin >sample.admin.json
  check "sample-data/usage-2026-10.jsonl is gen-usage --preset sample" \
    'cmp -s sample.jsonl "$src/sample-data/usage-2026-10.jsonl"'
  check "sample-data/admin-api-2026-10.json is gen-usage --preset sample --format admin" \
    'cmp -s sample.admin.json "$src/sample-data/admin-api-2026-10.json"'
  check "the sample month has exactly its 5 bad lines" \
    'python3 validate.py sample.jsonl 2026-10 5 >/dev/null'
fi

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
