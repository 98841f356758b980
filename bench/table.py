"""The one table `make bench` ends with: each figure beside its reference, the ratio, the target and whether it
is met, from the figures each benchmark wrote (bench/run.py collects them)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass
class Row:
    what: str
    versus: str  # microcred's figure and the reference's
    ratio: str
    target: str
    met: str  # "yes", "NO", or why there is no verdict


def _met(ok: bool) -> str:
    return "yes" if ok else "NO"


def _credentials(r: dict[str, Any]) -> list[Row]:
    ms, ratios = r["ms"], r.get("ratios", {})
    rows = []
    for key, what in (
        ("issue credential", "issue one OB 3.0 credential (same documents, same key, one core)"),
        ("issue status list", "sign the issuer's status list credential (same)"),
        ("verify credential", "verify one credential (JSON form, uncached, status included)"),
    ):
        ours = ms[f"microcred {key}"]
        if key not in ratios:
            rows.append(Row(what, f"{ours:.1f} ms; Digital Bazaar skipped ({r['skipped']})", "—", "≥ 2x", "skipped"))
            continue
        theirs = ms[f"reference {key}"]
        ratio = ratios[key]
        versus = f"{ours:.1f} ms vs Digital Bazaar {theirs:.1f} ms"
        rows.append(Row(what, versus, f"{ratio:.2f}x", "≥ 2x", _met(ratio >= 2)))
    if r.get("cross"):
        passed = all(c["passed"] for c in r["cross"])
        names = ", ".join(f"{c['name']}: {'pass' if c['passed'] else 'FAIL ' + c['detail']}" for c in r["cross"])
        rows.append(
            Row("cross-verification with Digital Bazaar, both ways", names, "—", "pass, same signature", _met(passed))
        )
    return rows


def _verify_repeat(r: dict[str, float]) -> list[Row]:
    forms = ("JSON text", "JSON object", "VC-JWT")
    per_core = {form: r[f"repeat verify, {form} (/s)"] for form in forms if f"repeat verify, {form} (/s)" in r}
    clock = {form: r.get(f"repeat verify, {form}, wall (/s)") for form in per_core}
    rates = ", ".join(f"{rate:,.0f}/s {form}" for form, rate in per_core.items())
    if all(clock.values()):
        rates += " (by the clock on this busy machine: " + ", ".join(f"{clock[f]:,.0f}" for f in per_core) + ")"
    return [
        Row(
            "repeated verification of a known credential, per core (CPU time)",
            rates,
            "—",
            "≥ 5,000/s",
            _met(min(per_core.values()) >= 5000),
        )
    ]


def _signin(r: dict[str, float]) -> list[Row]:
    production, floor = r["production"], r["MD5 (floor)"]
    return [
        Row(
            "sign-in (the POST, Argon2id)",
            f"{production:.0f} ms vs MD5 (no hashing cost) {floor:.0f} ms",
            f"{floor / production:.2f}x",
            "< 300 ms",
            _met(production < 300),
        )
    ]


def _pages(r: dict[str, Any]) -> list[Row]:
    floor = r["floor_rps"]
    tool = "" if r["load"] == "wrk" else " (Python load, not wrk)"
    rows = []
    for what, ratio in r["ratios"].items():
        problems = r["problems"].get(what)
        note = f"; {problems:.0f} answers not 2xx/3xx" if problems else ""
        rows.append(
            Row(
                f"{what}{tool}",
                f"{r['rps'][what]:.1f}/s vs the floor {floor:.1f}/s{note}",
                f"{ratio:.2f}x",
                "≥ 0.7x the floor",
                _met(ratio >= 0.7 and not problems),
            )
        )
    return rows


def _scale(r: dict[str, Any]) -> list[Row]:
    on = ", PostgreSQL" if r.get("db") == "pg" else ""
    if "skipped" in r:
        return [Row(f"the list pages at 100,000 vs 1,000 attempts{on}", r["skipped"], "—", "≤ 1.5x", "skipped")]
    small, large = str(r["small"]), str(r["large"])
    rows = []
    for what, ratio in r["ratios"].items():
        a, b = r["sizes"][small][what], r["sizes"][large][what]
        flat = a["queries"] == b["queries"]
        rows.append(
            Row(
                f"{what} at {int(large):,} vs {int(small):,} attempts{on}",
                f"{a['ms']:.0f} ms → {b['ms']:.0f} ms; queries {a['queries']} → {b['queries']}",
                f"{ratio:.2f}x",
                "≤ 1.5x, queries flat",
                _met(ratio <= 1.5 and flat),
            )
        )
    return rows


def _autosave(r: dict[str, Any]) -> list[Row]:
    postgres = r["targets"].get("postgres")
    pace = f"each saving {r['think']:g} s after the last answer" if r.get("think") else "saving nonstop"
    what = f"autosave p95, {r['clients']} typists at once ({pace}), PostgreSQL"
    if postgres is None:
        return [Row(what, "no figures (see its output above)", "—", "< 50 ms", "skipped")]
    versus = f"p95 {postgres['p95_ms']:.0f} ms (p50 {postgres['p50_ms']:.0f} ms, {postgres['requests']} saves)"
    if not r["passed"]:
        versus += "; errors or lost writes, see above"
    return [Row(what, versus, "—", "< 50 ms", _met(postgres["p95_ms"] < 50 and r["passed"]))]


def _first_run(r: dict[str, Any]) -> list[Row]:
    ok = r["statuses"] == {"/healthz": 200, "/credentials/": 200}
    return [
        Row(
            "first page of `make run` on a fresh clone (uv, runtime lock only)",
            f"{r['seconds']:.0f} s" if ok else f"never answered: {r['statuses']}",
            "—",
            "≤ 60 s plus download time",
            _met(ok and r["seconds"] <= 60),
        )
    ]


MAKERS = {
    "credentials": _credentials,
    "verify_repeat": _verify_repeat,
    "signin": _signin,
    "pages": _pages,
    "autosave": _autosave,
    "scale": _scale,
    "scale_pg": _scale,
    "first_run": _first_run,
}


def rows_for(results: dict[str, Any]) -> list[Row]:
    rows = []
    for name, make in MAKERS.items():
        if name not in results:
            continue
        if results[name] is None:
            rows.append(Row(name, "the benchmark failed; its output is above", "—", "—", "NO"))
            continue
        rows.extend(make(results[name]))
    return rows


def table(rows: list[Row]) -> str:
    """A Markdown table, so the closing note of an issue can quote it as printed."""
    lines = [
        "| what | microcred vs reference | ratio | target | met? |",
        "| --- | --- | --- | --- | --- |",
        *(f"| {r.what} | {r.versus} | {r.ratio} | {r.target} | {r.met} |" for r in rows),
    ]
    met = sum(r.met == "yes" for r in rows)
    return "\n".join(lines) + f"\n\n{met} of {len(rows)} targets met."
