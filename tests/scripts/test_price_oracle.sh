#!/usr/bin/env bash
# An independent oracle for the price variants (SPEC §3): 3,000 random requests on three current
# models with every combination of batch, fast mode, US-only inference and the long-prompt band
# the model offers, priced here with Python's exact fractions from the provider's list (the
# table below, from docs/prices.md), rounded once per invoice line, half away from zero; every
# team's lines and total in report.json must equal it to the cent.
set -euo pipefail
bin=$1
scratch=$3
rm -rf "$scratch"
mkdir -p "$scratch"

/usr/bin/python3 - "$bin" "$scratch" <<'EOF'
import json, random, subprocess, sys
from fractions import Fraction as F

bin, scratch = sys.argv[1], sys.argv[2]
# USD per million tokens: input, output, cache read, 5-minute write, 1-hour write
P = {
    "claude-opus-5-5":   {"std": ["4", "20", "0.20", "5", "8"], "long": None,
                          "above": None, "fast": "2", "us": "1.1"},
    "claude-haiku-5-5":  {"std": ["0.10", "0.50", "0.01", "0.125", "0.20"],
                          "long": ["0.50", "2.50", "0.05", "0.625", "1.00"],
                          "above": 100000, "fast": None, "us": "1.1"},
    "claude-sonnet-4-6": {"std": ["3", "15", "0.30", "3.75", "6"], "long": None,
                          "above": None, "fast": None, "us": "1.1"},
}
KINDS = ["input", "output", "cache_read", "cache_write_5m", "cache_write_1h"]
rnd = random.Random(20261202)
want = {}  # team -> line key -> tokens
with open(f"{scratch}/month.jsonl", "w") as f:
    for i in range(3000):
        model = rnd.choice(sorted(P))
        p = P[model]
        team = f"t{rnd.randrange(5)}"
        rec = {"request_id": f"r{i}", "timestamp": f"2026-11-{rnd.randrange(1, 31):02d}T12:00:00Z",
               "model": model, "team": team}
        tok = [rnd.choice([0, rnd.randrange(1, 3000), rnd.randrange(1, 80000)]) for _ in KINDS]
        tok[1] = rnd.randrange(0, 20000)
        usage = {"input_tokens": tok[0], "output_tokens": tok[1],
                 "cache_read_input_tokens": tok[2],
                 "cache_creation": {"ephemeral_5m_input_tokens": tok[3],
                                    "ephemeral_1h_input_tokens": tok[4]}}
        batch = rnd.random() < 0.3
        fast = p["fast"] is not None and rnd.random() < 0.4
        us = rnd.random() < 0.4
        if batch:
            rec["batch"] = True
        where = usage if rnd.random() < 0.5 else rec
        if fast:
            where["speed"] = "fast"
        if us:
            where["inference_geo"] = "us"
        elif rnd.random() < 0.2:
            where["inference_geo"] = "global"
        rec["usage"] = usage
        prompt = tok[0] + tok[2] + tok[3] + tok[4]
        long = p["above"] is not None and prompt > p["above"]
        for k, n in enumerate(tok):
            if n:
                key = (model, KINDS[k], batch, long, fast, us)
                want.setdefault(team, {}).setdefault(key, 0)
                want[team][key] += n
        f.write(json.dumps(rec) + "\n")

def cents(tokens, unit):
    x = F(tokens) * unit / 10**6 * 100
    q = x.numerator // x.denominator
    return q + (1 if (x - q) >= F(1, 2) else 0)

def unit(model, kind, batch, long, fast, us):
    p = P[model]
    u = F((p["long"] if long else p["std"])[KINDS.index(kind)])
    if fast:
        u *= F(p["fast"])
    if us:
        u *= F(p["us"])
    if batch:
        u *= F(1, 2)
    return u

cfg = {"organization": "Oracle", "teams": {f"t{i}": {"name": f"T{i}"} for i in range(5)}}
json.dump(cfg, open(f"{scratch}/config.json", "w"))
subprocess.run([bin, "render", "--quiet", "--config", f"{scratch}/config.json", "--formats",
                "json", "--out", f"{scratch}/out", f"{scratch}/month.jsonl"], check=True)
rep = json.load(open(f"{scratch}/out/report.json"))
assert rep["inputs"]["records_rejected"] == 0, rep["inputs"]
bad = 0
for t in rep["teams"]:
    got = {}
    for l in t["lines"]:
        key = (l["model"], l["kind"], l["batch"], l["band"] == "long_prompt", l["speed"] == "fast",
               l["inference_geo"] == "us")
        assert key not in got, f"two lines for {key}"
        got[key] = (l["quantity"], l["amount"], l["unit_price"])
    exp = want.get(t["team"], {})
    if set(got) != set(exp):
        print(f"FAIL: {t['team']}: lines {sorted(set(got) ^ set(exp))}")
        bad += 1
        continue
    total = 0
    for key, n in exp.items():
        c = cents(n, unit(*key))
        total += c
        q, amount, up = got[key]
        if q != n or amount != f"{c // 100}.{c % 100:02d}" or F(up) != unit(*key):
            print(f"FAIL: {t['team']} {key}: want {n} tokens, {c} cents at {unit(*key)}; "
                  f"got {q}, {amount} at {up}")
            bad += 1
    if t["total"] != f"{total // 100}.{total % 100:02d}":
        print(f"FAIL: {t['team']} total {t['total']}, want {total} cents")
        bad += 1
variants = {k[2:] for lines in want.values() for k in lines}
print(f"{len(rep['teams'])} teams, {sum(len(v) for v in want.values())} lines, "
      f"{len(variants)} of the 16 variant combinations (batch, long, fast, US) checked")
assert len(variants) >= 12, variants
sys.exit(1 if bad else 0)
EOF
echo "price oracle: ok"
