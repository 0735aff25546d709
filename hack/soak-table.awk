#!/usr/bin/awk -f
# Reads the output of hack/soak.sh's runs and prints its table (markdown).
/^chaos: / {
	for (i = 2; i <= NF; i++) { split($i, kv, "="); chaos[kv[1]] += kv[2] }
	chaos_runs++
}
/^scale [^ ]+: [0-9]+ pod nodes/ {
	n = $3 + 0
	match($0, /peak RSS [0-9.]+ MiB/)
	rss = substr($0, RSTART + 9, RLENGTH - 13) + 0
	if (n > largest || (n == largest && rss > largest_rss)) { largest = n; largest_rss = rss; largest_name = $2; sub(/:$/, "", largest_name) }
}
/^apiserver restart: / {
	restarts++
	if ($0 ~ /survived=1/) survived++
}
/^== .* \(.*\)$/ { targets++ }
/^fuzz: elapsed: / {
	gsub(/,/, "", $5); last_execs = $5 + 0
}
/^(ok|PASS)/ && last_execs > 0 { execs += last_execs; last_execs = 0 }
/^--- FAIL: Fuzz|^FAIL.*fuzz|Failing input written to/ { crashers++ }
END {
	print ""
	print "| figure | value |"
	print "|---|---|"
	printf "| driver kills survived | %d (in %d workflows; seeds printed above) |\n", chaos["kills"], chaos["workflows"]
	printf "| duplicated node attempts | %d |\n", chaos["duplicates"]
	printf "| lost outputs or nodes | %d |\n", chaos["lost"]
	printf "| apiserver restarts survived | %d of %d |\n", survived, restarts
	printf "| fuzz targets, execs, crashers | %d, %d, %d |\n", targets, execs, crashers
	if (largest > 0) printf "| largest workflow, driver peak RSS | %d pod nodes (%s), %.1f MiB |\n", largest, largest_name, largest_rss
	else print "| largest workflow, driver peak RSS | not run |"
}
