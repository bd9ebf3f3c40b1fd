"""The printed table: every figure of a run, and each ratio beside its DESIGN.md §7 target."""

from typing import Any


def _verdict(ok: bool | None) -> str:
    return "" if ok is None else ("met" if ok else "MISSED")


def _n(value: Any, unit: str = "") -> str:
    if value is None:
        return "-"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.1f}{unit}"
    return f"{int(value):,}{unit}"


def rows(results: dict[str, Any]) -> list[tuple[str, str, str, str, str]]:
    """(figure, value, target, verdict, note) per line."""
    out: list[tuple[str, str, str, str, str]] = []
    r = results.get("ratios", {})
    events = int(results.get("events", 0))
    raw, dec, naive, reb = (results.get(k, {}) for k in ("raw", "raw_decode", "naive", "rebuild"))
    if raw:
        out += [
            ("bare aiokafka consume (ceiling)", _n(raw.get("events_per_s"), " ev/s"), "", "", ""),
            ("bare aiokafka consume + decode", _n(dec.get("events_per_s"), " ev/s"), "", "",
             "pydantic decode of every envelope"),
            ("naive: one transaction per event", _n(naive.get("events_per_s"), " ev/s"), "", "",
             f"sample {naive.get('sample', 0):,}"),
            ("monitoring rebuild (whole process)", _n(reb.get("events_per_s"), " ev/s"), "", "",
             f"{reb.get('wall_s')} s for {events:,} events"),
            ("rebuild ÷ raw consume", str(r.get("rebuild_over_raw")), "≥ 0.5",
             _verdict((r.get("rebuild_over_raw") or 0) >= 0.5), ""),
            ("rebuild ÷ raw consume + decode", str(r.get("rebuild_over_raw_decode")), "", "",
             "not a target: how far the writes are from the decode floor"),
            ("rebuild ÷ naive", str(r.get("rebuild_over_naive")), "≥ 20",
             _verdict((r.get("rebuild_over_naive") or 0) >= 20), ""),
        ]
        if events >= 1_000_000:
            out.append(("1M replay: rebuild wall time", _n(reb.get("wall_s"), " s"), "< 90 s",
                        _verdict(reb.get("wall_s", 1e9) < 90), "process start included"))
        else:
            out.append(("replay wall time", _n(reb.get("wall_s"), " s"), "< 90 s at 1M", "",
                        f"{events:,} events; BENCH_EVENTS=1000000 for the target run"))
        out.append(("monitoring rebuild peak RSS", _n(reb.get("peak_rss_mb"), " MB"), "< 300 MB",
                    _verdict(reb.get("peak_rss_mb", 1e9) < 300), f"at {events:,} events"))
    dash = results.get("dashboard") or {}
    if "headline_ms" in dash:
        out += [
            ("dashboard: live headline + funnel", _n(dash["headline_ms"], " ms"), "", "",
             f"{dash['women']:,} women in the rebuilt projection; funnel alone {dash['funnel_ms']} ms"),
            (f"dashboard: all {dash['indicators']} indicators", _n(dash["all_indicators_by_total_ms"], " ms"), "", "",
             f"per kecamatan {dash['all_indicators_by_kecamatan_ms']} ms, per month "
             f"{dash['all_indicators_by_period_ms']} ms"),
        ]
    elif dash:
        out.append(("dashboard reads", "failed", "", "", str(dash.get("error"))[:80]))
    if results.get("scale"):
        from .scale import rows as scale_rows

        out += scale_rows(results["scale"])
    tls = results.get("sasl") or {}
    if "sasl_ssl" in tls:
        on, off = tls["sasl_ssl"]["best"], tls["plaintext"]["best"]
        out += [
            ("raw consume, SASL_SSL ÷ PLAINTEXT", str(tls.get("raw_on_over_off")), "", "",
             f"{_n(on['raw_events_per_s'], ' ev/s')} vs {_n(off['raw_events_per_s'], ' ev/s')}, "
             f"best of {tls['rounds']}"),
            ("rebuild, SASL_SSL ÷ PLAINTEXT", str(tls.get("rebuild_on_over_off")), "", "",
             f"{_n(on['rebuild_events_per_s'], ' ev/s')} vs {_n(off['rebuild_events_per_s'], ' ev/s')}, "
             f"best of {tls['rounds']}"),
        ]
    elif tls:
        out.append(("SASL on vs off", "failed", "", "", str(tls.get("error"))[:80]))
    cmd = results.get("commands") or {}
    if "ratio" in cmd:
        out += [
            ("bare FastAPI+asyncpg insert", _n(cmd["bare_per_s"], " req/s"), "", "",
             f"p50 {cmd['bare_p50_ms']} ms, p99 {cmd['bare_p99_ms']} ms, {cmd['concurrency']} in flight"
             + (f", load generator at {cmd['bare_client_cpu_pct']}% of a core" if "bare_client_cpu_pct" in cmd else "")),
            ("registry POST /women (row+outbox)", _n(cmd["registry_per_s"], " req/s"), "", "",
             f"p50 {cmd['registry_p50_ms']} ms, p99 {cmd['registry_p99_ms']} ms"),
            ("command ÷ bare", str(cmd["ratio"]), "≥ 0.8", _verdict(cmd["ratio"] >= 0.8), ""),
        ]
        if "registry_cpu_ms" in cmd:
            out.append(("server CPU per command: registry / bare", f"{cmd['registry_cpu_ms']} / {cmd['bare_cpu_ms']} ms",
                        "", "", "process CPU time ÷ requests (best round); bare ÷ registry "
                        f"{round(cmd['bare_cpu_ms'] / cmd['registry_cpu_ms'], 2) if cmd['registry_cpu_ms'] else '-'}"))
    elif cmd:
        out.append(("command path", "failed", "", "", str(cmd.get("error"))[:80]))
    imp = results.get("import") or {}
    if "ratio" in imp:
        out += [
            (f"bulk import {imp['rows']:,} women (CSV)", _n(imp["import_rows_per_s"], " rows/s"), "", "",
             f"{imp['import_s']} s, {imp['registered']:,} registered, {imp['rejected']} rejected"),
            ("raw COPY of the same rows", _n(imp["copy_rows_per_s"], " rows/s"), "", "", f"{imp['copy_s']} s (best of 3)"),
            ("import ÷ COPY", str(imp["ratio"]), "≥ 0.25", _verdict(imp["ratio"] >= 0.25), ""),
        ]
    elif imp:
        out.append(("bulk import", "failed", "", "", str(imp.get("error"))[:80]))
    fr = results.get("freshness") or {}
    if "at_target" in fr:
        for key in ("at_target", "at_lower"):
            f = fr.get(key)
            if not f:
                continue
            rate = f["offered_per_s"]
            sustained = f["achieved_per_s"] >= 0.95 * rate and not f["errors"] and not f.get("stopped_at_s")
            out += [
                (f"commands at {rate:g}/s offered: achieved", _n(f["achieved_per_s"], "/s"), f"{rate:g}/s",
                 _verdict(sustained), f"HTTP p50 {f['http_p50_ms']} ms, p99 {f['http_p99_ms']} ms (from schedule)"
                 + (f"; backlog over 1 s, stopped at {f['stopped_at_s']} s" if f.get("stopped_at_s") else "")),
                (f"freshness p50 at {rate:g}/s offered", _n(f["fresh_p50_ms"], " ms"), "", "",
                 f"{f['samples']:,} samples ({f['samples_basis']}), {f['not_seen_within_60s']} not seen"),
                (f"freshness p99 at {rate:g}/s offered", _n(f["fresh_p99_ms"], " ms"),
                 "< 500 ms at 500/s" if key == "at_target" else "",
                 _verdict(f["fresh_p99_ms"] is not None and f["fresh_p99_ms"] < 500 and sustained)
                 if key == "at_target" else "", f"max {f['fresh_max_ms']} ms"),
            ]
            if f.get("feed_samples"):
                out += [
                    (f"201 → live feed p50 at {rate:g}/s", _n(f["feed_p50_ms"], " ms"), "", "",
                     f"{f['feed_samples']:,} samples, {f['feed_messages']} SSE messages, "
                     f"{f['feed_not_reached']} not reached"),
                    (f"201 → live feed p99 at {rate:g}/s", _n(f["feed_p99_ms"], " ms"), "< 1 s at 50/s",
                     _verdict(f["feed_p99_ms"] is not None and f["feed_p99_ms"] < 1000 and sustained
                              and rate >= 50), f"max {f['feed_max_ms']} ms; load {f.get('load_average_after')}"),
                ]
    elif fr:
        out.append(("freshness", "failed", "", "", str(fr.get("error"))[:80]))
    return out


def table(results: dict[str, Any]) -> str:
    lines = [f"  {'figure':<40} {'value':>16}  {'target':<18} {'':<6}  note", "  " + "-" * 110]
    for name, value, target, verdict, note in rows(results):
        lines.append(f"  {name:<40} {value:>16}  {target:<18} {verdict:<6}  {note}")
    return "\n".join(lines)
