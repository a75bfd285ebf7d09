#!/usr/bin/env bash
# The chargeback benchmark (issue 9): generates the months with gen-usage into a scratch folder
# outside the repository, runs chargeback and the peer script side by side, and prints one table
# of times, ratios, peak memory and the checks (progress bar, one thread = two threads).
#
# usage: tests/bench/bench.sh [BUILD_DIR] [--scratch DIR] [--runs N] [--parts LIST] [--skip-10m]
#                              [--smoke]
#   BUILD_DIR    where chargeback and gen-usage were built (default: build)
#   --parts      any of a,b,c,d,e,f,g (default all): (a) 1M vs the peer, (b) 10M, (c) threads,
#                (d) rendering, (e) 1M vs DuckDB doing the same job and vs openssl dgst -sha256,
#                (f) 1M records of 100,000 teams and 200,000 users, --formats json,
#                (g) 20,000 teams with distinct CJK names (which all slug alike), --formats json
#   --scratch    generated months and outputs (default /tmp/cb-bench; reused when the
#                generator and its options are unchanged)
#   --runs N     timed runs per measurement, the median is shown (default 3)
#   --skip-10m   leave out the 10M-record month (3.7 GB)
#   --smoke      tiny sizes (10k / 50k records, 1 run): checks the script itself in seconds
# Exit status: 0 when every run worked, the thread outputs are identical and DuckDB's team totals
# equal report.json's (targets missed are shown as MISSED, not an error), 1 otherwise, 2 on a
# usage error.
set -u
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
build=$repo/build scratch=/tmp/cb-bench runs=3 skip10=0 smoke=0 parts=a,b,c,d,e,f,g
while [ $# -gt 0 ]; do
  case $1 in
    --scratch) scratch=${2:?--scratch needs a folder}; shift ;;
    --runs) runs=${2:?--runs needs a number}; shift ;;
    --parts) parts=${2:?--parts needs a list}; shift ;;
    --skip-10m) skip10=1 ;;
    --smoke) smoke=1 ;;
    -h|--help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "bench.sh: unknown option $1 (try --help)" >&2; exit 2 ;;
    *) build=$1 ;;
  esac
  shift
done
case $runs in ''|*[!0-9]*|0) echo "bench.sh: --runs needs a positive number" >&2; exit 2 ;; esac
case ,$parts, in *[!abcdefg,]*|,,) echo "bench.sh: --parts takes a list of a, b, c, d, e, f, g" >&2; exit 2 ;; esac
part() { case ,$parts, in *,$1,*) return 0 ;; esac; return 1; }
build=$(cd "$build" 2>/dev/null && pwd) || { echo "bench.sh: no build folder $build" >&2; exit 2; }
cb=$build/chargeback gen=$build/gen-usage
for b in "$cb" "$gen"; do
  [ -x "$b" ] || { echo "bench.sh: $b is not built (cmake --build $build)" >&2; exit 2; }
done
[ -x /usr/bin/time ] || { echo "bench.sh: /usr/bin/time is needed (apt-get install time)" >&2; exit 2; }
peer=$repo/../shared/bench/peer_seed.py
[ -f "$peer" ] && command -v python3 >/dev/null || peer=

n1=1000000 n10=10000000 nbig=1000000 big_teams=1000 big_users=20000 big_models=50
nwide=1000000 wide_teams=100000 wide_users=200000
ncjk=200000 cjk_teams=20000
if [ $smoke -eq 1 ]; then
  n1=10000 n10=50000 nbig=10000 big_teams=50 big_users=1000 big_models=5 runs=1
  nwide=20000 wide_teams=2000 wide_users=4000
  ncjk=5000 cjk_teams=500
  scratch=$scratch-smoke
fi
mkdir -p "$scratch" || exit 2
export LC_ALL=C
failures=0
note() { echo "  note: $*" >&2; }
fail() { echo "  FAIL: $*" >&2; failures=$((failures + 1)); }

# ---- helpers ---------------------------------------------------------------------------------

# gen_month FILE ARGS...: writes FILE with gen-usage ARGS unless it exists from the same
# generator binary (by SHA-256) and the same options.
gen_month() {
  local file=$1; shift
  local stamp
  stamp="$* | gen-usage $(sha256sum <"$gen" | cut -c1-16)"
  if [ -f "$file" ] && [ -f "$file.params" ] && [ "$(cat "$file.params")" = "$stamp" ]; then
    note "reusing $file"
    return 0
  fi
  rm -f "$file" "$file.params"
  local t0 t1
  t0=$(date +%s%N)
  "$gen" "$@" --out "$file.tmp" || { fail "gen-usage $* failed"; return 1; }
  t1=$(date +%s%N)
  mv "$file.tmp" "$file" && echo "$stamp" >"$file.params"
  note "generated $file: $(wc -l <"$file") lines, $(( $(wc -c <"$file") / 1000000 )) MB in $(( (t1 - t0) / 1000000 )) ms"
}

# timed OUTFILE CMD...: runs CMD under /usr/bin/time, stdout to /dev/null, stderr to OUTFILE.err;
# prints "seconds kilobytes cpu_seconds" (or "fail") on stdout; cpu is user + system time of
# every thread, so cpu / seconds is how many cores the run kept busy.
timed() {
  local out=$1; shift
  if /usr/bin/time -o "$out.time" -f "%e %M %U %S" "$@" >/dev/null 2>"$out.err"; then
    awk '{printf "%s %s %.2f\n", $1, $2, $3 + $4}' "$out.time"
  else
    echo fail
  fi
}

# median VALUE...: the middle one (the lower middle of an even count)
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# median_run LABEL CMD...: runs CMD $runs times; prints "median_seconds max_kilobytes
# median_cpu_seconds".
median_run() {
  local label=$1; shift
  local i t rss cpu times=() cpus=() maxrss=0
  for i in $(seq "$runs"); do
    read -r t rss cpu < <(timed "$scratch/run" "$@")
    if [ "$t" = fail ]; then
      fail "$label: $* failed: $(head -n 3 "$scratch/run.err")"
      echo "fail 0 0"
      return 1
    fi
    times+=("$t")
    cpus+=("$cpu")
    [ "$rss" -gt "$maxrss" ] && maxrss=$rss
  done
  echo "$(median "${times[@]}") $maxrss $(median "${cpus[@]}")"
}

mib() { awk -v k="$1" 'BEGIN {printf "%.1f", k / 1024}'; }
cores() { awk -v c="$1" -v t="$2" 'BEGIN {if (t > 0) printf "%.1f", c / t; else print "-"}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (b > 0) printf "%.1fx", a / b; else print "-"}'; }
# verdict VALUE OP LIMIT: "ok" or "MISSED"
verdict() { awk -v v="$1" -v l="$3" -v op="$2" 'BEGIN {ok = op == "<" ? v < l : op == "<=" ? v <= l : v >= l; print ok ? "ok" : "MISSED"}'; }

rows=()
# row MEASUREMENT TIME CPU RSS RATIO TARGET
row() {
  rows+=("$(printf '%-44s %9s %9s %10s %6s  %s' "$@")")
  echo "  ${rows[${#rows[@]}-1]}" >&2
}

# Is the end-to-end tool there yet? (render prints "not built yet" until ingest lands)
probe=$scratch/probe
rm -rf "$probe.out"
"$gen" --preset bench --records 200 >"$probe.jsonl"
if ! "$cb" render --quiet --formats json --out "$probe.out" "$probe.jsonl" >/dev/null 2>"$probe.err"; then
  if grep -q "not built yet" "$probe.err"; then
    note "chargeback render is not built yet ($(head -n1 "$probe.err")): its rows are skipped"
    cb_ready=0
  else
    fail "chargeback render fails on a small month: $(head -n3 "$probe.err")"
    cb_ready=0
  fi
else
  cb_ready=1
fi

# ---- (a) 1M records: chargeback vs the peer ----------------------------------------------------
m1=$scratch/bench-$n1.jsonl
if part a || part c || part e; then
  gen_month "$m1" --preset bench --records "$n1" || exit 1
  cat "$m1" >/dev/null # page cache
fi
if part a; then
# chargeback and the peer run alternately, so that a busy moment of the shared machine falls on
# both of them rather than on one; at least 5 pairs
runs_a=$((runs < 5 ? 5 : runs))
echo "== (a) $n1 records, --formats json: chargeback vs peer (median of $runs_a, alternating)" >&2
size1=$(wc -c <"$m1")
row "input: $n1 records" "$((size1 / 1000000)) MB" "" "$((size1 / n1)) B/rec" "" ""
cb_ts=() cb_cs=() cb_k=0 peer_ts=() peer_cs=() peer_k=0 pair_ratios=() cb_t=fail peer_t=fail
[ -n "$peer" ] || note "peer script ../shared/bench/peer_seed.py (or python3) not found: peer rows skipped"
for i in $(seq "$runs_a"); do
  t=fail pt=fail
  if [ $cb_ready -eq 1 ]; then
    read -r t k c < <(timed "$scratch/run" "$cb" render --quiet --formats json --out "$scratch/out-1m" "$m1")
    if [ "$t" = fail ]; then
      fail "chargeback 1M failed: $(head -n 3 "$scratch/run.err")"
      break
    fi
    cb_ts+=("$t") cb_cs+=("$c")
    [ "$k" -gt "$cb_k" ] && cb_k=$k
  fi
  if [ -n "$peer" ]; then
    read -r pt pk pc < <(timed "$scratch/peer" python3 "$peer" "$m1")
    if [ "$pt" = fail ]; then
      fail "peer failed: $(head -n 3 "$scratch/peer.err")"
      peer=
      continue
    fi
    peer_ts+=("$pt") peer_cs+=("$pc")
    [ "$pk" -gt "$peer_k" ] && peer_k=$pk
    [ "$t" != fail ] && pair_ratios+=("$(ratio "$pt" "$t")")
  fi
done
if [ ${#cb_ts[@]} -gt 0 ]; then
  cb_t=$(median "${cb_ts[@]}")
  row "chargeback render --formats json" "${cb_t} s" "$(median "${cb_cs[@]}") s" "$(mib "$cb_k") MiB" "" \
      "RSS<64MiB: $(verdict "$cb_k" "<" 65536)"
fi
if [ ${#peer_ts[@]} -gt 0 ]; then
  peer_t=$(median "${peer_ts[@]}")
  row "peer_seed.py (python3)" "${peer_t} s" "$(median "${peer_cs[@]}") s" "$(mib "$peer_k") MiB" "" ""
fi
if [ "$cb_t" != fail ] && [ "$peer_t" != fail ]; then
  sp=$(awk -v a="$peer_t" -v b="$cb_t" 'BEGIN {print (b > 0 ? a / b : 0)}')
  lo=$(printf '%s\n' "${pair_ratios[@]}" | sort -g | head -n1)
  hi=$(printf '%s\n' "${pair_ratios[@]}" | sort -g | tail -n1)
  row "speed-up over the peer (pairs: $lo-$hi)" "" "" "" "$(ratio "$peer_t" "$cb_t")" \
      "target>=8x: $(verdict "$sp" ">=" 8)"
fi
fi

# ---- (e) 1M records: DuckDB doing the same job, and one SHA-256 pass of the file ---------------

# duckdb_job_sql FILE YYYY-MM PRICE_ROWS: chargeback's usage model as DuckDB SQL. Keep-first
# de-duplication by request_id (in file order), a DECIMAL cost per record for every token class at
# the list prices given, the team x model x class x batch lines (each rounded once to the cent,
# web search per team x model as chargeback bills it) and the team x day roll-up in one pass
# (GROUPING SETS); the last statement prints each team's list cost (team null: unallocated).
duckdb_job_sql() {
  local file=$1 month=$2 values=$3 next
  next=$(date -u -d "$month-01 +1 month" +%Y-%m-01)
  cat <<EOF
CREATE TEMP TABLE prices (model VARCHAR, input DECIMAL(18,6), output DECIMAL(18,6),
  cache_read DECIMAL(18,6), write_5m DECIMAL(18,6), write_1h DECIMAL(18,6),
  web_search DECIMAL(18,6), batch_factor DECIMAL(9,6));
INSERT INTO prices VALUES
  $values;
-- Unit prices per token, batch or not: exact in DECIMAL(10,10) (checked), so that a record's
-- cost, DECIMAL(8,0) tokens x DECIMAL(10,10), is a 64-bit DECIMAL(18,10).
CREATE TEMP MACRO exact10(x) AS CASE WHEN CAST(x AS DECIMAL(10, 10)) = x
  THEN CAST(x AS DECIMAL(10, 10)) ELSE error('a unit price needs more than 10 decimals') END;
CREATE TEMP TABLE units AS
SELECT model, b AS batch, exact10(input * f) AS input, exact10(output * f) AS output,
  exact10(cache_read * f) AS cache_read, exact10(write_5m * f) AS write_5m,
  exact10(write_1h * f) AS write_1h, exact10(web_search * CAST(0.001 AS DECIMAL(4, 3))) AS web_search
FROM prices, (SELECT unnest([false, true]) AS b),
  LATERAL (SELECT CASE WHEN b THEN batch_factor ELSE 1 END * CAST(0.000001 AS DECIMAL(7, 6)) AS f);
CREATE TEMP TABLE sums AS
WITH src AS (
  SELECT *, ordinality AS rn
  FROM read_json('$file', format = 'newline_delimited', columns = {
    request_id: 'VARCHAR', timestamp: 'VARCHAR', model: 'VARCHAR', team: 'VARCHAR',
    input_tokens: 'BIGINT', output_tokens: 'BIGINT', cache_read_input_tokens: 'BIGINT',
    cache_creation_input_tokens: 'BIGINT',
    cache_creation: 'STRUCT(ephemeral_5m_input_tokens BIGINT, ephemeral_1h_input_tokens BIGINT)',
    web_search_requests: 'BIGINT', batch: 'BOOLEAN'}) WITH ORDINALITY),
kept AS (
  SELECT * FROM src
  QUALIFY request_id IS NULL OR row_number() OVER (PARTITION BY request_id ORDER BY rn) = 1),
costs AS (
  SELECT r.team, r.model, CAST(substr(r.timestamp, 1, 10) AS DATE) AS day,
    coalesce(r.batch, false) AS batch,
    CAST(coalesce(r.input_tokens, 0) AS DECIMAL(8, 0)) AS q_input,
    CAST(coalesce(r.output_tokens, 0) AS DECIMAL(8, 0)) AS q_output,
    CAST(coalesce(r.cache_read_input_tokens, 0) AS DECIMAL(8, 0)) AS q_cache_read,
    CAST(CASE WHEN r.cache_creation IS NULL THEN coalesce(r.cache_creation_input_tokens, 0)
         ELSE coalesce(r.cache_creation.ephemeral_5m_input_tokens, 0) END AS DECIMAL(8, 0)) AS q_write_5m,
    CAST(coalesce(r.cache_creation.ephemeral_1h_input_tokens, 0) AS DECIMAL(8, 0)) AS q_write_1h,
    CAST(coalesce(r.web_search_requests, 0) AS DECIMAL(8, 0)) AS q_web_search,
    q_input * u.input AS c_input,
    q_output * u.output AS c_output,
    q_cache_read * u.cache_read AS c_cache_read,
    q_write_5m * u.write_5m AS c_write_5m,
    q_write_1h * u.write_1h AS c_write_1h,
    q_web_search * u.web_search AS c_web_search
  FROM kept r JOIN units u ON u.model = r.model AND u.batch = coalesce(r.batch, false)
  WHERE r.timestamp >= '$month-01' AND r.timestamp < '$next')
SELECT team, model, batch, day, GROUPING(day) AS by_line, count(*) AS requests,
  sum(q_input) AS q_input, sum(c_input) AS c_input, sum(q_output) AS q_output,
  sum(c_output) AS c_output, sum(q_cache_read) AS q_cache_read,
  sum(c_cache_read) AS c_cache_read, sum(q_write_5m) AS q_write_5m,
  sum(c_write_5m) AS c_write_5m, sum(q_write_1h) AS q_write_1h, sum(c_write_1h) AS c_write_1h,
  sum(q_web_search) AS q_web_search, sum(c_web_search) AS c_web_search
FROM costs GROUP BY GROUPING SETS ((team, model, batch), (team, day));
CREATE TEMP TABLE team_model_class AS
WITH a AS (SELECT * FROM sums WHERE by_line = 1)
SELECT team, model, 'input' AS class, batch, q_input AS quantity, round(c_input, 2) AS amount
FROM a
UNION ALL SELECT team, model, 'output', batch, q_output, round(c_output, 2) FROM a
UNION ALL SELECT team, model, 'cache_read', batch, q_cache_read, round(c_cache_read, 2) FROM a
UNION ALL SELECT team, model, 'cache_write_5m', batch, q_write_5m, round(c_write_5m, 2) FROM a
UNION ALL SELECT team, model, 'cache_write_1h', batch, q_write_1h, round(c_write_1h, 2) FROM a
UNION ALL SELECT team, model, 'web_search', false, sum(q_web_search), round(sum(c_web_search), 2)
  FROM a GROUP BY team, model;
CREATE TEMP TABLE team_day AS
SELECT team, day, requests,
  c_input + c_output + c_cache_read + c_write_5m + c_write_1h + c_web_search AS list_cost
FROM sums WHERE by_line = 0;
SELECT team, CAST(sum(amount) AS VARCHAR) AS list_cost, (SELECT count(*) FROM team_day) AS team_days
FROM team_model_class GROUP BY team ORDER BY team NULLS LAST;
EOF
}

if part e && [ $cb_ready -eq 1 ]; then
  runs_e=$((runs < 5 ? 5 : runs))
  echo "== (e) $n1 records: chargeback vs DuckDB (same job) vs openssl dgst -sha256 (median of $runs_e, alternating)" >&2
  duck=1 sha=1
  if ! command -v node >/dev/null || [ ! -d "$repo/tools/node_modules/@duckdb/node-api" ]; then
    note "DuckDB (@duckdb/node-api in tools/node_modules, and node) not found: run tools/install-deps.sh; DuckDB rows skipped"
    duck=0
  fi
  command -v openssl >/dev/null || { note "openssl not found: SHA-256 rows skipped"; sha=0; }
  # One untimed run gives the month and the report for the parity check.
  if ! "$cb" render --quiet --formats json --out "$scratch/out-e" "$m1" >/dev/null 2>"$scratch/e.err"; then
    fail "chargeback on $m1 failed: $(head -n 3 "$scratch/e.err")"
    duck=0 sha=0
  fi
  if [ $duck -eq 1 ]; then
    month=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["period"]["month"])' "$scratch/out-e/report.json")
    models=$(grep -o '"model":"[^"]*"' "$m1" | cut -d'"' -f4 | sort -u | tr '\n' ' ')
    # The list prices of those models in force mid-month, from chargeback's own price book.
    values=$("$cb" prices --at "$month-15" | awk -v keep="$models" '
      BEGIN { n = split(keep, k, " "); for (i = 1; i <= n; i++) want[k[i]] = 1 }
      /^#/ || /^ / || /^model / || !($1 in want) { next }
      { b = $9; sub(/%$/, "", b); s = sprintf("(\047%s\047", $1)
        for (i = 3; i <= 8; i++) s = s ", " ($i == "-" ? "NULL" : $i)
        printf "%s%s, %s)", sep, s, (100 - b) / 100; sep = ",\n  "; found++ }
      END { if (found != n) exit 1 }') || {
      fail "chargeback prices --at $month-15 does not list every model of the month ($models)"
      duck=0
    }
  fi
  if [ $duck -eq 1 ]; then
    duckdb_job_sql "$m1" "$month" "$values" >"$scratch/duckdb-job.sql"
    # Parity: DuckDB's team totals equal report.json's team list costs (and the unallocated
    # bucket) to the cent.
    if node "$repo/tools/duckdb-run.mjs" "$scratch/duckdb-job.sql" >"$scratch/duckdb-out.jsonl" 2>"$scratch/duckdb.err"; then
      parity=$(python3 - "$scratch/out-e/report.json" "$scratch/duckdb-out.jsonl" <<'EOF'
import json, sys
report = json.load(open(sys.argv[1]))
want = {t["team"]: t["list_cost"] for t in report["teams"]}
want[None] = report["unallocated"]["list_cost"]
got = {}
for line in open(sys.argv[2]):
    row = json.loads(line)
    got[row["team"]] = row["list_cost"]
bad = [t for t in sorted(set(want) | set(got), key=lambda t: (t is None, t or ""))
       if want.get(t, "0.00") != got.get(t, "0.00")]
for t in bad:
    print("  team %s: report.json %s, DuckDB %s" % (t or "(unallocated)", want.get(t), got.get(t)), file=sys.stderr)
print("%d of %d" % (len(set(want) | set(got)) - len(bad), len(set(want) | set(got))))
sys.exit(1 if bad else 0)
EOF
) || fail "DuckDB's team totals differ from report.json ($parity equal)"
    else
      fail "DuckDB job failed: $(head -n 3 "$scratch/duckdb.err")"
      duck=0
    fi
  fi
  cb_ts=() cb_cs=() cb_k=0 dk_ts=() dk_cs=() dk_k=0 sh_ts=() sh_cs=() sh_k=0 dk_r=() sh_r=()
  for i in $(seq "$runs_e"); do
    read -r t k c < <(timed "$scratch/run" "$cb" render --quiet --formats json --out "$scratch/out-e" "$m1")
    [ "$t" = fail ] && { fail "chargeback 1M failed: $(head -n 3 "$scratch/run.err")"; break; }
    cb_ts+=("$t") cb_cs+=("$c")
    [ "$k" -gt "$cb_k" ] && cb_k=$k
    if [ $duck -eq 1 ]; then
      read -r dt dk dc < <(timed "$scratch/duck" node "$repo/tools/duckdb-run.mjs" "$scratch/duckdb-job.sql")
      if [ "$dt" = fail ]; then
        fail "DuckDB job failed: $(head -n 3 "$scratch/duck.err")"
        duck=0
      else
        dk_ts+=("$dt") dk_cs+=("$dc") dk_r+=("$(awk -v a="$dt" -v b="$t" 'BEGIN {print (b > 0 ? a / b : 0)}')")
        [ "$dk" -gt "$dk_k" ] && dk_k=$dk
      fi
    fi
    if [ $sha -eq 1 ]; then
      read -r st sk sc < <(timed "$scratch/sha" openssl dgst -sha256 "$m1")
      if [ "$st" = fail ]; then
        fail "openssl dgst -sha256 failed: $(head -n 3 "$scratch/sha.err")"
        sha=0
      else
        sh_ts+=("$st") sh_cs+=("$sc")
        # a pass too short for /usr/bin/time (0.00 s, smoke sizes) gives no ratio
        awk -v b="$st" 'BEGIN {exit !(b > 0)}' && sh_r+=("$(awk -v a="$t" -v b="$st" 'BEGIN {print a / b}')")
        [ "$sk" -gt "$sh_k" ] && sh_k=$sk
      fi
    fi
  done
  # range LIST...: "lo-hi" of per-pair ratios, one decimal
  range() { printf '%s\n' "$@" | sort -g | awk 'NR == 1 {lo = $1} {hi = $1} END {printf "%.1fx-%.1fx", lo, hi}'; }
  if [ ${#cb_ts[@]} -gt 0 ]; then
    row "chargeback render --formats json" "$(median "${cb_ts[@]}") s" "$(median "${cb_cs[@]}") s" "$(mib "$cb_k") MiB" "" ""
  fi
  if [ ${#dk_ts[@]} -gt 0 ]; then
    dm=$(median "${dk_r[@]}")
    row "DuckDB $(node -p 'require(process.argv[1] + "/package.json").version' "$repo/tools/node_modules/@duckdb/node-api" 2>/dev/null), same job (node)" \
        "$(median "${dk_ts[@]}") s" "$(median "${dk_cs[@]}") s" "$(mib "$dk_k") MiB" "" "team totals = report.json: $parity"
    row "  DuckDB / chargeback (pairs: $(range "${dk_r[@]}"))" "" "" "" "$(printf '%.1fx' "$dm")" \
        "target>=3x: $(verdict "$dm" ">=" 3)"
  fi
  if [ ${#sh_ts[@]} -gt 0 ]; then
    row "openssl dgst -sha256 of the file" "$(median "${sh_ts[@]}") s" "$(median "${sh_cs[@]}") s" "$(mib "$sh_k") MiB" "" ""
  fi
  if [ ${#sh_r[@]} -gt 0 ]; then
    sm=$(median "${sh_r[@]}")
    row "  chargeback / SHA-256 pass (pairs: $(range "${sh_r[@]}"))" "" "" "" "$(printf '%.1fx' "$sm")" \
        "target<=1.3x: $(verdict "$sm" "<=" 1.3)"
  fi
fi

# ---- (b) 10M records: time, memory, progress bar ---------------------------------------------------
if part b && [ $skip10 -eq 0 ] && [ $cb_ready -eq 1 ]; then
  echo "== (b) $n10 records: time, peak memory, progress bar" >&2
  m10=$scratch/bench-$n10.jsonl
  gen_month "$m10" --preset bench --records "$n10" --seed 43 || exit 1
  cat "$m10" >/dev/null
  size10=$(wc -c <"$m10")
  row "input: $n10 records" "$((size10 / 1000000)) MB" "" "$((size10 / n10)) B/rec" "" ""
  read -r t10 k10 c10 < <(median_run "chargeback 10M" "$cb" render --quiet --formats json --out "$scratch/out-10m" "$m10")
  if [ "$t10" != fail ]; then
    row "chargeback render --formats json" "${t10} s" "${c10} s" "$(mib "$k10") MiB" "" \
        "<10s: $(verdict "$t10" "<" 10), RSS<300MiB: $(verdict "$k10" "<" 307200)"
  fi
  # One run with the bar forced on and stderr captured: the percentages must rise and end at 100.
  read -r tp kp cp < <(timed "$scratch/progress" "$cb" render --progress --formats json --out "$scratch/out-10m-p" "$m10")
  if [ "$tp" = fail ]; then
    fail "render --progress on $n10 records failed: $(head -n3 "$scratch/progress.err")"
  else
    pcts=$(tr '\r' '\n' <"$scratch/progress.err" | grep -o '[0-9]\{1,3\}\(\.[0-9]*\)\{0,1\}%' | tr -d '%')
    n_p=$(grep -c . <<<"$pcts")
    mono=$(awk 'NR > 1 && $1 < prev {bad = 1} {prev = $1} END {print bad ? "no" : "yes"}' <<<"$pcts")
    last=$(tail -n1 <<<"$pcts")
    pv=ok
    if [ "$n_p" -lt 3 ] || [ "$mono" != yes ] || [ "${last%%.*}" != 100 ]; then
      pv=MISSED
      note "progress bar: $n_p percentages, rising: $mono, last: ${last:-none}% (stderr in $scratch/progress.err)"
    fi
    cmp -s "$scratch/out-10m/report.json" "$scratch/out-10m-p/report.json" ||
      fail "report.json differs between --quiet and --progress on $n10 records"
    row "  same with --progress" "${tp} s" "${cp} s" "$(mib "$kp") MiB" "" \
        "bar: $n_p updates, rising $mono, ends ${last:-?}%: $pv"
  fi
elif part b && [ $skip10 -eq 1 ]; then
  note "10M records skipped (--skip-10m)"
fi

# ---- (c) --threads 1 vs 2 ----------------------------------------------------------------------
if part c && [ $cb_ready -eq 1 ]; then
  echo "== (c) $n1 records: --threads 1 vs 2" >&2
  read -r t1 k1 c1 < <(median_run "threads 1" "$cb" render --quiet --threads 1 --formats json --out "$scratch/out-t1" "$m1")
  read -r t2 k2 c2 < <(median_run "threads 2" "$cb" render --quiet --threads 2 --formats json --out "$scratch/out-t2" "$m1")
  if [ "$t1" != fail ] && [ "$t2" != fail ]; then
    same=identical
    cmp -s "$scratch/out-t1/report.json" "$scratch/out-t2/report.json" || {
      same=DIFFERENT
      fail "report.json differs between --threads 1 and --threads 2"
    }
    row "chargeback --threads 1" "${t1} s" "${c1} s" "$(mib "$k1") MiB" "" "$(cores "$c1" "$t1") cores busy"
    row "chargeback --threads 2" "${t2} s" "${c2} s" "$(mib "$k2") MiB" "$(ratio "$t1" "$t2")" "$(cores "$c2" "$t2") cores busy; report.json $same"
  fi
fi

# ---- (d) rendering: per-format times -------------------------------------------------------------
formats="html pdf xlsx json csv focus"
if part d && [ $cb_ready -eq 1 ]; then
  echo "== (d) rendering in every format" >&2
  sample=$repo/sample-data/usage-2026-10.jsonl
  if [ -f "$sample" ]; then
    read -r ts ks cs < <(median_run "sample all" "$cb" render --quiet --config "$repo/sample-data/config.json" --out "$scratch/out-sample-all" "$sample")
    [ "$ts" != fail ] && row "sample month ($(wc -l <"$sample") records), all formats" "${ts} s" "${cs} s" "$(mib "$ks") MiB" "" "<2s: $(verdict "$ts" "<" 2)"
    for f in $formats; do
      read -r t k c < <(median_run "sample $f" "$cb" render --quiet --formats "$f" --config "$repo/sample-data/config.json" --out "$scratch/out-sample-$f" "$sample")
      [ "$t" != fail ] && row "  --formats $f" "${t} s" "${c} s" "$(mib "$k") MiB" "" ""
    done
  fi

  # A month of many teams, users and models: prices for the synthetic models and a configuration
  # listing the teams (names in Latin, Greek and Cyrillic, cost centers, headcounts, budgets).
  big=$scratch/big-$big_teams-$big_users-$big_models-$nbig.jsonl
  gen_month "$big" --records "$nbig" --teams "$big_teams" --users "$big_users" --models "$big_models" --shape flat --seed 44 || exit 1
  python3 - "$big_models" "$big_teams" "$scratch/big-prices.json" "$scratch/big-config.json" <<'EOF' || fail "could not write the big month's prices and config"
import json, sys
n_models, n_teams, prices_path, config_path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
fam = [("opus", "5.00", "25.00"), ("sonnet", "3.00", "15.00"), ("haiku", "1.00", "5.00")]
models = {}
for i in range(1, n_models + 1):
    f, inp, out = fam[i % 3]
    models["bench-model-%02d" % i] = {"input": inp, "output": out, "family": f}
json.dump({"checked": "2026-11-01", "models": models}, open(prices_path, "w"), indent=1, sort_keys=True)
names = ["Analytics", "Αναλυτική", "Аналитика", "Platform", "Πλατφόρμα", "Платформа", "Growth", "Εξυπηρέτηση", "Поддержка"]
teams = {}
for t in range(1, n_teams + 1):
    tid = "team-%04d" % t
    team = {"name": "%s %d" % (names[t % len(names)], t), "cost_center": "CC-%04d" % t, "headcount": 3 + t % 17}
    if t % 4 == 0:
        team["budget"] = {"monthly": "%d.00" % (20 + t % 200), "alert_thresholds": [0.5, 0.8, 1.0]}
    teams[tid] = team
cfg = {"organization": "Bench Corp", "currency": "USD",
       "chargeback": {"model": "hybrid", "fixed_share": 0.3, "fixed_basis": "headcount"},
       "overhead_rate": 0.08, "teams": teams,
       "shared": [{"match": {"project": "platform-rag"}, "split": "proportional"}],
       "unallocated": "show", "gl_account": "6420-AI"}
json.dump(cfg, open(config_path, "w"), indent=1, sort_keys=True, ensure_ascii=False)
EOF
  bigargs=(--config "$scratch/big-config.json" --prices "$scratch/big-prices.json" "$big")
  row "input: $nbig records, $big_teams teams" "$(($(wc -c <"$big") / 1000000)) MB" "" "" "" ""
  read -r tb kb cb_big < <(median_run "big all" "$cb" render --quiet --out "$scratch/out-big-all" "${bigargs[@]}")
  [ "$tb" != fail ] && row "$big_teams teams, $big_users users, $big_models models, all" "${tb} s" "${cb_big} s" "$(mib "$kb") MiB" "" "<6s: $(verdict "$tb" "<" 6)"
  # The same run writing to memory (tmpfs), the month folder and libxlsxwriter's temporary
  # files both: what the run costs without the disk. On a file system without a journal, ext4
  # skips every inode deleted in the last minutes when it makes a new one, and the 3,000 files
  # of each run, plus 21 temporary files a workbook, make that scan grow from run to run.
  if [ -d /dev/shm ] && [ -w /dev/shm ]; then
    shm=$(mktemp -d /dev/shm/cb-bench.XXXXXX)
    read -r tm km cm < <(median_run "big all tmpfs" env TMPDIR="$shm" "$cb" render --quiet --out "$shm/out" "${bigargs[@]}")
    [ "$tm" != fail ] && row "  the same, written to tmpfs" "${tm} s" "${cm} s" "$(mib "$km") MiB" "" "<6s: $(verdict "$tm" "<" 6)"
    rm -rf "$shm"
  fi
  for f in $formats; do
    read -r t k c < <(median_run "big $f" "$cb" render --quiet --formats "$f" --out "$scratch/out-big-$f" "${bigargs[@]}")
    [ "$t" != fail ] && row "  --formats $f" "${t} s" "${c} s" "$(mib "$k") MiB" "" ""
  done
  # CPU per PDF (issue 19): alternating pairs of a pdf run and a json run (the same month
  # without documents), their CPU difference over the PDFs written; the median pair
  per_doc=() pdf_kb=
  for i in $(seq "$runs"); do
    read -r tp _ cp < <(timed "$scratch/run" "$cb" render --quiet --formats pdf --out "$scratch/out-big-pdf" "${bigargs[@]}")
    read -r tj _ cj < <(timed "$scratch/run" "$cb" render --quiet --formats json --out "$scratch/out-big-json" "${bigargs[@]}")
    if [ "$tp" = fail ] || [ "$tj" = fail ]; then fail "PDF per document: a run failed"; break; fi
    docs=$(find "$scratch/out-big-pdf" -name '*.pdf' | wc -l)
    pdf_kb=$(find "$scratch/out-big-pdf" -name '*.pdf' -printf '%s\n' | awk -v n="$docs" '{s += $1} END {printf "%.0f", s / n / 1000}')
    per_doc+=("$(awk -v p="$cp" -v j="$cj" -v n="$docs" 'BEGIN {printf "%.1f", (p - j) * 1000 / n}')")
  done
  if [ ${#per_doc[@]} -eq "$runs" ]; then
    ms=$(median "${per_doc[@]}")
    row "  PDF: CPU per document (pdf - json)" "" "${ms} ms" "" "" "<=6ms: $(verdict "$ms" "<=" 6) ($pdf_kb KB a PDF)"
  fi
fi

# ---- (f) a month of 100,000 small teams --------------------------------------------------------
if part f && [ $cb_ready -eq 1 ]; then
  wide=$scratch/wide-$wide_teams.jsonl
  echo "== (f) $nwide records, $wide_teams teams, $wide_users users, --formats json" >&2
  gen_month "$wide" --records "$nwide" --teams "$wide_teams" --users "$wide_users" --seed 7 || exit 1
  cat "$wide" >/dev/null # page cache
  row "input: $nwide records, $wide_teams teams" "$(($(wc -c <"$wide") / 1000000)) MB" "" "" "" ""
  # every run renders into a new folder: over an earlier render, render first reads its
  # report.json (a streaming parse of ~570 MB here), which is not what this row measures
  rm -rf "$scratch/out-wide" && mkdir -p "$scratch/out-wide"
  read -r t k c < <(median_run "wide json" bash -c 'exec "$@" --out "$(mktemp -u -p "$0")"' \
    "$scratch/out-wide" "$cb" render --quiet --formats json "$wide")
  [ "$t" != fail ] && row "$wide_teams teams, $wide_users users, json" "${t} s" "${c} s" "$(mib "$k") MiB" "" \
    "<15s: $(verdict "$t" "<" 15), RSS<600MiB: $(verdict "$k" "<" $((600 * 1024)))"
  rm -rf "$scratch/out-wide"
fi

# ---- (g) 20,000 teams with distinct CJK names --------------------------------------------------
# Every name is Chinese, so every one slugs to the same ASCII base ("team", "team-2", ...): the
# case that made slug uniqueness cubic (issue 19). The names are in the configuration; the
# month spreads 200,000 records over the teams.
if part g && [ $cb_ready -eq 1 ]; then
  cjk=$scratch/cjk-$cjk_teams.jsonl
  echo "== (g) $ncjk records, $cjk_teams teams with distinct CJK names, --formats json" >&2
  gen_month "$cjk" --records "$ncjk" --teams "$cjk_teams" --users "$cjk_teams" --seed 9 --shape flat || exit 1
  python3 - "$cjk_teams" "$scratch/cjk-config.json" <<'EOF' || fail "could not write the CJK configuration"
import json, sys
n, path = int(sys.argv[1]), sys.argv[2]
digits = "零一二三四五六七八九"
kinds = ["数据", "平台", "增长", "支持", "研究", "产品", "工程", "运营"]
teams = {}
for t in range(1, n + 1):
    number = "".join(digits[int(c)] for c in str(t))
    teams["team-%04d" % t] = {"name": "%s%s组" % (kinds[t % len(kinds)], number)}
json.dump({"organization": "Bench Corp", "currency": "USD", "teams": teams}, open(path, "w"),
          ensure_ascii=False, indent=1, sort_keys=True)
EOF
  names=$(python3 -c 'import json, sys; t = json.load(open(sys.argv[1]))["teams"]; print(len({v["name"] for v in t.values()}))' "$scratch/cjk-config.json")
  row "input: $ncjk records, $names distinct CJK names" "$(($(wc -c <"$cjk") / 1000000)) MB" "" "" "" ""
  read -r t k c < <(median_run "cjk json" "$cb" render --quiet --formats json --config "$scratch/cjk-config.json" --out "$scratch/out-cjk" "$cjk")
  [ "$t" != fail ] && row "$cjk_teams CJK team names, json" "${t} s" "${c} s" "$(mib "$k") MiB" "" \
    "<5s: $(verdict "$t" "<" 5)"
  read -r n_teams n_slugs < <(python3 -c 'import json, sys; r = json.load(open(sys.argv[1])); s = [t["slug"] for t in r["teams"]]; print(len(s), len(set(s)))' "$scratch/out-cjk/report.json" 2>/dev/null)
  [ "${n_teams:-0}" -ge "$((cjk_teams / 2))" ] && [ "${n_teams:-0}" = "${n_slugs:-x}" ] ||
    fail "CJK month: ${n_teams:-no} teams in report.json, ${n_slugs:-no} distinct slugs"
fi

# ---- the table ---------------------------------------------------------------------------------
echo
echo "chargeback benchmark — $(nproc) cores, $(uname -m); wall times are medians of $runs runs"
echo "(the machine is shared: expect noise); peak RSS is the largest of those runs"
echo "time: wall clock; cpu: user + system seconds of all threads (cpu / time = cores kept busy)"
printf '%-44s %9s %9s %10s %6s  %s\n' "measurement" "time" "cpu" "peak RSS" "ratio" "target"
printf '%s\n' "${rows[@]}"
[ $cb_ready -eq 1 ] || echo "chargeback render is not built yet: only the peer was measured"
[ $failures -eq 0 ]
