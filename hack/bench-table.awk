# Reads make bench's output and prints one table of its figures beside
# their goals (issue: benchmarks against the physical limit). A figure a
# run did not produce says so. Goals are printed, not enforced.
function metric(line, unit,    n, f, i) {
	n = split(line, f, /[ \t]+/)
	for (i = 2; i <= n; i++) if (f[i] == unit) return f[i-1]
	return ""
}
function row(name, value, goal, met) {
	if (value == "") { printf "| %s | not measured | %s | |\n", name, goal; return }
	printf "| %s | %s | %s | %s |\n", name, value, goal, met ? "met" : "missed"
}
/^BenchmarkLintCompile\/tasks=10000/ { compile_s = metric($0, "ns/op") / 1e9; compile_mb = metric($0, "peak-heap-MB") }
/^BenchmarkStepOverhead/     { step = metric($0, "x-jobs(goal<=1.05)"); step_pods = metric($0, "x-pods") }
/^BenchmarkParallelOverhead/ { parallel = metric($0, "x-jobs(goal<=1.05)") }
/^BenchmarkFanOutRate/       { fanout = metric($0, "x-loop(goal>=0.9)") }
/^BenchmarkReactionLatency/  { added = metric($0, "ms-added-p99(goal<50)"); p50 = metric($0, "ms-reaction-p50") }
/^scale fan-out:/ {
	if (match($0, /peak RSS [0-9.]+ MiB/)) { rss = substr($0, RSTART + 9, RLENGTH - 13) + 0 }
	if (match($0, /writes [0-9.]+\/node/)) { writes = substr($0, RSTART + 7, RLENGTH - 12) + 0 }
}
END {
	print ""
	print "| figure | measured | goal | |"
	print "|---|---|---|---|"
	row("step overhead (x bare Jobs; x bare Pods: " (step_pods == "" ? "-" : step_pods) ")", step, "<= 1.05", step != "" && step <= 1.05)
	row("parallel overhead (x 50 bare Jobs)", parallel, "<= 1.05", parallel != "" && parallel <= 1.05)
	row("fan-out rate (x bare create loop)", fanout, ">= 0.9", fanout != "" && fanout >= 0.9)
	row("reaction latency, p99 ms over delivery (p50 " (p50 == "" ? "-" : p50) " ms)", added, "< 50", added != "" && added < 50)
	row("lint + compile of 10,000 tasks, s", compile_s == "" ? "" : sprintf("%.3f", compile_s), "< 0.5", compile_s != "" && compile_s < 0.5)
	row("lint + compile of 10,000 tasks, peak heap MB", compile_mb, "< 200", compile_mb != "" && compile_mb < 200)
	row("driver of 5,000 nodes, peak RSS MB", rss == "" ? "" : sprintf("%.1f", rss * 1.048576), "<= 100", rss != "" && rss * 1.048576 <= 100)
	row("driver of 5,000 nodes, API writes per node", writes, "<= 4", writes != "" && writes <= 4)
}
