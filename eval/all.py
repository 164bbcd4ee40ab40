#!/usr/bin/env python3
"""Every dev set in one go: one table, newsdesk beside the stored peer figures.

Runs the scorers that live with the evaluation data (../shared/eval by
default; nothing from there is copied here) against one newsdesk binary and
prints the figures each issue names, next to trafilatura 2.3.1's stored dev
figures where the suites have them. A change is kept only if no row gets
worse: run this before and after and compare the two JSON files it writes.

    python3 eval/all.py target/release/newsdesk [--out nd-all.json] [--only suites,extraction,dumps,quotes,entities]
    python3 eval/all.py --diff before.json after.json

Hold-out discipline: `--half` splits the suite pages by a hash of their
site (host name) into halves A and B, and the table shows both, so tuning
on one half can be checked on the other.
"""

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
from urllib.parse import urlparse

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

# (source, group, metric, higher_is_better)
SUITE_ROWS = [
    ("readability", "real", "body_f1", True),
    ("readability", "real", "article_lost", False),
    ("readability", "real", "byline_overlap", True),
    ("readability", "real", "title_contains", True),
    ("newspaper4k", "all", "body_f1", True),
    ("newspaper4k", "all", "authors_exact", True),
    ("newspaper4k", "all", "published_day", True),
    ("trafilatura", "all", "must_contain", True),
    ("trafilatura", "all", "must_not_contain_viol", False),
    ("trafilatura", "all", "snippets_page_ok", True),
    ("trafilatura", "all", "article_lost", False),
    ("trafilatura", "all", "authors_exact", True),
    ("trafilatura", "all", "published_day", True),
    ("htmldate", "all", "published_day", True),
    ("htmldate", "all", "latest_day", True),
]


def run(cmd, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if r.returncode != 0:
        sys.stderr.write(f"command failed ({r.returncode}): {' '.join(cmd)}\n{r.stderr[-2000:]}\n")
        return None
    return r.stdout


def half_of(url):
    host = urlparse(url or "").hostname or ""
    host = host[4:] if host.startswith("www.") else host
    # Salted: the suites' own dev/held-out split hashes the bare host name,
    # so its parity is the same on every dev page.
    return "A" if hashlib.sha1(b"newsdesk-half:" + host.encode()).digest()[0] % 2 == 0 else "B"


def suites(binary, data, tmp, results):
    summary = os.path.join(tmp, "suites.json")
    details = os.path.join(tmp, "suites-pages.jsonl")
    if run([sys.executable, os.path.join(data, "suites", "score.py"), binary, "--summary", summary,
            "--details", details]) is None:
        return
    s = json.load(open(summary))
    gold = {}
    for src in ("readability", "newspaper4k", "trafilatura", "htmldate"):
        path = os.path.join(data, "suites", src, "gold.jsonl")
        if os.path.exists(path):
            for line in open(path, encoding="utf-8"):
                if line.strip():
                    c = json.loads(line)
                    gold[(src, c["id"])] = c
    # Sums and counts per (source, group, half, metric), page by page.
    halves = {}

    def add(key, hit, n=1):
        t = halves.setdefault(key, [0.0, 0])
        t[0] += hit
        t[1] += n

    for line in open(details, encoding="utf-8"):
        if not line.strip():
            continue
        d = json.loads(line)
        src, pid = d.get("source"), d.get("id")
        g = gold.get((src, pid), {})
        # Readability's pages carry no URL: their ids split them.
        h = half_of(g.get("url") or f"http://{src}-{pid}/")
        group = "all"
        if src == "readability":
            group = "synthetic" if g.get("synthetic") else "real"
        for k, v in d.items():
            if isinstance(v, (bool, int, float)) and k not in ("snippets_ok",):
                add((src, group, h, k), float(v))
        nw, nwo = len(g.get("must_contain") or []), len(g.get("must_not_contain") or [])
        if nw:
            add((src, group, h, "must_contain"), nw - len(d.get("missing") or []), nw)
        if nwo:
            add((src, group, h, "must_not_contain_viol"), len(d.get("violations") or []), nwo)
        if "snippets_ok" in d:
            add((src, group, h, "snippets_page_ok"), float(d["snippets_ok"]))
    for src, group, metric, _ in SUITE_ROWS:
        g = s.get("sources", {}).get(src, {}).get("groups", {}).get(group, {}).get(metric)
        if g:
            results[f"{src}.{group}.{metric}"] = g["value"]
        for h in "AB":
            t = halves.get((src, group, h, metric))
            if t and t[1]:
                results[f"{src}.{group}.{metric}@{h}"] = t[0] / t[1]
    results["_suites_details"] = details


def extraction(binary, data, tmp, results):
    pred = os.path.join(tmp, "extraction-pred.json")
    if run([binary, "bench", "extraction", os.path.join(data, "extraction"), "--out", pred, "--passes", "1"]) is None:
        return
    out = run([sys.executable, os.path.join(data, "extraction", "score.py"),
               os.path.join(data, "extraction", "ground-truth.json"), pred, "--json"])
    if out:
        m = json.loads(out)
        for k in ("f1", "precision", "recall"):
            if k in m:
                results[f"extraction.{k}"] = m[k]


def dumps(binary, data, tmp, results):
    pred = os.path.join(tmp, "dumps-pred.jsonl")
    if run([binary, "eval", "dumps", os.path.join(data, "dumps"), "--out", pred]) is None:
        return
    out = run([sys.executable, os.path.join(data, "dumps", "score.py"), os.path.join(data, "dumps", "gold.jsonl"),
               pred, "--json"])
    if out:
        m = json.loads(out)
        for k, v in m.items():
            if isinstance(v, (int, float)):
                results[f"dumps.{k}"] = v


def quotes(binary, data, tmp, results):
    pred = os.path.join(tmp, "quotes-pred.jsonl")
    dev = os.path.join(data, "quotes", "dev.jsonl")
    if run([binary, "eval", "quotes", dev, "--out", pred]) is None:
        return
    js = os.path.join(tmp, "quotes.json")
    if run([sys.executable, os.path.join(data, "quotes", "score.py"), dev, pred, "--json", js]) is None:
        return
    m = json.load(open(js))
    flat = {}

    def walk(prefix, v):
        if isinstance(v, dict):
            for k, x in v.items():
                walk(f"{prefix}.{k}", x)
        elif isinstance(v, (int, float)) and not isinstance(v, bool):
            flat[prefix] = v

    walk("quotes", m)
    for k, v in flat.items():
        if k.endswith("f1"):
            results[k] = v


def entities(binary, data, tmp, results, langs):
    sets = {
        "en": "conll2003-eng.testa.jsonl", "es": "conll2002-esp.testa.jsonl", "nl": "conll2002-ned.testa.jsonl",
        "de": "germeval2014-deu.dev.jsonl", "pt": "harem-por.dev.jsonl",
    }
    for lang in langs:
        gold = os.path.join(data, "entities", sets[lang])
        pred = os.path.join(tmp, f"entities-{lang}.jsonl")
        if run([sys.executable, os.path.join(data, "entities", "run_newsdesk.py"), gold, pred, "--bin", binary]) is None:
            continue
        out = run([sys.executable, os.path.join(data, "entities", "score.py"), gold, pred, "--json"])
        if not out:
            continue
        m = json.loads(out)
        for kind, v in (m.get("exact") or {}).items():
            if isinstance(v, dict) and "f1" in v:
                results[f"entities.{lang}.exact.{kind}.f1"] = v["f1"]
        docs = (m.get("docs") or {}).get("overall") or {}
        if "f1" in docs:
            results[f"entities.{lang}.docs.f1"] = docs["f1"]


def peer_figures(data):
    path = os.path.join(data, "suites", "baselines", "trafilatura-2.3.1.dev.summary.json")
    out = {}
    if not os.path.exists(path):
        return out
    s = json.load(open(path))
    for src, group, metric, _ in SUITE_ROWS:
        g = s.get("sources", {}).get(src, {}).get("groups", {}).get(group, {}).get(metric)
        if g:
            out[f"{src}.{group}.{metric}"] = g["value"]
    return out


def lower_is_better(key):
    return any(key.startswith(f"{s}.{g}.{m}") for s, g, m, hib in SUITE_ROWS if not hib)


def table(results, peer):
    keys = [k for k in results if not k.startswith("_") and "@" not in k]
    print(f"{'metric':48} {'newsdesk':>9} {'half A':>7} {'half B':>7} {'trafilatura':>11}")
    for k in keys:
        v = results[k]
        a, b = results.get(k + "@A"), results.get(k + "@B")
        p = peer.get(k)
        fmt = lambda x: f"{x:.3f}" if isinstance(x, (int, float)) else "-"
        mark = ""
        if p is not None:
            ahead = v <= p if lower_is_better(k) else v >= p
            mark = "" if ahead else "  behind"
        print(f"{k:48} {fmt(v):>9} {fmt(a):>7} {fmt(b):>7} {fmt(p):>11}{mark}")


def diff(before, after):
    b, a = json.load(open(before)), json.load(open(after))
    worse = 0
    print(f"{'metric':52} {'before':>8} {'after':>8}")
    for k in sorted(set(a) | set(b)):
        if k.startswith("_"):
            continue
        x, y = b.get(k), a.get(k)
        if not isinstance(x, (int, float)) or not isinstance(y, (int, float)):
            continue
        d = y - x
        bad = d > 1e-9 if lower_is_better(k.split("@")[0]) else d < -1e-9
        worse += bad
        flag = "  WORSE" if bad else ("  better" if abs(d) > 1e-9 else "")
        print(f"{k:52} {x:8.3f} {y:8.3f}{flag}")
    print(f"\n{worse} figure(s) worse")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("binary", nargs="?")
    ap.add_argument("--data", default=os.path.join(ROOT, "..", "shared", "eval"))
    ap.add_argument("--out", default="nd-all.json", help="where to write every figure as JSON")
    ap.add_argument("--only", default="suites,extraction,dumps", help="comma list of suites,extraction,dumps,quotes,entities")
    ap.add_argument("--langs", default="en", help="entity sets: en,es,nl,de,pt")
    ap.add_argument("--diff", nargs=2, metavar=("BEFORE", "AFTER"))
    args = ap.parse_args()
    if args.diff:
        diff(*args.diff)
        return
    if not args.binary:
        ap.error("the newsdesk binary is required")
    data = os.path.abspath(args.data)
    if not os.path.isdir(data):
        sys.exit(f"no evaluation data at {data} (pass --data)")
    binary = os.path.abspath(args.binary)
    only = set(args.only.split(","))
    results = {}
    tmp = tempfile.mkdtemp(prefix="nd-eval-")
    if "suites" in only:
        suites(binary, data, tmp, results)
    if "extraction" in only:
        extraction(binary, data, tmp, results)
    if "dumps" in only:
        dumps(binary, data, tmp, results)
    if "quotes" in only:
        quotes(binary, data, tmp, results)
    if "entities" in only:
        entities(binary, data, tmp, results, args.langs.split(","))
    json.dump(results, open(args.out, "w"), indent=1, sort_keys=True)
    table(results, peer_figures(data))
    print(f"\nfigures in {args.out}; per-page suite details in {results.get('_suites_details', '-')}")


if __name__ == "__main__":
    main()
