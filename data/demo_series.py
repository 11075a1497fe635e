"""The demo's time series, one method per indicator, each anchored on the article where it can be."""
from __future__ import annotations

import datetime as dt

from .catalogue import CITY_CODE, Indicator, Unit
from .periods import add_months, month_range, months_between
from . import demo as d

ELDERS_2020_08 = 169_000
BEDS_2020_08 = 6_818
STATIONS_2020_08 = 464
MEALS_2020_08 = 517  # 517 / 539 = 95.9%, the article's 96%
MODEL_CENTRES_2020_08 = 8


class Generator:
    """Builds submissions and observation rows for every indicator the catalogue defines."""

    def __init__(self, units: tuple[Unit, ...]):
        self.units = units
        self.periods = month_range(d.FIRST, d.LAST)
        self.townships = [u for u in units if u.kind == "township"]
        self.villages = {t.code: [u for u in units if u.kind == "village" and u.parent_code == t.code]
                         for t in self.townships}
        # How far ahead (+1) or behind (-1) each township runs: stable, varied, no randomness at call time.
        self.perf = {t.code: 2 * d._hash01("perf", t.code) - 1 for t in self.townships}
        size = {t.code: len([v for v in self.villages[t.code] if v.valid_in(d.ANCHOR)]) for t in self.townships}
        self.elders0 = d._largest_remainder(
            {c: n * (0.8 + 0.4 * d._hash01("elders", c)) for c, n in size.items()}, ELDERS_2020_08)
        self.beds0 = d._largest_remainder(
            {c: e * (0.75 + 0.5 * d._hash01("beds", c)) for c, e in self.elders0.items()}, BEDS_2020_08)

    # --- assembly --------------------------------------------------------------------------------
    def observations(self, catalogue: tuple[Indicator, ...]):
        """(submissions, rows, history); rows and history refer to submissions by their '_key'."""
        rows: dict[tuple, list[dict]] = {}
        for ind in catalogue:
            producer = getattr(self, "gen_" + ind.code, None)
            if producer is None:
                continue
            for unit_code, period, value, num, den in producer():
                key = self._submission_key(ind, unit_code, period)
                if key is None or self._village_missing(ind, unit_code, period):
                    continue
                rows.setdefault(key, []).append({
                    "indicator_code": ind.code, "unit_code": unit_code, "period": period, "value": value,
                    "numerator": num, "denominator": den, "note": None, "revision": 1, "_sub": key})
        subs = [self._submission(key, len(r)) for key, r in sorted(rows.items())]
        flat = [row for key in sorted(rows) for row in rows[key]]
        corrections, history = self._revisions(flat)
        return subs + corrections, flat, history

    def _submission_key(self, ind: Indicator, unit_code: str, period: str):
        """Which monthly file a row travels in: its township's, or the bureau's for city rows."""
        if ind.level == "city":
            return ("bureau", period)
        township = unit_code if ind.level == "township" else self._parent(unit_code)
        if township in d.MISSING_TOWNSHIP_REPORTS.get(period, ()):
            return None
        return (township, period)

    def _parent(self, code: str) -> str:
        if not hasattr(self, "_parents"):
            self._parents = {u.code: u.parent_code for u in self.units}
        return self._parents[code]

    def _village_missing(self, ind: Indicator, unit_code: str, period: str) -> bool:
        """A few village reports never arrive; in the latest month a dozen are still out."""
        if ind.level != "village":
            return False
        if period == d.LAST and d._hash01("late-last", unit_code) < d.LATE_VILLAGES_LAST_MONTH / 560:
            return True
        return d._hash01("gap", unit_code, period) < 0.004

    def _submission(self, key, rows: int) -> dict:
        who, period = key
        loaded_at = d._loaded_at(period, who)
        return {"_key": key, "file_name": f"{period}_{who}.xlsx", "checksum": f"demo:{who}:{period}",
                "loaded_at": loaded_at, "rows": rows, "changed_rows": rows,
                "loaded_by": "演示数据" if who != "bureau" else "民政局", "kind": "demo"}

    def _revisions(self, rows: list[dict]):
        """Three cells corrected by a later file: the first value goes to history."""
        picks = [("certified_social_workers", "330782100000", "2022-06", -15),
                 ("key_recipient_visit_rate", None, "2021-09", -3),
                 ("charity_index", CITY_CODE, "2021-12", -0.15)]
        subs, history = [], []
        for n, (code, unit, period, delta) in enumerate(picks, start=1):
            row = next((r for r in rows if r["indicator_code"] == code and r["period"] == period
                        and (unit is None or r["unit_code"] == unit)
                        and (r["numerator"] is None or r["numerator"] + delta >= 0)), None)
            if row is None:
                continue
            key = ("correction", f"{period}#{n}")
            subs.append({"_key": key, "file_name": f"{period}_更正_{n}.xlsx", "checksum": f"demo:fix:{n}",
                         "loaded_at": d._loaded_at(add_months(period, 1), f"fix{n}"), "rows": 1,
                         "changed_rows": 1, "loaded_by": "演示数据", "kind": "demo"})
            old = dict(row, revision=1, _superseded_by=key)
            if row["numerator"] is not None:
                old["numerator"] = row["numerator"] + delta
            else:
                old["value"] = round(row["value"] + delta, 2)
            history.append(old)
            row.update(revision=2, _sub=key)
        return subs, history

    # --- helpers -----------------------------------------------------------------------------------
    def _elders(self, code: str, period: str) -> int:
        return round(self.elders0[code] * 1.025 ** (months_between(d.ANCHOR, period) / 12))

    def _beds(self, code: str, period: str) -> int:
        """Beds change in steps as institutions open; the Aug 2020 figures add up to 6,818."""
        beds = self.beds0[code]
        for n in range(2):
            when = add_months(d.FIRST, int(d._hash01("open", code, n) * 48))
            size = 10 + int(d._hash01("size", code, n) * (40 + 30 * self.perf[code]))
            if d.ANCHOR < when <= period:
                beds += size
            elif period < when <= d.ANCHOR:
                beds -= size
        return max(beds, 10)

    def _township_rows(self, fn):
        for t in self.townships:
            for p in self.periods:
                yield (t.code, p, *fn(t.code, p))

    def _coverage(self, code, period, anchor_total, start_frac, end_frac):
        """Covered villages of a township, anchored so the city adds up to anchor_total in Aug 2020."""
        if not hasattr(self, "_cov_anchor"):
            self._cov_anchor = {}
        if anchor_total not in self._cov_anchor:
            dens = {c: self._villages_valid(c, d.ANCHOR) for c in self.perf}
            weights = {c: n * (0.93 + 0.06 * self.perf[c]) for c, n in dens.items()}
            self._cov_anchor[anchor_total] = d._largest_remainder(weights, anchor_total)
        den = self._villages_valid(code, period)
        anchor = self._cov_anchor[anchor_total][code] / self._villages_valid(code, d.ANCHOR)
        stuck = self.perf[code] < -0.6  # a couple of townships never quite get there
        end = min(1.0, end_frac + (0.0 if not stuck else -0.04))
        if period <= d.ANCHOR:
            frac = d._ramp(period, start_frac * anchor, anchor, d.FIRST, d.ANCHOR)
        else:
            reach = add_months(d.ANCHOR, 4 + int(10 * d._hash01("reach", code)))
            frac = d._ramp(min(period, reach), anchor, end, d.ANCHOR, reach)
        num = den if frac >= 1 else min(den, round(den * frac))
        if period == d.ANCHOR:
            num = self._cov_anchor[anchor_total][code]
        return num, den

    def _villages_valid(self, code: str, period: str) -> int:
        return sum(1 for v in self.villages[code] if v.valid_in(period))

    # --- one generator per indicator: yield (unit_code, period, value, numerator, denominator) ----
    def gen_elderly_beds_per_1000(self):
        yield from self._township_rows(lambda c, p: (None, float(self._beds(c, p)), float(self._elders(c, p))))

    def gen_certified_social_workers(self):
        share = {c: e / ELDERS_2020_08 for c, e in self.elders0.items()}

        def value(c, p):
            end = 1110 * share[c] * (1 + 0.3 * self.perf[c])
            frac = months_between(d.FIRST, p) / 47
            noise = (d._hash01("csw", c, p) - 0.5) * 0.02 * end
            return (float(max(0, round(end * (0.5 + 0.5 * frac ** 1.15) + noise))), None, None)
        yield from self._township_rows(value)

    def gen_new_5a_social_orgs(self):
        events = {"2019": ["2019-05", "2019-11"], "2020": ["2020-06", "2020-09", "2020-12"],
                  "2021": ["2021-04", "2021-10"], "2022": ["2022-04", "2022-11"]}
        ranked = sorted(self.perf, key=lambda c: -self.perf[c])
        hits = {}
        for n, p in enumerate(sum(events.values(), [])):
            hits[(ranked[(n * 3) % 7], p)] = hits.get((ranked[(n * 3) % 7], p), 0) + 1
        yield from self._township_rows(lambda c, p: (float(hits.get((c, p), 0)), None, None))

    def gen_party_mass_centres_upgraded(self):
        totals = {"2019": 28, "2020": 33, "2021": 31, "2022": 27}
        counts = {}
        for year, total in totals.items():
            weights = {(c, f"{year}-{m:02d}"): (1 + self.perf[c] * 0.4) * (0.5 + m / 12) * self._villages_valid(c, d.ANCHOR)
                       * (0.2 + 1.6 * d._hash01("pm", c, year, m))
                       for c in self.perf for m in range(1, 13)}
            counts.update(d._largest_remainder(weights, total))
        yield from self._township_rows(lambda c, p: (float(counts[(c, p)]), None, None))

    def gen_social_org_model_sites(self):
        ranked = sorted(self.perf, key=lambda c: -self.perf[c])
        opened = [(ranked[n % 14], add_months("2018-06", n * 2 + int(d._hash01("site", n) * 2)))
                  for n in range(22)]
        yield from self._township_rows(
            lambda c, p: (float(sum(1 for t, when in opened if t == c and when <= p)), None, None))

    def gen_new_social_work_orgs(self):
        months = [add_months(d.FIRST, int(d._hash01("swo", n) * 48)) for n in range(16)]
        months = sorted(set(months))
        where = {p: sorted(self.perf)[int(d._hash01("swo-t", p) * 14)] for p in months}
        yield from self._township_rows(lambda c, p: (float(1 if where.get(p) == c else 0), None, None))

    def gen_model_home_care_centres(self):
        ranked = sorted(self.perf, key=lambda c: -self.perf[c])
        opened = {c: add_months("2018-10", n * 2) for n, c in enumerate(ranked[:MODEL_CENTRES_2020_08])}
        later = ["2020-10", "2020-11", "2020-11", "2020-12", "2020-12", "2021-05"]
        opened.update({c: later[n] for n, c in enumerate(ranked[MODEL_CENTRES_2020_08:])})
        yield from self._township_rows(lambda c, p: (float(1 if opened[c] <= p else 0), None, None))

    def gen_home_care_station_coverage(self):
        yield from self._township_rows(lambda c, p: (None, *map(float, self._coverage(c, p, STATIONS_2020_08, 0.88, 1.0))))

    def gen_meal_service_coverage(self):
        yield from self._township_rows(lambda c, p: (None, *map(float, self._coverage(c, p, MEALS_2020_08, 0.97, 0.995))))

    def gen_social_workers_per_60_beds(self):
        def value(c, p):
            frac = months_between(d.FIRST, p) / 47
            ratio = (0.5 + 0.47 * frac) * (1 + 0.25 * self.perf[c])
            beds = self._beds(c, p)
            return (None, float(round(beds / 60 * ratio)), float(beds))
        yield from self._township_rows(value)

    def gen_social_workers_per_500_elders(self):
        def value(c, p):
            frac = months_between(d.FIRST, p) / 47
            ratio = (0.45 + 0.5 * frac) * (1 + 0.2 * self.perf[c])
            elders = self._elders(c, p)
            return (None, float(round(elders / 500 * ratio)), float(elders))
        yield from self._township_rows(value)

    def gen_family_doctor_elderly_coverage(self):
        def value(c, p):
            frac = min(1.0, 0.62 + (0.33 + 0.05 * self.perf[c]) * months_between(d.FIRST, p) / 47)
            elders = self._elders(c, p)
            return (None, float(round(elders * frac)), float(elders))
        yield from self._township_rows(value)

    def gen_key_recipient_visit_rate(self):
        for t in self.townships:
            for v in self.villages[t.code]:
                base = 3 + int(d._hash01("k", v.code) * 30)
                for p in self.periods:
                    if not v.valid_in(p):
                        continue
                    k = base + int(d._hash01("k", v.code, p[:4]) * 4)
                    frac = months_between(d.FIRST, p) / 47
                    rate = 0.84 + 0.05 * self.perf[t.code] + 0.15 * frac + 0.08 * (d._hash01("r", v.code, p) - 0.5)
                    yield (v.code, p, None, float(min(k, max(0, round(k * rate)))), float(k))

    def gen_charity_index(self):
        for p in self.periods:
            if p <= d.ANCHOR:
                value = d._ramp(p, 78.60, 81.02, d.FIRST, d.ANCHOR)
            else:
                value = d._ramp(p, 81.02, 84.20, d.ANCHOR, d.LAST)
            if p != d.ANCHOR:
                value += (d._hash01("ci", p) - 0.5) * 0.1
            yield (CITY_CODE, p, round(value, 2), None, None)

    def gen_dibao_standard(self):
        steps = [("2019-07", 10_200), ("2020-07", 10_800), ("2021-07", 11_400), ("2022-07", 11_950)]
        for p in self.periods:
            value = 9_720
            for when, amount in steps:
                if p >= when:
                    value = amount
            yield (CITY_CODE, p, float(value), None, None)

    def gen_welfare_lottery_elderly_share(self):
        share = {"2019": 0.52, "2020": 0.565, "2021": 0.58, "2022": 0.575}
        for p in self.periods:
            months = month_range(p[:4] + "-01", p)
            spend = sum(150 + 40 * d._hash01("wl", m) for m in months)
            elderly = sum((150 + 40 * d._hash01("wl", m)) * (share[m[:4]] + 0.04 * (d._hash01("ws", m) - 0.5))
                          for m in months)
            yield (CITY_CODE, p, None, round(elderly, 1), round(spend, 1))

    def gen_brand_social_orgs(self):
        for p in self.periods:
            yield (CITY_CODE, p, float(min(10, 3 + months_between(d.FIRST, p) // 6)), None, None)

    def gen_social_org_leaders(self):
        for p in self.periods:
            yield (CITY_CODE, p, float(6 + months_between(d.FIRST, p) * 11 // 47), None, None)
