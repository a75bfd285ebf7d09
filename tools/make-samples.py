#!/usr/bin/env python3
"""Writes the sample files of the other input formats (docs/input-formats.md) into sample-data/,
consistent with the sample month: the same people (as e-mail addresses), the same teams, the
same month. Deterministic: the same command gives the same bytes.

    python3 tools/make-samples.py build/chargeback

The Cost report is made from the tool's own list price of the sample month, day by day and model
by token type (each day of usage-2026-10.jsonl rendered alone), plus one code-execution charge
the logs cannot show, so that it adds up to the configuration's provider total (950.06) and the
reconciliation has something to explain."""
import json
import os
import subprocess
import sys
import tempfile
from decimal import Decimal

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sample = os.path.join(root, "sample-data")
tool = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "build", "chargeback")

# the list prices of 2026-10 (chargeback prices --at 2026-10-15), USD per million tokens:
# input, output, cache read, 5-minute cache write
PRICE = {
    "claude-sonnet-4-6": (3, 15, Decimal("0.30"), Decimal("3.75")),
    "claude-haiku-4-5": (1, 5, Decimal("0.10"), Decimal("1.25")),
    "claude-opus-4-7": (5, 25, Decimal("0.50"), Decimal("6.25")),
}
# people of the sample month, as Claude Code and the proxies name them, and their teams (the
# configuration maps the addresses to teams with attribution rules on "user")
PEOPLE = [
    ("farah.santos@acme.example", "data"),
    ("emil.dubois@acme.example", "product"),
    ("marco.haddad@acme.example", "research"),
    ("priya.haddad@acme.example", "support"),
    ("jonas.singh@acme.example", "research"),
]


def cost_cents(model, inp, out, cread, cwrite):
    p = PRICE[model]
    usd = (inp * p[0] + out * p[1] + cread * p[2] + cwrite * p[3]) / Decimal(1000000)
    return usd * 100


def dump(path, obj_or_lines):
    with open(os.path.join(sample, path), "w", encoding="utf-8") as f:
        if isinstance(obj_or_lines, list):
            for o in obj_or_lines:
                f.write(json.dumps(o, separators=(",", ":"), ensure_ascii=False) + "\n")
        else:
            f.write(json.dumps(obj_or_lines, indent=1, ensure_ascii=False) + "\n")


def claude_code():
    rows = []
    for d in range(1, 32):
        day = "2026-10-%02d" % d
        wd = (d + 3) % 7  # 2026-10-01 is a Thursday
        if wd >= 5:
            continue
        for i, (who, _team) in enumerate(PEOPLE):
            if (d + i) % 3 == 0:
                continue
            k = 1 + (d * 7 + i * 13) % 5
            mb = []
            for model, scale in (("claude-sonnet-4-6", 1), ("claude-haiku-4-5", 3)):
                inp, out = 40000 * k * scale, 9000 * k
                cread, cwrite = 300000 * k, 12000 * k
                cents = cost_cents(model, inp, out, cread, cwrite).quantize(Decimal("0.01"))
                mb.append({"estimated_cost": {"amount": float(cents), "currency": "USD"},
                           "model": model,
                           "tokens": {"cache_creation": cwrite, "cache_read": cread,
                                      "input": inp, "output": out}})
            rows.append({"actor": {"email_address": who, "type": "user_actor"},
                         "core_metrics": {"commits_by_claude_code": k + i % 2,
                                          "lines_of_code": {"added": 120 * k, "removed": 40 * k},
                                          "num_sessions": 2 + k,
                                          "pull_requests_by_claude_code": k // 2},
                         "customer_type": "api", "date": day + "T00:00:00Z",
                         "model_breakdown": mb,
                         "organization_id": "5b1d6c2e-9f0a-4c1e-8d77-acme00000001",
                         "terminal_type": "vscode", "subscription_type": "enterprise"})
    # the API returns at most 1000 rows a page; two pages show how they are given together
    half = len(rows) // 2
    with open(os.path.join(sample, "claude-code-2026-10.json"), "w", encoding="utf-8") as f:
        for part, more in ((rows[:half], True), (rows[half:], False)):
            page = {"data": part, "has_more": more,
                    "next_page": "page_MjAyNi0xMC0xNg==" if more else None}
            f.write(json.dumps(page, separators=(",", ":")) + "\n")


def otel():
    lines = []
    t0 = 1791763200  # 2026-10-12T00:00:00Z
    for i in range(40):
        who, team = PEOPLE[i % len(PEOPLE)]
        model = "claude-sonnet-4-6" if i % 4 else "claude-haiku-4-5"
        inp, out, cread, cwrite = 1200 + 37 * i, 300 + 11 * i, 20000 + 500 * i, 800 * (i % 3)
        usd = cost_cents(model, inp, out, cread, cwrite) / 100
        ts = t0 + i * 3917
        attrs = [
            {"key": "event.name", "value": {"stringValue": "api_request"}},
            {"key": "event.timestamp", "value": {"stringValue": "2026-10-%02dT%02d:%02d:%02d.000Z" % (
                12 + ts // 86400 - t0 // 86400, ts // 3600 % 24, ts // 60 % 60, ts % 60)}},
            {"key": "session.id", "value": {"stringValue": "sess-%04d" % (i // 5)}},
            {"key": "user.email", "value": {"stringValue": who}},
            {"key": "model", "value": {"stringValue": model}},
            {"key": "input_tokens", "value": {"stringValue": str(inp)}},
            {"key": "output_tokens", "value": {"stringValue": str(out)}},
            {"key": "cache_read_tokens", "value": {"stringValue": str(cread)}},
            {"key": "cache_creation_tokens", "value": {"stringValue": str(cwrite)}},
            {"key": "cost_usd", "value": {"doubleValue": float(usd.quantize(Decimal("0.000001")))}},
            {"key": "duration_ms", "value": {"stringValue": str(900 + 13 * i)}},
        ]
        other = {"timeUnixNano": "%d000000000" % ts,
                 "body": {"stringValue": "claude_code.tool_result"},
                 "attributes": [{"key": "event.name", "value": {"stringValue": "tool_result"}},
                                {"key": "tool_name", "value": {"stringValue": "Edit"}}]}
        lines.append({"resourceLogs": [{
            "resource": {"attributes": [
                {"key": "service.name", "value": {"stringValue": "claude-code"}},
                {"key": "department", "value": {"stringValue": team}}]},
            "scopeLogs": [{"scope": {"name": "com.anthropic.claude_code.events"},
                           "logRecords": [{"timeUnixNano": "%d000000000" % ts,
                                           "body": {"stringValue": "claude_code.api_request"},
                                           "attributes": attrs}, other]}]}]})
    dump("otel-logs-2026-10.jsonl", lines)


def bedrock():
    lines = []
    for i in range(30):
        who, team = PEOPLE[i % len(PEOPLE)]
        model = ["anthropic.claude-sonnet-4-6", "us.anthropic.claude-haiku-4-5-20251001-v1:0"][i % 2]
        lines.append({"schemaType": "ModelInvocationLog", "schemaVersion": "1.0",
                      "timestamp": "2026-10-%02dT%02d:15:00Z" % (1 + i, 8 + i % 9),
                      "accountId": "123456789012",
                      "identity": {"arn": "arn:aws:sts::123456789012:assumed-role/%s-app/i-%04d"
                                   % (team, i)},
                      "region": "us-east-1", "requestId": "bedrock-%04d-1b9e" % i,
                      "operation": "InvokeModel", "modelId": model,
                      "input": {"inputContentType": "application/json",
                                "inputTokenCount": 2000 + 50 * i,
                                "cacheReadInputTokenCount": 6000 * (i % 3),
                                "cacheWriteInputTokenCount": 1000 * (i % 2)},
                      "output": {"outputContentType": "application/json",
                                 "outputTokenCount": 400 + 9 * i},
                      "requestMetadata": {"team": team, "project": "bedrock-%s" % team,
                                          "user": who}})
    dump("bedrock-2026-10.jsonl", lines)


def litellm():
    lines = []
    for i in range(30):
        who, team = PEOPLE[(i + 2) % len(PEOPLE)]
        model = "claude-sonnet-4-6" if i % 3 else "claude-opus-4-7"
        cread, cwrite = 4000 * (i % 4), 500 * (i % 2)
        inp, out = 1500 + 20 * i, 350 + 7 * i
        usd = cost_cents(model, inp, out, cread, cwrite) / 100
        lines.append({"request_id": "chatcmpl-%04d-acme" % i, "call_type": "acompletion",
                      "api_key": "88dc28d0f030c55ed4ab77ed8faf098196cb1c05df778539800c9f1243fe6b4b",
                      "spend": float(usd.quantize(Decimal("0.0000001"))),
                      "total_tokens": inp + cread + cwrite + out,
                      "prompt_tokens": inp + cread + cwrite, "completion_tokens": out,
                      "startTime": "2026-10-%02dT10:%02d:00.000Z" % (1 + i, i),
                      "endTime": "2026-10-%02dT10:%02d:04.000Z" % (1 + i, i),
                      "model": model, "model_group": model, "custom_llm_provider": "anthropic",
                      "user": who, "team_id": "team-%s-7f3a" % team,
                      "metadata": {"user_api_key_team_alias": team,
                                   "user_api_key_alias": "proxy-%s" % team,
                                   "usage_object": {"prompt_tokens": inp + cread + cwrite,
                                                    "completion_tokens": out,
                                                    "cache_read_input_tokens": cread,
                                                    "cache_creation_input_tokens": cwrite}},
                      "request_tags": ["project:proxy-%s" % team, "jobID:%d" % (9000 + i)],
                      "cache_hit": "False", "status": "success"})
    dump("litellm-spend-2026-10.jsonl", lines)


def cost_report():
    """The month's Cost report, grouped by description: what the tool computes from the sample's
    native records, day by day, plus a code-execution charge the logs do not show."""
    by_day = {}
    with open(os.path.join(sample, "usage-2026-10.jsonl"), encoding="utf-8") as f:
        for line in f:
            try:
                day = json.loads(line).get("timestamp", "")[:10]
            except ValueError:
                continue
            if day.startswith("2026-10-"):
                by_day.setdefault(day, []).append(line)
    config = os.path.join(sample, "config.json")
    buckets = []
    total = Decimal(0)
    with tempfile.TemporaryDirectory() as tmp:
        zero = os.path.join(tmp, "zero.json")
        for day in sorted(by_day):
            with open(zero, "w") as f:
                json.dump({"data": [{"starting_at": day + "T00:00:00Z",
                                     "ending_at": day + "T23:59:59Z",
                                     "results": [{"amount": "0", "currency": "USD",
                                                  "cost_type": "tokens"}]}],
                           "has_more": False}, f)
            logs = os.path.join(tmp, "day.jsonl")
            with open(logs, "w", encoding="utf-8") as f:
                f.writelines(by_day[day])
            out = os.path.join(tmp, "out-" + day)
            cfg = json.load(open(config, encoding="utf-8"))
            cfg.pop("provider_invoice", None)
            with open(os.path.join(tmp, "cfg.json"), "w") as f:
                json.dump(cfg, f)
            subprocess.run([tool, "render", "-q", "-c", os.path.join(tmp, "cfg.json"),
                            "--month", "2026-10", "--formats", "json", "--out", out, logs, zero],
                           check=True, stderr=subprocess.DEVNULL)
            rep = json.load(open(os.path.join(out, "report.json"), encoding="utf-8"))
            results = []
            for line in rep["reconciliation_detail"]["by_model"]:
                if not line["model"] or Decimal(line["computed"]) == 0:
                    continue
                cents = Decimal(line["computed"]) * 100
                total += cents
                results.append({"amount": str(cents), "currency": "USD",
                                "cost_type": "web_search" if line["token_type"] == "web_search"
                                else "tokens",
                                "model": line["model"],
                                "token_type": None if line["token_type"] == "web_search"
                                else line["token_type"],
                                "service_tier": "standard", "context_window": "0-200k",
                                "workspace_id": None,
                                "description": "%s %s" % (line["model"], line["token_type"])})
            d = int(day[-2:])
            next_day = "2026-11-01" if d == 31 else "2026-10-%02d" % (d + 1)
            buckets.append({"starting_at": day + "T00:00:00Z",
                            "ending_at": next_day + "T00:00:00Z", "results": results})
    invoice = Decimal(json.load(open(config, encoding="utf-8"))["provider_invoice"]["2026-10"])
    rest = invoice * 100 - total
    buckets[-1]["results"].append({"amount": str(rest), "currency": "USD",
                                   "cost_type": "code_execution", "model": None,
                                   "token_type": None, "service_tier": None,
                                   "context_window": None, "workspace_id": None,
                                   "description": "Code execution container hours"})
    with open(os.path.join(sample, "cost-report-2026-10.json"), "w", encoding="utf-8") as f:
        # the API returns at most 31 buckets a page: two pages, as fetched
        for part, more in ((buckets[:16], True), (buckets[16:], False)):
            f.write(json.dumps({"data": part, "has_more": more,
                                "next_page": "page_x" if more else None},
                               separators=(",", ":")) + "\n")


claude_code()
otel()
bedrock()
litellm()
cost_report()
