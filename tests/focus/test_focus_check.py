#!/usr/bin/python3
"""Unit tests of focus_check.py: small hand-made focus.csv files that each break one rule must
be reported (so the checker cannot pass by checking nothing), and a clean one passes.
Usage: test_focus_check.py [-v]"""

import csv
import io
import os
import sys
import tempfile
import unittest
from contextlib import redirect_stdout

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import focus_check  # noqa: E402

USAGE = {
    "BilledCost": "2.17", "EffectiveCost": "2.17", "ListCost": "2.169393",
    "ContractedCost": "2.169393", "BillingAccountId": "Acme", "BillingAccountName": "Acme",
    "BillingCurrency": "USD", "BillingPeriodStart": "2026-10-01T00:00:00Z",
    "BillingPeriodEnd": "2026-11-01T00:00:00Z", "ChargePeriodStart": "2026-10-01T00:00:00Z",
    "ChargePeriodEnd": "2026-11-01T00:00:00Z", "ChargeCategory": "Usage", "ChargeClass": "",
    "ChargeFrequency": "Usage-Based", "ChargeDescription": "Haiku input tokens",
    "PricingQuantity": "2.169393", "PricingUnit": "1000000 Tokens", "ListUnitPrice": "1.00",
    "ConsumedQuantity": "2169393", "ConsumedUnit": "Tokens", "SkuId": "haiku/input",
    "SkuPriceId": "haiku/input/standard", "SkuMeter": "Input Tokens",
    "SkuPriceDetails": '{"x_ServiceTier":"standard"}', "ProviderName": "Finance",
    "PublisherName": "Anthropic", "InvoiceIssuerName": "Finance", "InvoiceId": "CB-1",
    "SubAccountId": "data", "SubAccountName": "Équipe Données", "ServiceName": "Claude API",
    "ServiceCategory": "AI and Machine Learning", "ServiceSubcategory": "Generative AI",
    "Tags": '{"team":"data"}',
}
ADJUSTMENT = dict(USAGE, BilledCost="0.22", EffectiveCost="0.22", ListCost="0.22",
                  ContractedCost="0.22", ChargeCategory="Adjustment",
                  ChargeDescription="Overhead", **{k: "" for k in (
                      "PricingQuantity", "PricingUnit", "ListUnitPrice", "ConsumedQuantity",
                      "ConsumedUnit", "SkuId", "SkuPriceId", "SkuMeter", "SkuPriceDetails")})


def run(rows, drop=(), caps=focus_check.DEFAULT_CAPS):
    """Writes rows (dicts) to a CSV without the columns in drop; returns (status, output)."""
    cols = [c for c in USAGE if c not in drop]
    with tempfile.NamedTemporaryFile("w", suffix=".csv", newline="", encoding="utf-8",
                                     delete=False) as f:
        w = csv.writer(f, lineterminator="\r\n")
        w.writerow(cols)
        for r in rows:
            w.writerow([r.get(c, "") for c in cols])
    out = io.StringIO()
    try:
        with redirect_stdout(out):
            st = focus_check.main([f.name, "--capabilities", caps])
    finally:
        os.unlink(f.name)
    return st, out.getvalue()


def failed(text, cls):
    for line in text.splitlines():
        if line.startswith("failed %s:" % cls):
            return set(line.split(":", 1)[1].split())
    raise AssertionError("no summary in:\n" + text)


class Cases(unittest.TestCase):
    def must(self, rows, rule, **kw):
        st, text = run(rows, **kw)
        self.assertEqual(st, 1, text)
        self.assertIn(rule, failed(text, "MUST"), text)
        return text

    def test_clean_file_passes(self):
        st, text = run([USAGE, ADJUSTMENT])
        self.assertEqual(st, 0, text)
        self.assertEqual(failed(text, "MUST"), set(), text)
        self.assertEqual(failed(text, "SHOULD"), set(), text)
        self.assertIn("rules checked", text)

    def test_rounded_list_cost(self):  # ListUnitPrice x PricingQuantity != ListCost
        text = self.must([dict(USAGE, ListCost="2.17")], "ListCost-C-009-C")
        self.assertIn("ListUnitPrice-C-010-C", failed(text, "MUST"))
        self.assertIn("ListCost='2.17'", text)

    def test_correction_may_differ(self):
        st, text = run([dict(USAGE, ListCost="2.17", ChargeClass="Correction")])
        self.assertNotIn("ListCost-C-009-C", failed(text, "MUST"), text)

    def test_marketplace_reading(self):  # ProviderName != InvoiceIssuerName needs BilledCost 0
        self.must([dict(USAGE, ProviderName="Anthropic")], "BilledCost-C-005-C")
        st, text = run([dict(USAGE, ProviderName="Anthropic", BilledCost="0")])
        self.assertNotIn("BilledCost-C-005-C", failed(text, "MUST"), text)

    def test_consumed_quantity_on_adjustment(self):
        self.must([dict(ADJUSTMENT, ConsumedQuantity="1", ConsumedUnit="Allocations")],
                  "ConsumedQuantity-C-004-C")

    def test_sku_columns_missing(self):
        text = self.must([USAGE], "CostAndUsage-D-058-C",
                         drop=("SkuId", "SkuPriceId", "SkuMeter", "SkuPriceDetails"))
        for r in ("CostAndUsage-D-059-C", "CostAndUsage-D-060-C", "CostAndUsage-D-061-C"):
            self.assertIn(r, failed(text, "MUST"))

    def test_sku_columns_not_required_without_price_list(self):
        caps = "TAGGING_SUPPORTED,SUB_ACCOUNT_SUPPORTED,USAGE_MEASUREMENT_SUPPORTED"
        st, text = run([USAGE], drop=("SkuId", "SkuPriceId", "SkuMeter", "SkuPriceDetails"),
                       caps=caps)
        self.assertEqual(st, 0, text)

    def test_usage_row_without_sku(self):
        self.must([dict(USAGE, SkuId="", SkuMeter="")], "SkuId-C-005-C")

    def test_price_id_with_two_skus(self):
        self.must([USAGE, dict(USAGE, SkuId="other")], "SkuPriceId-C-008-M")

    def test_allowed_values(self):
        self.must([dict(USAGE, ChargeCategory="Allocation")], "ChargeCategory-C-003-M")
        self.must([dict(USAGE, ChargeClass="Revision")], "ChargeClass-C-005-C")
        self.must([dict(USAGE, ChargeFrequency="Monthly")], "ChargeFrequency-C-003-M")
        self.must([dict(USAGE, ServiceSubcategory="Compute")], "ServiceSubcategory-C-003-M")
        self.must([dict(USAGE, ServiceSubcategory="Containers")], "ServiceSubcategory-C-004-M")

    def test_formats(self):
        self.must([dict(USAGE, BillingPeriodStart="2026-10-01")], "BillingPeriodStart-C-002-M")
        self.must([dict(USAGE, BilledCost="+2.17")], "BilledCost-C-002-M")
        self.must([dict(USAGE, Tags='{"team":{"x":1}}')], "Tags-C-001-M")
        self.must([dict(USAGE, BillingCurrency="XYZ")], "BillingCurrency-C-003-M")

    def test_nulls(self):
        self.must([dict(USAGE, BilledCost="")], "BilledCost-C-003-M")
        self.must([dict(USAGE, PricingUnit="")], "PricingUnit-C-006-C")

    def test_recommended_column_missing_is_should(self):
        st, text = run([USAGE], drop=("ChargeFrequency",))
        self.assertEqual(st, 0, text)
        self.assertIn("CostAndUsage-D-027-O", failed(text, "SHOULD"))

    def test_unit_format_is_should(self):
        st, text = run([dict(USAGE, PricingUnit="tokens/1M")])
        self.assertEqual(st, 0, text)
        self.assertIn("PricingUnit-C-003-O", failed(text, "SHOULD"))

    def test_bad_file(self):
        with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False) as f:
            f.write("BilledCost,ListCost\r\n1\r\n")
        with redirect_stdout(io.StringIO()):
            self.assertEqual(focus_check.main([f.name]), 2)
        os.unlink(f.name)


if __name__ == "__main__":
    unittest.main()
