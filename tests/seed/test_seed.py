"""Unit tests of the seed services' pure parts (run: <venv>/bin/python -m unittest -q test_seed)."""

import argparse
import math
import unittest

import loadgen
import telemetry


def load_args(**kw):
    base = dict(requests=5000, seed=7, mix=loadgen.DEFAULT_MIX, scale=1.0, slow_fraction=0.03,
                slow_median_ms=900.0, slow_sigma=0.35, error_rate=0.02)
    base.update(kw)
    return argparse.Namespace(**base)


class QuantileTest(unittest.TestCase):
    def test_type7_matches_known_values(self):
        xs = [1.0, 2.0, 3.0, 4.0]
        for q, want in [(0.0, 1.0), (0.5, 2.5), (0.9, 3.7), (1.0, 4.0)]:
            with self.subTest(q=q):
                self.assertAlmostEqual(loadgen.quantile_sorted(xs, q), want)

    def test_single_and_empty(self):
        self.assertEqual(loadgen.quantile_sorted([5.0], 0.99), 5.0)
        self.assertTrue(math.isnan(loadgen.quantile_sorted([], 0.5)))

    def test_stats_skip_missing(self):
        s = loadgen.stats([3.0, None, 1.0, 2.0])
        self.assertEqual((s["count"], s["min"], s["max"], s["p50"]), (3, 1.0, 3.0, 2.0))


class PlanTest(unittest.TestCase):
    def test_same_seed_same_plan(self):
        self.assertEqual(loadgen.plan(load_args()), loadgen.plan(load_args()))

    def test_other_seed_other_plan(self):
        self.assertNotEqual(loadgen.plan(load_args()), loadgen.plan(load_args(seed=8)))

    def test_mix_tail_and_errors_follow_the_knobs(self):
        reqs = loadgen.plan(load_args())
        n = len(reqs)
        share = {r: sum(1 for x in reqs if x["route"] == r) / n for r in loadgen.ROUTES}
        self.assertAlmostEqual(share["/api/search"], 0.5, delta=0.03)
        self.assertAlmostEqual(share["/api/checkout"], 0.2, delta=0.03)
        self.assertAlmostEqual(sum(x["slowTail"] for x in reqs) / n, 0.03, delta=0.01)
        self.assertAlmostEqual(sum(x["plannedStatus"] == 500 for x in reqs) / n, 0.02, delta=0.01)
        self.assertTrue(all(0 < x["injectedMs"] <= loadgen.MAX_LATENCY_MS for x in reqs))

    def test_slow_tail_knob_raises_p99_not_p50(self):
        def pct(args, q):
            return loadgen.quantile_sorted(sorted(x["injectedMs"] for x in loadgen.plan(args)), q)
        calm, slow = load_args(), load_args(slow_fraction=0.2)
        self.assertGreater(pct(slow, 0.99), pct(calm, 0.99))
        self.assertGreater(pct(slow, 0.9), 2 * pct(calm, 0.9))
        self.assertLess(pct(slow, 0.5), 1.5 * pct(calm, 0.5))

    def test_unknown_route_in_mix_is_refused(self):
        with self.assertRaises(SystemExit):
            loadgen.plan(load_args(mix="/nope=1"))


class LogfmtTest(unittest.TestCase):
    def test_quotes_only_when_needed(self):
        self.assertEqual(telemetry.logfmt([("msg", "order processed"), ("n", 3), ("e", ""), ("q", 'a"b')]),
                         'msg="order processed" n=3 e="" q="a\\"b"')


if __name__ == "__main__":
    unittest.main()
