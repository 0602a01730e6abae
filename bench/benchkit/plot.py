"""Bar chart of ours against Bacula per task: python plot.py results.json out.png"""

import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def main(src: str, dst: str) -> None:
    res = json.load(open(src))
    rows = [r for r in res["tasks"] if r["ours"] or r["bacula"]]
    labels = [r["task"] for r in rows]
    ours = [r["ours"]["seconds"] if r["ours"] else 0 for r in rows]
    bac = [r["bacula"]["seconds"] if r["bacula"] else 0 for r in rows]
    fig, ax = plt.subplots(figsize=(max(8, 0.9 * len(rows)), 5))
    x = range(len(rows))
    w = 0.4
    b1 = ax.bar([i - w / 2 for i in x], ours, w, label="bareos-py", color="#2b7bba")
    b2 = ax.bar([i + w / 2 for i in x], bac, w, label="Bacula 9.6", color="#d9822b")
    for bars in (b1, b2):
        for b in bars:
            if b.get_height() > 0:
                ax.annotate(f"{b.get_height():.1f}", (b.get_x() + b.get_width() / 2, b.get_height()),
                            ha="center", va="bottom", fontsize=7)
    for i, r in enumerate(rows):
        if r.get("ratio") is not None:
            ax.annotate(f"x{r['ratio']:.2f}", (i, max(ours[i], bac[i]) * 1.25), ha="center", fontsize=7,
                        color="green" if r.get("met") else "red")
    ax.set_yscale("log")
    top = max(ours + bac + [1])
    ax.set_ylim(top=top * 2.5)
    ax.set_ylabel("seconds per job (median, log scale; lower is better)")
    ax.set_xticks(list(x))
    ax.set_xticklabels(labels, rotation=35, ha="right", fontsize=8)
    m = res["meta"]
    ax.set_title(f"bareos-py vs Bacula, {'quick' if m['quick'] else 'full'} dataset, {m['rounds_done']['main']}+{m['rounds_done']['compression']} round(s); "
                 "label above: ours/Bacula time", fontsize=9)
    ax.legend()
    fig.tight_layout()
    fig.savefig(dst, dpi=90)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
