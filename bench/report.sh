#!/usr/bin/env bash
# The benchmark's reports, from the raw TSV files that the measuring scripts write under $BENCH_OUT/tmp (each file's
# first row names its columns; empty and "-" cells are no figure), so that a report can be redrawn without measuring:
#   bash bench/report.sh          tmp/run (bench/measure.sh) and tmp/container (bench/container.sh): tmp/run/summary.tsv,
#                                 latest.md, container.md, throughput.png and latest-raw.tsv, a copy of tmp/run/raw.tsv
#   bash bench/report.sh stack    tmp/stack (bench/stack.sh): stack.md, and its rows of latest.md's targets
#   bash bench/report.sh tuning   tmp/tuning (bench/tune.sh): tuning.md
# Medians are of the rounds; a paired ratio is the median over rounds of one figure over another in the same round.
# shellcheck disable=SC2016 # Miller's own $fields, in single quotes
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
. bench/lib.sh
bench_tools mlr=miller gnuplot=gnuplot-nox
OUT=${BENCH_OUT:-bench/results}

where() { local kv w=true; for kv; do w+=" && string(\$[\"${kv%%=*}\"]) == \"${kv#*=}\""; done; echo "$w"; }   # where NAME=VALUE...
# cells FILE COLUMN [NAME=VALUE...]: COLUMN of the rows whose named columns hold those values, figures only, one a line
cells() {
    mlr --itsv --onidx filter "$(where "${@:3}")" 'then' cut -f "$2" 'then' filter "\$[\"$2\"] != \"\" && \$[\"$2\"] != \"-\"" "$1"
}
med() { local digits=$1; shift; cells "$@" | median "%.${digits}f"; }   # med DIGITS FILE COLUMN [NAME=VALUE...]
sum() { cells "$@" | mlr --inidx --onidx stats1 -a sum -f 1 'then' format-values -n -f %.0f; }
# paired FILE COLUMN A B [NAME=VALUE...]: the median over rounds (rep) of A's COLUMN over B's in the same round, in percent,
# each rounded to a tenth first; A and B are NAME=VALUE, the rest apply to both. Nothing if no round has both.
paired() {
    local a=$3 b=$4
    mlr --itsv --onidx filter "$(where "${@:5}")" 'then' put -q -s c="$2" -s a="${a%%=*}" -s av="${a#*=}" -s b="${b%%=*}" -s bv="${b#*=}" \
        "$MEDIAN_FUNC"'
        if (string($[@a]) == @av) { @x[$rep] = $[@c] } elif (string($[@b]) == @bv) { @y[$rep] = $[@c] }
        end { for (r, x in @x) { if (is_present(@y[r]) && x != "" && @y[r] != "") { @p[r] = float(fmtnum(100 * x / @y[r], "%.1f")) } }
              if (is_present(@p)) { print fmtnum(median(get_values(@p)), "%.1f") } }' "$1"
}
pct() { awk -v a="${1:-0}" -v b="${2:-0}" -v d="${3:-1}" 'BEGIN { printf "%." d "f", 100 * a / b }'; }   # pct A B DIGITS
verdict() { awk "BEGIN { print ($1) ? \"PASS\" : \"MISS\" }"; }   # verdict 'EXPRESSION' (awk's)
now() { date -u '+%Y-%m-%d %H:%M UTC'; }
present() { [[ -s $1 ]]; }

# ---- bench/container.sh: container.md and its rows of the targets -----------------------------------------------
# warmup VARIANT: "steady second": the median req/s of the last 10 s, and the first second that reached 90% of it ("-")
warmup() {
    cells "$C/warmup.tsv" rps "variant=$1" | mlr --inidx --onidx put -q "$MEDIAN_FUNC"'@v[NR] = $1; end {
        n = length(@v); s = median(get_values(@v)[max(1, n - 9):n]); first = "-";
        for (i, r in @v) { if (first == "-" && r >= 0.9 * s) { first = i } } print fmtnum(s, "%.0f") . " " . first }'
}
container_report() {
    local cpus plain tuned share v ms rps steady second ref before shipped kept
    cpus=$(cells "$C/meta.tsv" value key=cpus)
    plain=$(med 0 "$C/startup.tsv" ms variant=plain) tuned=$(med 0 "$C/startup.tsv" ms variant=tuned)
    share=$(pct "$tuned" "$plain" 1)
    echo "Startup, from \`docker run\` to readiness UP, $cpus CPUs (plain at 512M, the others at 256M), medians of" \
        "$(cells "$C/startup.tsv" rep variant=plain | wc -l) starts each, alternating: plain (\`java -jar\`, no JVM options)" \
        "**$plain ms**, tuned (the image as shipped) **$tuned ms**: $share% of plain (target <= 45%: $(verdict "$share <= 45");" \
        "<= 2 s: $(verdict "$tuned <= 2000"))."
    printf '\n| Startup variant | ms (median) | of plain |\n|---|---:|---:|\n'
    for v in $(mlr --itsv --onidx cut -f variant 'then' uniq -a "$C/startup.tsv"); do
        ms=$(med 0 "$C/startup.tsv" ms "variant=$v")
        echo "| $v | $ms | $(pct "$ms" "$plain" 1)% |"
    done
    echo
    local warmed=$(($(wc -l <"$C/warmup.tsv") > 1))
    if ((warmed)); then
        printf '| Warm-up at 64 connections | steady req/s (median of the last 10 s) | seconds from ready to 90%% of it |\n|---|---:|---:|\n'
        for v in $(mlr --itsv --onidx cut -f variant 'then' uniq -a "$C/warmup.tsv"); do
            read -r steady second < <(warmup "$v")
            echo "| $v | $steady | ${second/-/not within the run} |"
        done
        echo
    fi
    printf '| Memory variant | limit | req/s @64 (median) | of the first | p99 ms | container memory after (docker stats) | JVM peak RSS (VmHWM) |\n|---|---:|---:|---:|---:|---:|---:|\n'
    ref=$(mlr --itsv --onidx head -n 1 'then' cut -f variant "$C/memory.tsv")
    before=$(med 0 "$C/memory.tsv" rps "variant=$ref")
    for v in $(mlr --itsv --onidx cut -f variant 'then' uniq -a "$C/memory.tsv"); do
        rps=$(med 0 "$C/memory.tsv" rps "variant=$v")
        echo "| $v | $(cells "$C/memory.tsv" limit "variant=$v" | head -1) | $rps | $(pct "$rps" "$before" 1)% |" \
            "$(med 2 "$C/memory.tsv" p99_ms "variant=$v") | $(cells "$C/memory.tsv" mem_mib "variant=$v") MiB |" \
            "$(cells "$C/memory.tsv" vmhwm_mib "variant=$v") MiB |"
    done
    echo
    shipped=$(cells "$C/memory.tsv" mem_mib variant=shipped) kept=$(pct "$(med 0 "$C/memory.tsv" rps variant=shipped)" "$before" 1)
    echo "*$ref* is the settings before this round, the reference; *shipped* is the image as the stack runs it; the others" \
        "change one thing each from *shipped* (bench/container.sh lists them). Target: *shipped* <= 160 MiB under load ($shipped" \
        "MiB: $(verdict "$shipped <= 160")) at no more than 5% throughput loss against *$ref* ($kept%: $(verdict "$kept >= 95"))."
    {
        echo "| Startup to ready in the container, tuned <= 45% of plain | $share% ($tuned vs $plain ms) | $(verdict "$share <= 45") |"
        echo "| Startup to ready in the container <= 2 s | $tuned ms | $(verdict "$tuned <= 2000") |"
        if ((warmed)); then
            read -r _ second < <(warmup tuned)
            echo "| Warm-up, ready to 90% of steady state (tuned, $cpus CPUs) <= 15 s | ${second/-/not within the run} s (plain:" \
                "$(warmup plain | cut -d' ' -f2) s) | $(if [[ $second == - ]]; then echo MISS; else verdict "$second <= 15"; fi) |"
        fi
        echo "| Shipped container's memory under load <= 160 MiB | $shipped MiB | $(verdict "$shipped <= 160") |"
        echo "| ... at <= 5% throughput loss against the settings before | $kept% of *$ref* | $(verdict "$kept >= 95") |"
    } >"$C/targets.md"
}

# ---- bench/measure.sh: latest.md and the plot -------------------------------------------------------------------
# summary: medians per variant and concurrency (summary.tsv) of req/s, p50, p99, others' CPU, JVM CPU and context switches
# per request; of_ceiling_pct, the median of the ratios to the ceiling measured just before in the same round; Redis
# commands per served request; requests per transaction; the count check. "-" stands for none.
summary() {
    mlr --itsv --onidx put -q "$MEDIAN_FUNC"'
        func med(map m, str f) { return fmtnum(median(get_values(m)), f) }
        k = $variant . "\t" . $conns;
        if (is_absent(@first[k])) { @first[k] = $* }
        for (c in ["rps", "p50_ms", "p99_ms", "others_cpu", "cpu_us_per_req", "ctxsw_per_req", "redis_cpu_us_per_req"]) { @v[k][c][NR] = $[c] == "" ? 0 : $[c] }
        if ($redis_cmds != "") { @cmds[k] += $redis_cmds; @served[k] += $served_200; @tx[k] += $batches }
        if ($check != "") { @checked[k] += 1; @bad[k] += $check == "MISMATCH" ? 1 : 0 }
        ceiling = @ceil[$conns . " " . $rep];
        if ($variant == "baseline") { @ceil[$conns . " " . $rep] = $rps }
        elif ($variant != "redis INCR" && is_present(ceiling)) { @ratio[k][NR] = $rps / ceiling }
        end {
            print "variant\tconns\trps\tp50_ms\tp99_ms\tcmds_per_req\treq_per_tx\tcounts\tof_ceiling_pct\tothers_cpu_pct\tcpu_us_per_req\tctxsw_per_req\tredis_cpu_us_per_req";
            for (k, f in @first) {
                v = @v[k]; served = @served[k] ?? 0; tx = @tx[k] ?? 0; checked = @checked[k] ?? 0;
                print joinv([k, med(v["rps"], "%.0f"), med(v["p50_ms"], "%.2f"), med(v["p99_ms"], "%.2f"),
                    served != 0 ? fmtnum(@cmds[k] / served, "%.3f") : "-", tx != 0 ? fmtnum(served / tx, "%.1f") : "-",
                    checked == 0 ? "-" : (@bad[k] > 0 ? "MISMATCH (" . @bad[k] : "OK (" . checked) . "/" . checked . ")",
                    is_present(@ratio[k]) ? fmtnum(100 * median(get_values(@ratio[k])), "%.1f") : "-",
                    f["others_cpu"] == "" ? "-" : med(v["others_cpu"], "%.0f"), f["cpu_us_per_req"] == "" ? "-" : med(v["cpu_us_per_req"], "%.0f"),
                    f["ctxsw_per_req"] == "" ? "-" : med(v["ctxsw_per_req"], "%.2f"),
                    (f["redis_cpu_us_per_req"] ?? "") == "" ? "-" : med(v["redis_cpu_us_per_req"], "%.1f")], "\t")
            }
        }' "$W/raw.tsv"
}
fig() { cells "$W/summary.tsv" "$3" "variant=$1" "conns=$2"; }   # fig VARIANT CONNS COLUMN: one median; nothing for none

# table: a row per concurrency (the measured ones, then 1) and variant
table() {
    echo "| Variant | Conns | req/s | p50 ms | p99 ms | of ceiling | Redis cmds/req | req per tx | counts | others' CPU | JVM CPU µs/req | ctx switches/req | Redis CPU µs/req |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|"
    mlr --itsv --onidx put -q -s conns="$CONNS 1" '
        @s[string($conns)][$variant] = mapexcept($*, "variant", "conns");
        end {
            names = {"baseline": "GET /baseline (no Redis: the ceiling)", "group": "GET / group commit, appendfsync everysec",
                "durable": "GET / group commit, appendfsync always (the default)",
                "per-request": "GET / one MULTI/EXEC per request", "ha": "GET / group commit, primary + replica, WAIT 1 (REDIS_HA)",
                "redis INCR": "redis-benchmark -t incr (reference)"};
            for (c in splitax(@conns, " ")) { for (v, name in names) { if (is_present(@s[c][v])) {
                f = apply(@s[c][v], func(k, x) { return {k: x == "-" ? "" : x} });
                if (f["rps"] != "") {
                    pc = func(x) { return x == "" ? "" : x . "%" };
                    print "| " . joinv([name, c, f["rps"], f["p50_ms"], f["p99_ms"], pc(f["of_ceiling_pct"]), f["cmds_per_req"], f["req_per_tx"],
                        f["counts"], pc(f["others_cpu_pct"]), f["cpu_us_per_req"], f["ctxsw_per_req"], f["redis_cpu_us_per_req"]], " | ") . " |"
                } } } }
        }' "$W/summary.tsv"
}

run_targets() {
    local r k gp pp h d c g50 p50 g99 p99
    echo "| Target | Measured | Result |"
    echo "|---|---|---|"
    r=$(fig group 64 of_ceiling_pct)
    [[ -z $r ]] || echo "| GET / at 64 conns >= 80% of the ceiling | $r% ($(fig group 64 rps) vs $(fig baseline 64 rps) req/s) | $(verdict "$r >= 80") |"
    k=$(fig group 64 cmds_per_req)
    [[ -z $k ]] || echo "| Redis commands per served request at 64 conns <= 0.25 | $k | $(verdict "$k <= 0.25") |"
    gp=$(fig group 64 p99_ms) pp=$(fig per-request 64 p99_ms)
    [[ -z $gp || -z $pp ]] || echo "| p99 at 64 conns no worse than per-request | $gp ms vs $pp ms | $(verdict "$gp <= $pp") |"
    h=$(paired "$W/raw.tsv" rps variant=ha variant=group conns=64)
    [[ -z $h ]] || echo "| REDIS_HA (WAIT 1) at 64 conns >= 80% of one Redis | $h% ($(fig ha 64 rps) vs $(fig group 64 rps) req/s; HA at" \
        "16: $(paired "$W/raw.tsv" rps variant=ha variant=group conns=16)%, at 256:" \
        "$(paired "$W/raw.tsv" rps variant=ha variant=group conns=256)%) | $(verdict "$h >= 80") |"
    for c in 64 256; do
        d=$(paired "$W/raw.tsv" rps variant=durable variant=group "conns=$c")
        [[ -z $d ]] || echo "| appendfsync always at $c conns >= 90% of everysec | $d% ($(fig durable "$c" rps) vs $(fig group "$c" rps)" \
            "req/s) | $(verdict "$d >= 90") |"
    done
    g50=$(fig group 1 p50_ms) p50=$(fig per-request 1 p50_ms) g99=$(fig group 1 p99_ms) p99=$(fig per-request 1 p99_ms)
    [[ -z $g50 || -z $p50 ]] || echo "| Latency at concurrency 1 no worse than per-request (p50 and p99 within 5%) | p50 $g50 vs $p50 ms," \
        "p99 $g99 vs $p99 ms | $(verdict "$g50 <= 1.05 * $p50 && ${g99:-0} <= 1.05 * ${p99:-0}") |"
    # The container's and the deployed stack's rows, when they ran
    cat "$C/targets.md" "$OUT/tmp/stack/targets.md" 2>/dev/null || true
}

plot() {
    local c v
    { echo "# conns baseline group per-request ha redis-incr"; for c in $CONNS; do
        echo "$c $(for v in baseline group per-request ha "redis INCR"; do x=$(fig "$v" "$c" rps); printf '%s ' "${x:-NaN}"; done)"
    done; } | sed 's/ $//' >"$W/throughput.dat"
    local term=png last=${CONNS##* }
    gnuplot -e 'set terminal pngcairo' >/dev/null 2>&1 && term=pngcairo
    gnuplot >"$W/gnuplot.log" 2>&1 <<PLOT || echo "[bench] gnuplot failed; see $W/gnuplot.log"
set terminal $term size 900,560; set output "$OUT/throughput.png"
set title "replicas-reqcount on $(nproc) cores, loopback (medians of $REPEATS runs)"
set xlabel "wrk connections"; set ylabel "HTTP requests/s"; set y2label "redis-benchmark INCR/s"; set logscale x 2
set xrange [${CONNS%% *} * 0.8:$last * 1.25]; set xtics (${CONNS// /, }); set yrange [0:*]; set y2range [0:*]
set ytics nomirror; set y2tics; set key below; set grid
plot "$W/throughput.dat" using 1:2 with linespoints lw 2 title "GET /baseline (no Redis: ceiling)", \\
     "" using 1:3 with linespoints lw 2 title "GET / group commit", \\
     "" using 1:4 with linespoints lw 2 title "GET / MULTI/EXEC per request", \\
     "" using 1:5 with linespoints lw 2 title "GET / primary + replica, WAIT 1", \\
     "" using 1:6 axes x1y2 with linespoints dt 2 title "redis-benchmark INCR (right axis)"
PLOT
}

run_report() {
    local f v ms
    for f in raw service meta; do present "$W/$f.tsv" || { echo "[bench] ERROR: no $W/$f.tsv: run bash bench/measure.sh first" >&2; exit 1; }; done
    m() { cells "$W/meta.tsv" value "key=$1"; }
    CONNS=$(m conns) REPEATS=$(m repeats)
    summary >"$W/summary.tsv"
    table >"$W/table.md"
    run_targets >"$W/targets.md"
    plot
    {
        printf '# Benchmark: latest run\n\n'
        echo "Run by \`bash bench/run.sh\` on $(now). Medians of $REPEATS runs of $(m seconds)s each ($(m c1_seconds)s at concurrency 1)" \
            "after a $(m warmup_seconds)s warm-up; wrk with 2 threads (1 at concurrency 1); loopback."
        echo
        cat "$W/table.md"
        printf '\n![throughput](throughput.png)\n\n## Targets\n\n'
        cat "$W/targets.md"
        printf '\n## The service\n\n| Variant | Startup to ready | Peak RSS (VmHWM) |\n|---|---:|---:|\n'
        for v in "group=group commit, appendfsync everysec" "durable=group commit, appendfsync always (the default)" "per-request=one MULTI/EXEC per request" "ha=group commit against a primary + replica, WAIT 1"; do
            ms=$(cells "$W/service.tsv" startup_ms "variant=${v%%=*}")
            [[ -z $ms ]] || echo "| ${v#*=} | $ms ms | $(cells "$W/service.tsv" vmhwm_mb "variant=${v%%=*}") MB |"
        done
        echo
        if present "$C/startup.tsv"; then
            printf '## The service in its container (bench/container.sh)\n\n'
            cat "$OUT/container.md"
            echo
        fi
        if present "$OUT/tmp/stack/raw.tsv"; then
            printf '## The deployed stack (bench/stack.sh)\n\n'
            tail -n +3 "$OUT/stack.md" | sed 's/^## /### /'
            echo
        fi
        cat <<READ
## How to read it

- *of ceiling*: req/s over GET /baseline's, measured in the same process at the same concurrency just
  before, in the same round; the median of those paired ratios, which is steadier than the ratio of
  the medians on a noisy machine.
- *Redis cmds/req*: every command in Redis's INFO commandstats between the run's start and end
  (but the benchmark's own INFO and GET total_count), over the 200s the service served.
- *req per tx*: served 200s over Redis transactions (the reqcount.batch.size meter's count).
- *counts*: total_count rose by exactly the 200s the service served (its http.server.requests
  meter), and wrk's own 200s fall short of that by no more than one per connection: the requests
  in flight when wrk stopped, which the server still served.
- *JVM CPU µs/req* and *ctx switches/req*: the service JVM's CPU time (user and system, all threads) and
  context switches (voluntary and not, summed over its threads from /proc) during the run, over the
  requests wrk saw answered; the baseline's are measured in the same process.
- *Redis CPU µs/req*: the CPU time (user and system) of the variant's Redis during the run, over the 200s
  served. With appendfsync always it includes the AOF's write and fsync, once per event-loop turn: on a
  machine whose cores are all busy, that is what the durable default costs beyond everysec.
- *others' CPU*: the share of the machine's CPU spent outside the benchmark's own processes during
  the runs (median): other work on the machine, and kernel threads such as ksoftirqd that carry
  some of the loopback traffic. Well above 10% means the figures are low and noisy.
- *primary + replica, WAIT 1*: REDIS_HA's write path. Every 200 it served is on the replica: at the end
  the primary's and the replica's totals were $(m ha_totals) (the run stops if they differ).
- Startup is from launching java to /actuator/health/readiness answering UP (Redis included).

## Machine

- $(nproc) cores: $(sed -n 's/^model name[^:]*: *//p' /proc/cpuinfo | head -1); $(awk '/^MemTotal/ { printf "%.0f", $2 / 1048576 }' /proc/meminfo) GiB memory; Linux $(uname -r)
- $(m java)
- $(m redis); AOF with appendfsync everysec, no RDB
- $(m wrk)
- load average before: $(m load_before); after: $(m load_after)
- JVM options: $(m java_opts); extra service arguments: $(m app_args)
READ
    } >"$OUT/latest.md"
    cp "$W/raw.tsv" "$OUT/latest-raw.tsv"
    printf '\n'; cat "$W/table.md"; printf '\n'; cat "$W/targets.md"; printf '\n'
    mlr --itsv --onidx put -q 'print $variant . ": startup to ready " . $startup_ms . " ms, peak RSS " . $vmhwm_mb . " MB."' "$W/service.tsv"
    echo "[bench] wrote $OUT/latest.md, $OUT/throughput.png and $OUT/latest-raw.tsv"
}

# ---- bench/stack.sh: stack.md and its rows of the targets ---------------------------------------------------------
stack_report() {
    local S=$OUT/tmp/stack path p ratio p99 roll done_s scale failed replicas twice
    m() { cells "$S/meta.tsv" value "key=$1"; }
    ratio=$(paired "$S/raw.tsv" rps path=published path=direct) p99=$(med 2 "$S/raw.tsv" p99_ms path=published)
    {
        printf '# The published port against one replica directly\n\n'
        echo "Run by \`bash bench/stack.sh\` on $(now) against stack $(m stack) ($(m services))."
        echo "wrk with 2 threads at $(m conns) connections, $(m rounds) alternating rounds of $(m seconds)s after a $(m warmup_seconds)s warm-up; medians."
        printf '\n| Path | req/s | p50 ms | p99 ms | replicas'"'"' quota throttled (share of periods) | softirq (share of the machine) |\n'
        echo "|---|---:|---:|---:|---:|---:|"
        for path in published direct; do
            p=path=$path
            echo "| $path | $(med 0 "$S/raw.tsv" rps "$p") | $(med 2 "$S/raw.tsv" p50_ms "$p") | $(med 2 "$S/raw.tsv" p99_ms "$p") |" \
                "$(med 0 "$S/raw.tsv" throttled_pct "$p")% | $(med 0 "$S/raw.tsv" softirq_pct "$p")% |"
        done
        echo
        echo "Published / direct, median of the rounds: **$ratio%** (target >= 50%: $(verdict "${ratio:-0} >= 50")); p99 at the published" \
            "port **$p99 ms** (target <= 50 ms: $(verdict "${p99:-0} <= 50"))."
        echo
        echo "*direct* is wrk inside $(m direct)'s network namespace on its own port: one replica, no NAT, no edge, no overlay."
        echo "*published* goes through the host's port to the edge (or the routing mesh) and over the overlay to all the replicas."
    } >"$OUT/stack.md"
    printf '%s\n' "| Published port >= 50% of one replica directly (64 conns) | $ratio% | $(verdict "${ratio:-0} >= 50") |" \
        "| p99 at the published port <= 50 ms (64 conns) | $p99 ms | $(verdict "${p99:-0} <= 50") |" >"$S/targets.md"
    if (($(m rollouts) > 0)); then
        local R=$S/rollout.tsv
        roll=$(med 1 "$R" seconds kind=roll) done_s=$(med 1 "$R" completed_s kind=roll) scale=$(med 1 "$R" seconds kind=scale)
        failed=$(sum "$R" failed) replicas=$(m replicas) twice=$((2 * $(m replicas)))
        cat >>"$OUT/stack.md" <<ROLL

## Rolling update and scale-out under light load

Two clients on the published port, $(m rate) requests a second each, a new connection per request; $(m rollouts) rounds, medians. Update settings: parallelism 1, start-first, monitor $(m monitor).

| | seconds | update completed (s) | each new task, created to healthy (s) | requests | failed |
|---|---:|---:|---:|---:|---:|
| rolling update of $replicas: all replaced | $roll | $done_s | $(med 1 "$R" per_task_s kind=roll) | $(sum "$R" requests kind=roll) | $(sum "$R" failed kind=roll) |
| scale $replicas -> $twice: all answering | $scale | | | $(sum "$R" requests kind=scale) | $(sum "$R" failed kind=scale) |

Rolling update of $replicas, all replaced: **$roll s** (target <= 25 s: $(verdict "$roll <= 25")); scale to $twice, all answering: **$scale s** (target <= 10 s: $(verdict "$scale <= 10")); failed requests $failed (target 0).

*All replaced*: from the update's start until the last new task ran (a task with a HEALTHCHECK runs once it is
healthy) and the last old one had stopped, from Swarm's task timestamps. *Update completed*: until
\`docker service update --detach=false\` returned, which adds the monitor window after the last task.
ROLL
        cat >>"$S/targets.md" <<ROLL
| Rolling update of $replicas, all replaced, <= 25 s | $roll s (update completed after $done_s s) | $(verdict "$roll <= 25") |
| Scale $replicas -> $twice, all answering, <= 10 s | $scale s | $(verdict "$scale <= 10") |
| No failed request during the updates and scale-outs | $failed of $(sum "$R" requests) | $(verdict "$failed == 0") |
ROLL
    fi
    cat "$OUT/stack.md"
}

# ---- bench/tune.sh: tuning.md -------------------------------------------------------------------------------------
tuning_report() {
    local T=$OUT/tmp/tuning name what
    {
        printf '# Tuning: one setting at a time\n\n'
        echo "Written by \`bash bench/tune.sh\` on $(now), $(nproc) cores. Each setting in a fresh"
        echo "service; medians of ${BENCH_REPEATS:-3} runs of ${BENCH_SECONDS:-5}s. *of ceiling* is against /baseline in the same"
        echo "process, so it holds across runs better than req/s does on a shared machine."
        echo
        echo "| Setting | req/s @64 | of ceiling @64 | p99 ms @64 | Redis cmds/req @64 | req per tx @64 | req/s @256 | of ceiling @256 | p99 ms @256 | p50 ms @1 | peak RSS | others' CPU @64 |"
        echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
        # Every setting that has a result, from this run or an earlier one.
        while IFS=$'\t' read -r name what; do
            W=$T/$name/tmp/run
            [[ -f $W/summary.tsv ]] || continue
            echo "| $name:$what | $(fig group 64 rps) | $(fig group 64 of_ceiling_pct)% | $(fig group 64 p99_ms) |" \
                "$(fig group 64 cmds_per_req) | $(fig group 64 req_per_tx) | $(fig group 256 rps) | $(fig group 256 of_ceiling_pct)% |" \
                "$(fig group 256 p99_ms) | $(fig group 1 p50_ms) | $(cells "$W/service.tsv" vmhwm_mb variant=group) MB |" \
                "$(fig group 64 others_cpu_pct)% |"
        done < <(tail -n +2 "$T/settings.tsv")
    } >"$OUT/tuning.md"
    cat "$OUT/tuning.md"
}

W=$OUT/tmp/run C=$OUT/tmp/container
case ${1:-run} in
    stack) stack_report ;;
    tuning) tuning_report ;;
    run)
        if present "$C/startup.tsv"; then container_report >"$OUT/container.md"; fi
        if ! present "$W/raw.tsv" && present "$C/startup.tsv"; then
            echo "[bench] wrote $OUT/container.md (bench/container.sh's figures; no bench/measure.sh run to report)"
        else
            run_report
        fi ;;
    *) echo "usage: bash bench/report.sh [run|stack|tuning]" >&2; exit 1 ;;
esac
