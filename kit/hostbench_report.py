"""hostbench.md and hostbench.html from hostbench.json's document
(kit/hostbench.py), through templates/report/hostbench.*.j2.

Every figure is shown with its spread: a time as "median (min–max)" over
the interleaved rounds, an instruction count as callgrind counted it.
"""
from __future__ import annotations

from pathlib import Path

from .fsutil import write_atomic
from .report_render import TEMPLATES, Table, render, tidy

HOW_TO_READ = TEMPLATES / "hostbench_how_to_read.md"


def _names(doc: dict) -> list[str]:
    return [v["peer"] for v in doc["variants"]] + doc["peers"]


def _spread(fig: dict) -> str:
    return f"{fig['median_ns']:.1f} ({fig['min_ns']:.1f}–{fig['max_ns']:.1f})"


def allocator_table(doc: dict) -> Table:
    about = {v["peer"]: f"{v['preset']}: {v['mode']}, {v['page_alloc']} pages"
             + (", per-CPU page list" if v["pcp"] else "") for v in doc["variants"]}
    return Table(["allocator", "version", "what"],
                 [[n, doc["results"][n]["version"], about.get(n, "peer")]
                  for n in _names(doc)])


def time_table(doc: dict) -> Table:
    names, results = _names(doc), doc["results"]
    keys = list(dict.fromkeys(k for n in names for k in results[n]["figures"]))
    return Table(["operation"] + names,
                 [[k] + [_spread(results[n]["figures"][k]) if k in results[n]["figures"]
                         else "-" for n in names] for k in keys])


def instruction_table(doc: dict) -> Table | None:
    names, results = _names(doc), doc["results"]
    counted = [n for n in names if results[n].get("instructions")]
    if not counted:
        return None
    keys = list(dict.fromkeys(k for n in counted for k in results[n]["instructions"]))
    rows = [[k] + [f"{results[n]['instructions'][k]['per_op']:g}"
                   if k in results[n]["instructions"] else "-" for n in counted] for k in keys]
    first = keys[0]
    rows.append(["the bare loop (subtracted above)"]
                + [f"{results[n]['instructions'][first]['loop_per_op']:g}" for n in counted])
    return Table(["operation"] + counted, rows)


def ratio_tables(doc: dict) -> list[Table]:
    out = []
    for v in doc["variants"]:
        table = doc["ratios"][v["peer"]]
        out.append(Table(["operation"] + doc["peers"],
                         [[k] + [f"{table[k][p]:.2f}" if p in table[k] else "-"
                                 for p in doc["peers"]] for k in table],
                         caption=f"{v['peer']} / peer (median ns; below 1: mmkit is faster)"))
    return out


def what_table(doc: dict) -> Table:
    results = doc["results"]
    keys = list(dict.fromkeys(k for n in _names(doc) for k in results[n]["figures"]))
    return tidy(Table(["operation", "variant", "measures"],
                      [[k, v["peer"], results[v["peer"]]["figures"][k]["what"]]
                       for k in keys for v in doc["variants"]
                       if "what" in results[v["peer"]]["figures"].get(k, {})]))


def frag_table(doc: dict) -> Table | None:
    """Johnstone and Wilson's #4 per allocator and stress pattern, held by
    the allocator's own account and by resident pages."""
    names, results = _names(doc), doc["results"]
    patterns = doc.get("frag_patterns", [])
    if not patterns or not all(results[n].get("frag") for n in names):
        return None
    rows = []
    for n in names:
        frag = results[n]["frag"]
        failed = ", ".join(f"{p} {frag[p]['failures']}" for p in patterns
                           if frag[p]["failures"])
        rows.append([n] + [f"{frag[p]['held']:.2f}" if frag[p]["held"] is not None else "-"
                           for p in patterns]
                    + [f"{frag[p]['rss']:.2f}" for p in patterns] + [failed or "0"])
    return Table(["allocator"] + [f"{p} (own account)" for p in patterns]
                 + [f"{p} (resident)" for p in patterns] + ["requests refused"], rows)


def target_table(doc: dict) -> Table:
    return Table(["target", "status", "measured"],
                 [[t["target"], t["status"].upper() if t["status"] != "absent" else "absent",
                   t["detail"]] for t in doc["targets"]])


def sections(doc: dict) -> list[dict]:
    counted = instruction_table(doc)
    out = [{"title": "Targets", "tables": [target_table(doc)], "note": ""},
           {"title": "Nanoseconds per operation",
            "note": f"Median over {doc['rounds']} interleaved rounds of each round's fastest "
                    "repetition; the fastest and slowest round in parentheses.",
            "tables": [time_table(doc)]}]
    if counted:
        out.append({"title": "Instructions per operation (callgrind)", "tables": [counted],
                    "note": f"Counted by callgrind over {doc['count_iterations']} pairs, the "
                            "bare loop's own instructions subtracted; exact, so a difference "
                            "of one instruction is real."})
    frag = frag_table(doc)
    if frag:
        out.append({"title": "Fragmentation on the stress patterns (Johnstone-Wilson #4)",
                    "tables": [frag],
                    "note": "Peak held over peak live bytes requested (1.00: nothing beyond "
                            "what was asked for), for the kernel bench's fixed, increasing "
                            "and random patterns at its defaults, each in a process of its "
                            "own, less what was held before it began (memory an allocator "
                            "had reserved before and then used is not counted, so a pattern "
                            "that fits it can show below 1.00).  Own account: what the "
                            "allocator says it holds (glibc mallinfo2 arena + mmapped, "
                            "jemalloc stats.resident, tcmalloc heap less unmapped, mmkit the "
                            "kernel bench's footprint; mimalloc's release library keeps no "
                            "account: -); resident: the process's resident pages, which also "
                            "count pages an allocator touched once and keeps unused."})
    out += [{"title": "mmkit against each peer", "tables": ratio_tables(doc), "note": ""},
            {"title": "What mmkit's own figures measure", "tables": [what_table(doc)],
             "note": ""},
            {"title": "Allocators", "tables": [allocator_table(doc)], "note": ""},
            {"title": "How to read this report", "tables": [],
             "note": HOW_TO_READ.read_text(encoding="utf-8")}]
    return out


def markdown(doc: dict) -> str:
    return render("hostbench.markdown.j2", doc=doc, sections=sections(doc))


def write(doc: dict, base: Path) -> None:
    write_atomic(base / "hostbench.md", markdown(doc))
    write_atomic(base / "hostbench.html",
                 render("hostbench.html.j2", doc=doc, sections=sections(doc)))
