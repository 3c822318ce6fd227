# Medians per variant and concurrency from raw.tsv (bench/measure.sh), read by column name. Writes a TSV
# whose first row names its columns: req/s, p50 and p99 and the other processes' CPU share as medians; the
# median of the ratios to the ceiling measured just before, in the same round; Redis commands per served
# request; requests per transaction; the count check. "-" stands for none (read with IFS=tab would merge
# empty fields).
BEGIN { FS = OFS = "\t" }
NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
function f(name) { return $(col[name]) }
{
    k = f("variant") "\t" f("conns"); if (!(k in seen)) { seen[k] = 1; keys[++n] = k }
    m = ++cnt[k]; rps[k, m] = f("rps"); p50[k, m] = f("p50_ms"); p99[k, m] = f("p99_ms"); oth[k, m] = f("others_cpu")
    cpu[k, m] = f("cpu_us_per_req"); csw[k, m] = f("ctxsw_per_req")
    if (f("variant") == "baseline") ceiling[f("conns"), f("rep")] = f("rps")
    else if (f("variant") != "redis INCR" && (f("conns"), f("rep")) in ceiling)
        ratio[k, ++nr[k]] = f("rps") / ceiling[f("conns"), f("rep")]
    if (f("redis_cmds") != "") { cmds[k] += f("redis_cmds"); served[k] += f("served_200"); batches[k] += f("batches") }
    if (f("check") == "MISMATCH") bad[k]++
    if (f("check") != "") checked[k]++
}
function median(a, k, m,   i, j, v, t) {
    if (m == 0) return ""
    for (i = 1; i <= m; i++) v[i] = a[k, i] + 0
    for (i = 2; i <= m; i++) for (j = i; j > 1 && v[j - 1] > v[j]; j--) { t = v[j]; v[j] = v[j - 1]; v[j - 1] = t }
    return m % 2 ? v[(m + 1) / 2] : (v[m / 2] + v[m / 2 + 1]) / 2
}
END {
    print "variant", "conns", "rps", "p50_ms", "p99_ms", "cmds_per_req", "req_per_tx", "counts", "of_ceiling_pct", "others_cpu_pct",
        "cpu_us_per_req", "ctxsw_per_req"
    for (i = 1; i <= n; i++) {
        k = keys[i]; m = cnt[k]
        printf "%s\t%.0f\t%.2f\t%.2f\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", k, median(rps, k, m), median(p50, k, m), median(p99, k, m),
            served[k] ? sprintf("%.3f", cmds[k] / served[k]) : "-",
            batches[k] ? sprintf("%.1f", served[k] / batches[k]) : "-",
            checked[k] ? (bad[k] ? "MISMATCH (" bad[k] "/" checked[k] ")" : "OK (" checked[k] "/" checked[k] ")") : "-",
            nr[k] ? sprintf("%.1f", 100 * median(ratio, k, nr[k])) : "-",
            oth[k, 1] != "" ? sprintf("%.0f", median(oth, k, m)) : "-",
            cpu[k, 1] != "" ? sprintf("%.0f", median(cpu, k, m)) : "-",
            csw[k, 1] != "" ? sprintf("%.2f", median(csw, k, m)) : "-"
    }
}
