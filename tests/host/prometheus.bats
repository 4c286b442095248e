#!/usr/bin/env bats
# allocq for fleets: --format prometheus checked by the real programs
# (promtool, node_exporter's textfile collector, a Prometheus server, all on
# loopback), --output-file's atomic write, the alert rule example and the
# systemd units in dist/.
#
# Needs the Debian packages prometheus (prometheus, promtool),
# prometheus-node-exporter, curl, jq and systemd (systemd-analyze); ./check
# installs them. A missing one fails the test that needs it, naming the
# package. One test mounts a tmpfs (a full disk): run as root.
#
# A newline cannot be tested here: neither /proc/allocinfo's text (one call
# site a line) nor the ioctl test double (which parses that text) can carry
# a name with a newline in it, so label values' \n escape is left to the
# sink's code; backslashes and double quotes, the other two escapes of the
# format, are in fixtures/prometheus.allocinfo.

load helpers

PROM=$FIXTURES/prometheus.allocinfo
SOURCE_ROOT=${ALLOCQ_SOURCE_ROOT:-$BATS_TEST_DIRNAME/../..}
ALERTS=$SOURCE_ROOT/dist/prometheus/allocq-alerts.yml
UNITS=${ALLOCQ_BUILD_ROOT:-}/dist/systemd
GROUPINGS=(none module file function dir dir:1 dir:2)

teardown() {
	local pid
	if [[ -f $BATS_TEST_TMPDIR/pids ]]; then
		while read -r pid; do
			kill "$pid" 2>/dev/null || :
			wait "$pid" 2>/dev/null || :
		done <"$BATS_TEST_TMPDIR/pids"
	fi
	if [[ -f $BATS_TEST_TMPDIR/mounted ]]; then
		umount "$(<"$BATS_TEST_TMPDIR/mounted")" || :
	fi
}

# need COMMAND PACKAGE: fail, naming the Debian package, unless COMMAND is there
need() {
	command -v "$1" >/dev/null && return
	echo "$1 not found: install the Debian package $2 (./check installs it)" >&2
	return 1
}

# prom FIXTURE GROUPING [ARG...]: allocq's Prometheus output (none: per site)
prom() {
	local fixture=$1 g=$2
	shift 2
	if [[ $g == none ]]; then
		allocq --input "$fixture" --format prometheus "$@"
	else
		allocq --input "$fixture" --format prometheus --group-by "$g" "$@"
	fi
}

# canon: exposition text to one line a sample, "name{labels sorted by name}
# value" with the value as an integer, comments left out, sorted: two
# expositions of the same samples compare equal whatever their label order
# or float notation (node_exporter prints 1e+06 for 1000000).
canon() {
	awk '
	/^#/ || /^$/ { next }
	{
		match($0, /^[a-zA-Z_:][a-zA-Z0-9_:]*/)
		name = substr($0, 1, RLENGTH)
		rest = substr($0, RLENGTH + 1)
		n = 0
		if (substr(rest, 1, 1) == "{") {
			rest = substr(rest, 2)
			while (match(rest, /^[a-zA-Z_][a-zA-Z0-9_]*="(\\.|[^"\\])*"/)) {
				pair[++n] = substr(rest, 1, RLENGTH)
				c = substr(rest, RLENGTH + 1, 1)
				rest = substr(rest, RLENGTH + 2)
				if (c == "}")
					break
			}
		}
		for (i = 2; i <= n; i++) {
			v = pair[i]
			for (j = i - 1; j >= 1 && pair[j] > v; j--)
				pair[j + 1] = pair[j]
			pair[j + 1] = v
		}
		labels = ""
		for (i = 1; i <= n; i++)
			labels = labels (i > 1 ? "," : "") pair[i]
		sub(/^ +/, "", rest)
		printf "%s{%s} %.0f\n", name, labels, rest + 0
	}' | sort
}

# expected FIXTURE GROUPING: the samples allocq must print, worked out by
# perl from the fixture's bytes, apart from allocq's code: call sites listed
# more than once added up; in label values, bytes that are not UTF-8 and
# backslashes shown as \xNN (so that two names never give one label set),
# then \ and " escaped as the format says.
expected() {
	perl -e '
	use strict;
	use warnings;
	my ($key, $depth) = split /:/, $ARGV[0];
	my $utf8 = qr/[\x00-\x7f]|[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]
		|[\xe1-\xec\xee\xef][\x80-\xbf]{2}|\xed[\x80-\x9f][\x80-\xbf]
		|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}|\xf4[\x80-\x8f][\x80-\xbf]{2}/x;
	sub label {
		my ($s, $out) = (shift, "");
		while (length $s) {
			if ($s !~ /^\\/ && $s =~ s/^($utf8)//) {
				$out .= $1;
			} else {
				$out .= sprintf "\\x%02x", ord substr($s, 0, 1, "");
			}
		}
		$out =~ s/([\\"])/\\$1/g;
		$out =~ s/\n/\\n/g;
		return "\"$out\"";
	}
	sub dir {
		my ($file) = @_;
		my @parts = split m{/}, $file;
		pop @parts;
		return "." unless @parts;
		splice @parts, $depth if defined $depth && $depth < @parts;
		return join "/", @parts;
	}
	my (%bytes, %calls, %sites, %labels);
	open my $in, "<", $ARGV[1] or die "$ARGV[1]: $!";
	while (<$in>) {
		next if /^allocinfo/ || /^\s*#/ || /^\s*$/;
		my @f = split " ";
		my ($file, $line) = $f[2] =~ /^(.*):(\d+)$/ or die "bad line: $_";
		my ($module, $function) = ("", "");
		for (@f[3 .. $#f]) {
			$module = $1 if /^\[(.*)\]$/;
			$function = $1 if /^func:(.*)$/;
		}
		my $site = join "\0", $file, $line, $module, $function;
		my $k = $site;
		if ($key eq "none") {
			$labels{$k} = "{file=" . label($file) . ",line=\"$line\",module=" .
				label($module) . ",function=" . label($function) . "}";
		} else {
			my %value = (module => $module, file => $file, function => $function,
				     dir => $key eq "dir" ? dir($file) : "");
			$k = $value{$key};
			$labels{$k} = "{$key=" . label($k) . "}";
		}
		$bytes{$k} += $f[0];
		$calls{$k} += $f[1];
		$sites{$k}{$site} = 1;
	}
	# dir:N has families of its own
	my $family = $key eq "none" ? "allocinfo" :
		defined $depth ? "allocinfo_dir$depth" : "allocinfo_$key";
	for my $k (keys %labels) {
		print "${family}_bytes$labels{$k} $bytes{$k}\n";
		print "${family}_calls$labels{$k} $calls{$k}\n";
		print "${family}_sites$labels{$k} ", scalar keys %{$sites{$k}}, "\n"
			unless $key eq "none";
	}' "$2" "$1"
}

# start_server NAME PATH COMMAND...: runs COMMAND in the background, @PORT@
# replaced by a free loopback port, until http://127.0.0.1:PORT/PATH answers
# (another port if that one was taken). Sets PORT; its log is NAME.log.
start_server() {
	local name=$1 path=$2 try port pid deadline
	shift 2
	for try in 1 2 3 4 5; do
		echo "# $name: try $try" >&2
		port=$((20000 + RANDOM % 40000))
		"${@//@PORT@/$port}" >"$BATS_TEST_TMPDIR/$name.log" 2>&1 3>&- &
		pid=$!
		echo "$pid" >>"$BATS_TEST_TMPDIR/pids"
		deadline=$((SECONDS + 60))
		while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do
			if curl -fsS -o /dev/null "http://127.0.0.1:$port/$path" 2>/dev/null &&
				kill -0 "$pid" 2>/dev/null; then
				PORT=$port
				return 0
			fi
			sleep 0.1
		done
		kill "$pid" 2>/dev/null || :
		wait "$pid" 2>/dev/null || :
	done
	echo "$name did not start; its log:" >&2
	cat "$BATS_TEST_TMPDIR/$name.log" >&2
	return 1
}

# start_node_exporter DIR: node_exporter with only the textfile collector,
# reading DIR; sets NODE_PORT
start_node_exporter() {
	start_server node_exporter metrics prometheus-node-exporter \
		--collector.disable-defaults --collector.textfile \
		--collector.textfile.directory "$1" --web.listen-address 127.0.0.1:@PORT@
	NODE_PORT=$PORT
}

# node_metrics: node_exporter's /metrics
node_metrics() {
	curl -fsS "http://127.0.0.1:$NODE_PORT/metrics"
}

# promql QUERY: the result of an instant query, as JSON
promql() {
	curl -fsS --get --data-urlencode "query=$1" \
		"http://127.0.0.1:$PROM_PORT/api/v1/query" | jq -c '.data.result'
}

# wait_for QUERY JQ: polls QUERY until JQ (on its result) is true, up to 60 s
wait_for() {
	local deadline=$((SECONDS + 60)) result
	while ((SECONDS < deadline)); do
		result=$(promql "$1") && jq -e "$2" <<<"$result" >/dev/null && return 0
		sleep 0.2
	done
	printf 'timed out: %s | %s\nlast result: %s\nprometheus log:\n' "$1" "$2" "$result" >&2
	tail -n 20 "$BATS_TEST_TMPDIR/prometheus.log" >&2
	return 1
}

# fixture_bytes FIXTURE: the sum of its byte counts
fixture_bytes() {
	awk '$1 ~ /^-?[0-9]+$/ { s += $1 } END { printf "%d\n", s }' "$1"
}

# mount_tmpfs DIR SIZE: a tmpfs at DIR, unmounted by teardown
mount_tmpfs() {
	mkdir -p "$1"
	mount -t tmpfs -o "size=$2,mode=0755" allocq-test "$1"
	echo "$1" >"$BATS_TEST_TMPDIR/mounted"
}

# sites FILE N: a 2.0 allocinfo file with N call sites, the Ith holding
# I*4096 bytes
sites() {
	awk -v n="$2" 'BEGIN {
		print "allocinfo - version: 2.0"
		print "#     <size>  <calls> <tag info>"
		for (i = 1; i <= n; i++)
			printf "%12d %8d drivers/gen/site_%05d.c:%d [gen_%d] func:gen_alloc_%05d \n",
				i * 4096, i, i, i, i % 7, i
	}' >"$1"
}

@test "promtool check metrics is silent on every grouping of every fixture; no series twice" {
	need promtool prometheus
	local f g n=0 dups
	for f in "$FIXTURES"/*.allocinfo; do
		for g in "${GROUPINGS[@]}"; do
			prom "$f" "$g" >"$BATS_TEST_TMPDIR/out"
			grep -q '^# TYPE allocinfo_[a-z0-9_]* gauge$' "$BATS_TEST_TMPDIR/out"
			run promtool check metrics <"$BATS_TEST_TMPDIR/out"
			if ((status != 0)) || [[ -n $output ]]; then
				printf 'promtool check metrics on %s, grouping %s (status %d):\n%s\n' \
					"${f##*/}" "$g" "$status" "$output" >&2
				return 1
			fi
			# which promtool does not check, and node_exporter rejects
			dups=$(grep -v '^#' "$BATS_TEST_TMPDIR/out" | sed 's/ [^ ]*$//' | sort | uniq -d)
			if [[ -n $dups ]]; then
				printf '%s, grouping %s: series printed more than once:\n%s\n' \
					"${f##*/}" "$g" "$dups" >&2
				return 1
			fi
			n=$((n + 1))
		done
	done
	((n >= 8 * ${#GROUPINGS[@]}))
}

@test "every sample of every grouping is as the fixture says, escaped as the format says" {
	local f g n out
	for f in "$FIXTURES"/*.allocinfo; do
		for g in "${GROUPINGS[@]}"; do
			out=$(prom "$f" "$g")
			run -0 diff -u <(expected "$f" "$g" | canon) <(canon <<<"$out")
			# canon dropped no sample
			n=$(grep -vc '^#' <<<"$out")
			((n > 0))
			[[ $(canon <<<"$out" | wc -l) -eq $n ]]
		done
	done
}

@test "awkward names: backslashes, double quotes, braces, UTF-8, control and non-UTF-8 bytes" {
	run -0 --separate-stderr prom "$PROM" none
	expect_stderr ""
	# a backslash is spelled \x5c, its backslash escaped
	expect_contains 'allocinfo_bytes{file="drivers/we\\x5cird\\x5cpath\\x5c.c",line="42",module="back\\x5cslash",function="back\\x5c\"slash\\x5c"} 1000000'
	expect_contains 'allocinfo_bytes{file="\"quoted\"/say\".c",line="7",module="q\"mod",function="say_\"hi\""} 900000'
	expect_contains 'allocinfo_bytes{file="fs/braces{x}/a=b,c.c",line="9",module="",function="c={d},e"} 12288'
	expect_contains 'allocinfo_bytes{file="fs/utf8-é/naïve.c",line="11",module="ünï",function="naïve_ünïcödé"} 8192'
	expect_contains $'allocinfo_bytes{file="drivers/ctl\x01/bell\x07.c",line="5",module="",function="ctl\x7f"} 4096'
	# bytes that are not UTF-8 are spelled \xNN, and that backslash escaped
	expect_contains 'allocinfo_bytes{file="lat1\\xe9.c",line="13",module="m\\xff",function="f\\xff"} 2048'
	run -0 prom "$PROM" module
	expect_contains 'allocinfo_module_bytes{module="back\\x5cslash"} 1000000'
	expect_contains 'allocinfo_module_bytes{module="q\"mod"} 900000'
	run -0 prom "$PROM" dir:2
	expect_contains 'allocinfo_dir2_bytes{dir="\"quoted\""} 900000'
	expect_contains 'allocinfo_dir2_bytes{dir="fs/xfs"} 256'
	run -0 prom "$PROM" dir
	expect_contains 'allocinfo_dir_bytes{dir="fs/xfs/libxfs"} 256'
}

@test "a call site the kernel lists twice is one series, with the sums" {
	run -0 prom "$PROM" none
	# kernel/sched/sched.h:2345 alloc_user_cpus_ptr: 600000 + 500000 bytes, 150 + 125 calls
	expect_contains 'allocinfo_bytes{file="kernel/sched/sched.h",line="2345",module="",function="alloc_user_cpus_ptr"} 1100000'
	expect_contains 'allocinfo_calls{file="kernel/sched/sched.h",line="2345",module="",function="alloc_user_cpus_ptr"} 275'
	# vmalloc_huge in xfs twice (one of them accurate:no); built in, once: its own series
	expect_contains 'allocinfo_bytes{file="include/linux/vmalloc.h",line="190",module="xfs",function="vmalloc_huge"} 49152'
	expect_contains 'allocinfo_calls{file="include/linux/vmalloc.h",line="190",module="xfs",function="vmalloc_huge"} 12'
	expect_contains 'allocinfo_bytes{file="include/linux/vmalloc.h",line="190",module="",function="vmalloc_huge"} 65536'
	[[ $(grep -c 'alloc_user_cpus_ptr' <<<"$output") -eq 2 ]]
	# and it counts as one site of its groups
	run -0 prom "$PROM" function
	expect_contains 'allocinfo_function_sites{function="alloc_user_cpus_ptr"} 1'
	expect_contains 'allocinfo_function_sites{function="vmalloc_huge"} 2'
	# the largest call site of --limit 1 is the sum, not one of its halves
	run -0 prom "$PROM" none --limit 1
	expect_contains 'allocinfo_bytes{file="kernel/sched/sched.h",line="2345",module="",function="alloc_user_cpus_ptr"} 1100000'
	[[ $(grep -vc '^#' <<<"$output") -eq 2 ]]
}

# A byte that is not UTF-8 is spelled \xNN: were a backslash kept as it is,
# a name with the text \xe9 in it would give the same label value, and
# node_exporter would drop one of the two series ("was collected before with
# the same name and label values").
@test "names that differ stay different label values (a byte 0xe9 and the text \\xe9)" {
	printf 'allocinfo - version: 2.0\n#     <size>  <calls> <tag info>\n' >"$BATS_TEST_TMPDIR/c"
	printf '%12s %8s %s \n' 2048 1 $'lat1\xe9.c:13 func:f' 1024 1 'lat1\xe9.c:13 func:f' \
		>>"$BATS_TEST_TMPDIR/c"
	for g in none file; do
		run -0 prom "$BATS_TEST_TMPDIR/c" "$g"
		dups=$(grep -v '^#' <<<"$output" | sed 's/ [^ ]*$//' | sort | uniq -d)
		if [[ -n $dups ]]; then
			printf 'grouping %s: one label set for two names:\n%s\n' "$g" "$dups" >&2
			return 1
		fi
	done
}

@test "node_exporter serves every sample exactly; Prometheus scrapes it: sum, topk, growth, the alert rules" {
	need prometheus prometheus
	need prometheus-node-exporter prometheus-node-exporter
	need curl curl
	need jq jq
	local dir=$BATS_TEST_TMPDIR/textfile total grown=$BATS_TEST_TMPDIR/grown.allocinfo f
	mkdir "$dir" "$BATS_TEST_TMPDIR/tsdb"
	# what allocq-prometheus.service writes: two files, one directory
	allocq --input "$PROM" --format prometheus --output-file "$dir/allocq_sites.prom"
	allocq --input "$PROM" --format prometheus --group-by module \
		--output-file "$dir/allocq_modules.prom"
	start_node_exporter "$dir"

	# node_exporter's textfile collector serves every sample, without errors
	node_metrics >"$BATS_TEST_TMPDIR/metrics"
	run -0 diff -u <(cat "$dir"/*.prom | canon) \
		<(grep '^allocinfo_' "$BATS_TEST_TMPDIR/metrics" | canon)
	grep -qx 'node_textfile_scrape_error 0' "$BATS_TEST_TMPDIR/metrics"
	grep -q "^node_textfile_mtime_seconds{file=\"$dir/allocq_sites.prom\"}" "$BATS_TEST_TMPDIR/metrics"
	grep -q "^node_textfile_mtime_seconds{file=\"$dir/allocq_modules.prom\"}" "$BATS_TEST_TMPDIR/metrics"
	# duplicate series do not set node_textfile_scrape_error: they are logged
	run grep -i 'level=error\|collected before' "$BATS_TEST_TMPDIR/node_exporter.log"
	((status == 1)) || { echo "node_exporter logged errors: $output" >&2; return 1; }

	# Prometheus scrapes node_exporter
	cat >"$BATS_TEST_TMPDIR/prometheus.yml" <<-EOF
		global:
		  scrape_interval: 1s
		  scrape_timeout: 1s
		  evaluation_interval: 1s
		rule_files:
		  - $ALERTS
		scrape_configs:
		  - job_name: node
		    static_configs:
		      - targets: ['127.0.0.1:$NODE_PORT']
	EOF
	start_server prometheus -/ready prometheus \
		--config.file "$BATS_TEST_TMPDIR/prometheus.yml" \
		--storage.tsdb.path "$BATS_TEST_TMPDIR/tsdb" \
		--web.listen-address 127.0.0.1:@PORT@
	PROM_PORT=$PORT

	total=$(fixture_bytes "$PROM")
	[[ $total == 3142080 ]]
	wait_for 'up{job="node"}' 'length == 1 and .[0].value[1] == "1"'
	wait_for 'sum(allocinfo_bytes)' ".[0].value[1] == \"$total\""
	# the module view counts every byte once too
	wait_for 'sum(allocinfo_module_bytes)' ".[0].value[1] == \"$total\""
	wait_for 'sum(allocinfo_module_sites)' '.[0].value[1] == "12"'

	# the three largest, with the names as the kernel printed them
	run -0 jq -r 'sort_by(-(.value[1] | tonumber))[] | [.metric.file, .metric.line,
		.metric.module // "-", .metric.function, .value[1]] | join("|")' \
		<<<"$(promql 'topk(3, allocinfo_bytes)')"
	expect_output 'kernel/sched/sched.h|2345|-|alloc_user_cpus_ptr|1100000
drivers/we\x5cird\x5cpath\x5c.c|42|back\x5cslash|back\x5c"slash\x5c|1000000
"quoted"/say".c|7|q"mod|say_"hi"|900000'
	run -0 jq -r '.[0].value[1]' <<<"$(promql 'allocinfo_module_bytes{module="q\"mod"}')"
	expect_output 900000
	run -0 jq -r '.[0].metric.file' <<<"$(promql 'allocinfo_bytes{line="13"}')"
	expect_output 'lat1\xe9.c'
	run -0 jq -r '.[0].metric.file' <<<"$(promql 'allocinfo_bytes{line="5"}')"
	expect_output $'drivers/ctl\x01/bell\x07.c'

	# the quoted call site grows by 123456 bytes
	sed 's/^      900000      225 /     1023456      230 /' "$PROM" >"$grown"
	[[ $(fixture_bytes "$grown") == $((total + 123456)) ]]
	allocq --input "$grown" --format prometheus --output-file "$dir/allocq_sites.prom"
	wait_for 'allocinfo_bytes{line="7"}' '.[0].value[1] == "1023456"'
	wait_for 'sum(allocinfo_bytes)' ".[0].value[1] == \"$((total + 123456))\""
	wait_for 'max_over_time(allocinfo_bytes{line="7"}[1m]) - min_over_time(allocinfo_bytes{line="7"}[1m])' \
		'.[0].value[1] == "123456"'
	wait_for 'delta(allocinfo_bytes{line="7"}[30s]) > 0' 'length == 1'
	wait_for 'delta(allocinfo_calls{line="7"}[30s]) > 0' 'length == 1'
	wait_for 'deriv(allocinfo_bytes{line="7"}[30s]) > 0' 'length == 1'
	# the others did not move
	wait_for 'delta(allocinfo_bytes{line!="7"}[30s]) != 0' 'length == 0'

	# the example alert rules loaded and evaluate without errors
	local deadline=$((SECONDS + 60)) rules
	while ((SECONDS < deadline)); do
		rules=$(curl -fsS "http://127.0.0.1:$PROM_PORT/api/v1/rules" |
			jq -r '.data.groups[].rules[] | "\(.name) \(.health) \(.lastError // "")"')
		[[ $rules == *unknown* ]] || break
		sleep 0.2
	done
	output=$rules
	expect_output 'KernelAllocationSiteGrowing ok 
KernelModuleAllocationsGrowing ok '

	# node_exporter serves the per-site file of every other fixture too
	for f in "$FIXTURES"/v2.allocinfo "$FIXTURES"/odd.allocinfo "$FIXTURES"/long.allocinfo; do
		allocq --input "$f" --format prometheus --output-file "$dir/allocq_sites.prom"
		run -0 diff -u <(cat "$dir"/*.prom | canon) <(node_metrics | grep '^allocinfo_' | canon)
	done
	run grep -i 'level=error\|collected before' "$BATS_TEST_TMPDIR/node_exporter.log"
	((status == 1)) || { echo "node_exporter logged errors: $output" >&2; return 1; }
}

@test "the alert rule example: promtool accepts it, and it fires on sustained growth only" {
	need promtool prometheus
	run -0 promtool check rules "$ALERTS"
	expect_contains 'SUCCESS: 2 rules found'
	# A call site of module xfs grows by 10 MiB a minute (600 MiB an hour)
	# for three hours; another one grows the same for 20 minutes only, then
	# frees it; a third one holds steady.
	cat >"$BATS_TEST_TMPDIR/test.yml" <<-EOF
		rule_files:
		  - $ALERTS
		evaluation_interval: 1m
		tests:
		  - interval: 1m
		    input_series:
		      - series: 'allocinfo_bytes{instance="h1",file="fs/xfs/xfs_buf.c",line="372",module="xfs",function="xfs_buf_alloc_pages"}'
		        values: '0+10485760x180'
		      - series: 'allocinfo_bytes{instance="h1",file="mm/slub.c",line="2456",module="",function="alloc_slab_page"}'
		        values: '0+10485760x20 0x160'
		      - series: 'allocinfo_bytes{instance="h1",file="kernel/fork.c",line="311",module="",function="alloc_thread_stack_node"}'
		        values: '1073741824x180'
		      - series: 'allocinfo_module_bytes{instance="h1",module="xfs"}'
		        values: '0+20971520x180'
		      - series: 'allocinfo_module_bytes{instance="h1"}'
		        values: '5368709120x180'
		    alert_rule_test:
		      - eval_time: 20m
		        alertname: KernelAllocationSiteGrowing
		        exp_alerts: []
		      - eval_time: 2h
		        alertname: KernelAllocationSiteGrowing
		        exp_alerts:
		          - exp_labels:
		              severity: warning
		              instance: h1
		              file: fs/xfs/xfs_buf.c
		              line: "372"
		              module: xfs
		              function: xfs_buf_alloc_pages
		            exp_annotations:
		              summary: "Kernel allocations at fs/xfs/xfs_buf.c:372 (xfs_buf_alloc_pages) on h1 grow by 600MiB an hour"
		              description: "The call site xfs_buf_alloc_pages at fs/xfs/xfs_buf.c:372 (module xfs) has held more memory for the last hour, at 600MiB an hour. Look at it with \`allocq --file fs/xfs/xfs_buf.c --line 372\`, and save \`allocq --format allocinfo\` now and later, for \`allocq --diff\`."
		      - eval_time: 2h
		        alertname: KernelModuleAllocationsGrowing
		        exp_alerts:
		          - exp_labels:
		              severity: warning
		              instance: h1
		              module: xfs
		            exp_annotations:
		              summary: "Kernel allocations of module xfs on h1 grow by 1.172GiB an hour"
		              description: "Module xfs has held more memory for the last hour, at 1.172GiB an hour. \`allocq --module xfs --limit 20\` shows its largest call sites."
	EOF
	run promtool test rules "$BATS_TEST_TMPDIR/test.yml"
	((status == 0)) || { echo "$output" >&2; return 1; }
}

@test "--output-file: a reader never sees a partial file while allocq rewrites it 1,000 times" {
	local n=1000 i dir=$BATS_TEST_TMPDIR/textfile reader result
	# under valgrind (meson test --setup valgrind) one run takes a second
	[[ -z ${ALLOCQ_WRAPPER:-} ]] || n=50
	mkdir "$dir"
	prom "$FIXTURES/v2.allocinfo" none >"$BATS_TEST_TMPDIR/a"
	prom "$PROM" none >"$BATS_TEST_TMPDIR/b"
	cp "$BATS_TEST_TMPDIR/a" "$dir/allocq.prom"
	# read_loop FILE: reads FILE until $BATS_TEST_TMPDIR/stop exists; prints
	# "READS BAD", BAD counting the reads that were neither whole a nor whole b
	read_loop() {
		local a b c reads=0 bad=0
		a=$(<"$BATS_TEST_TMPDIR/a") b=$(<"$BATS_TEST_TMPDIR/b")
		while [[ ! -e $BATS_TEST_TMPDIR/stop ]]; do
			c=$(<"$1") || c=
			reads=$((reads + 1))
			[[ $c == "$a" || $c == "$b" ]] || bad=$((bad + 1))
		done
		echo "$reads $bad"
	}

	# The check can see a torn file: a plain redirection is caught in the act.
	read_loop "$dir/allocq.prom" >"$BATS_TEST_TMPDIR/result" 3>&- &
	reader=$!
	for ((i = 0; i < 100; i++)); do
		cat "$BATS_TEST_TMPDIR/$([[ $((i % 2)) == 0 ]] && echo b || echo a)" >"$dir/allocq.prom"
	done
	touch "$BATS_TEST_TMPDIR/stop"
	wait "$reader"
	read -r reads bad <"$BATS_TEST_TMPDIR/result"
	echo "plain redirection: $reads reads, $bad torn" >&2
	((bad > 0))

	rm "$BATS_TEST_TMPDIR/stop"
	cp "$BATS_TEST_TMPDIR/a" "$dir/allocq.prom"
	read_loop "$dir/allocq.prom" >"$BATS_TEST_TMPDIR/result" 3>&- &
	reader=$!
	for ((i = 0; i < n; i++)); do
		if ((i % 2 == 0)); then
			allocq --input "$PROM" --format prometheus --output-file "$dir/allocq.prom"
		else
			allocq --input "$FIXTURES/v2.allocinfo" --format prometheus \
				--output-file "$dir/allocq.prom"
		fi
	done
	touch "$BATS_TEST_TMPDIR/stop"
	wait "$reader"
	read -r reads bad <"$BATS_TEST_TMPDIR/result"
	echo "allocq --output-file, $n rewrites: $reads reads, $bad torn" >&2
	((reads >= n / 10 && bad == 0))
	# no temporary file left behind
	run -0 ls -A "$dir"
	expect_output allocq.prom
}

@test "--output-file on a full disk: exit 1, one line, the old file untouched, no temporary file" {
	local dir=$BATS_TEST_TMPDIR/small
	mount_tmpfs "$dir" 64k
	allocq --input "$FIXTURES/v2.allocinfo" --format prometheus --output-file "$dir/allocq.prom"
	cp -p "$dir/allocq.prom" "$BATS_TEST_TMPDIR/before"
	sites "$BATS_TEST_TMPDIR/big" 5000
	run -1 --separate-stderr allocq --input "$BATS_TEST_TMPDIR/big" --format prometheus \
		--output-file "$dir/allocq.prom"
	expect_output ""
	[[ ${#stderr_lines[@]} -eq 1 ]]
	[[ $stderr == "allocq: cannot write $dir/allocq.prom: No space left on device"* ]]
	cmp "$BATS_TEST_TMPDIR/before" "$dir/allocq.prom"
	[[ $(stat -c %Y "$BATS_TEST_TMPDIR/before") == $(stat -c %Y "$dir/allocq.prom") ]]
	run -0 ls -A "$dir"
	expect_output allocq.prom
	# every format
	run -1 --separate-stderr allocq --input "$BATS_TEST_TMPDIR/big" --json \
		--output-file "$dir/allocq.prom"
	[[ ${#stderr_lines[@]} -eq 1 ]]
	cmp "$BATS_TEST_TMPDIR/before" "$dir/allocq.prom"
	run -0 ls -A "$dir"
	expect_output allocq.prom
}

@test "--output-file: a new file is 0644 whatever the umask, an older one keeps its mode" {
	local dir=$BATS_TEST_TMPDIR/textfile
	mkdir "$dir"
	touch "$dir/allocq.prom"
	chmod 0640 "$dir/allocq.prom"
	(umask 077 && allocq --input "$PROM" --format prometheus --output-file "$dir/allocq.prom")
	[[ $(stat -c %a "$dir/allocq.prom") == 640 ]]
	(umask 077 && allocq --input "$PROM" --format prometheus --output-file "$dir/new.prom")
	[[ $(stat -c %a "$dir/new.prom") == 644 ]]
	cmp "$dir/allocq.prom" <(prom "$PROM" none)
	# a relative path, in the current directory
	(cd "$dir" && allocq --input "$PROM" --format prometheus --output-file rel.prom)
	cmp "$dir/rel.prom" <(prom "$PROM" none)
	run -0 ls -A "$dir"
	expect_output $'allocq.prom\nnew.prom\nrel.prom'
}

@test "systemd units: systemd-analyze verify is silent, the service is sandboxed" {
	need systemd-analyze systemd
	local dir=$BATS_TEST_TMPDIR/units
	mkdir -p "$dir" "$BATS_TEST_TMPDIR/man/man1"
	[[ -f $UNITS/allocq-prometheus.service && -f $UNITS/allocq-prometheus.timer ]]
	# verify checks that ExecStart's program exists and that the
	# Documentation= man page opens: the built allocq (quoted: the tree may
	# sit under a path with a space in it) and its man page
	sed "s|^ExecStart=[^ ]*/allocq |ExecStart=\"$ALLOCQ\" |" "$UNITS/allocq-prometheus.service" \
		>"$dir/allocq-prometheus.service"
	cp "$UNITS/allocq-prometheus.timer" "$dir/"
	cp "$SOURCE_ROOT/man/allocq.1" "$BATS_TEST_TMPDIR/man/man1/"
	run -0 env MANPATH="$BATS_TEST_TMPDIR/man" systemd-analyze verify \
		"$dir/allocq-prometheus.service" "$dir/allocq-prometheus.timer"
	expect_output ""
	# and it does notice a mistake
	sed 's/^Type=oneshot$/Type=oneshot\nTypoKey=1/' "$dir/allocq-prometheus.service" \
		>"$dir/typo.service"
	run env MANPATH="$BATS_TEST_TMPDIR/man" systemd-analyze verify "$dir/typo.service"
	expect_contains "Unknown key 'TypoKey'"
	# systemd's own exposure score: 0 (locked down) to 10 (UNSAFE); the unit
	# scores 0.9, and dropping any one of its restrictions (PrivateNetwork=,
	# RestrictAddressFamilies=, ProtectSystem=, NoNewPrivileges=...) raises it
	run -0 systemd-analyze security --offline=yes "$dir/allocq-prometheus.service"
	local report=$output
	[[ $report =~ Overall\ exposure\ level\ for\ allocq-prometheus.service:\ ([0-9.]+) ]] ||
		fail_with "no exposure level in:" "$report"
	awk -v e="${BASH_REMATCH[1]}" 'BEGIN { exit !(e <= 0.9) }' ||
		fail_with "exposure ${BASH_REMATCH[1]}, more than 0.9:" "$report"
	# and what is left open, each for a reason: root and the whole of /proc
	# to read /proc/allocinfo (User=, PrivateUsers=, ProcSubset=), no image
	# to run from (RootDirectory=), devices and IP closed by PrivateDevices=
	# and PrivateNetwork= already (DeviceAllow=, IPAddressDeny=), and files
	# the collector can read (UMask=)
	# (a failed check is "-" in the C locale, "✗" in others)
	run -0 awk '$1 == "-" || $1 == "✗" { print $2 }' <<<"$report"
	expect_output "RootDirectory=/RootImage=
User=/DynamicUser=
ProcSubset=
PrivateUsers=
DeviceAllow=
IPAddressDeny=
UMask="
}

@test "systemd units: the ExecStart lines write the two files node_exporter reads" {
	need promtool prometheus
	local service=$UNITS/allocq-prometheus.service timer=$UNITS/allocq-prometheus.timer
	local dir=$BATS_TEST_TMPDIR/textfile line args=() n=0 textdir
	mkdir "$dir"
	sites "$BATS_TEST_TMPDIR/many" 1000
	grep -qx 'Type=oneshot' "$service"
	# the textfile directory (meson option textfile_dir, by default Debian's
	# /var/lib/prometheus/node-exporter): the one place it may write
	textdir=$(sed -n 's/^ReadWritePaths=//p' "$service")
	[[ $textdir == /* ]]
	grep -qx "ConditionPathIsDirectory=$textdir" "$service"
	grep -qx 'ConditionPathExists=/proc/allocinfo' "$service"
	# no [Install]: only the timer is enabled
	run -1 grep -q '^\[Install\]' "$service"
	grep -qx 'OnUnitActiveSec=1min' "$timer"
	grep -qx 'WantedBy=timers.target' "$timer"
	run -0 grep -c '^ExecStart=' "$service"
	expect_output 2
	while IFS= read -r line; do
		[[ $line != *[\"\'\\\$%]* ]]	# nothing for systemd to unquote or expand
		read -ra args <<<"${line#ExecStart=}"
		[[ ${args[0]} == /*/allocq ]]
		args=("${args[@]:1}")
		[[ " ${args[*]} " == *" --output-file $textdir/"*.prom" "* ]]
		args=("${args[@]/#$textdir\//$dir/}")
		allocq --input "$BATS_TEST_TMPDIR/many" "${args[@]}"
		n=$((n + 1))
	done < <(grep '^ExecStart=' "$service")
	((n == 2))
	run -0 ls -A "$dir"
	expect_output $'allocq_modules.prom\nallocq_sites.prom'
	for f in "$dir"/*.prom; do
		[[ $(stat -c %a "$f") == 644 ]]
		run -0 promtool check metrics <"$f"
		expect_output ""
	done
	# one series a module in each family, and the 200 largest call sites
	run -0 grep -c '^allocinfo_module_bytes{' "$dir/allocq_modules.prom"
	expect_output 7
	run -0 grep -c '^allocinfo_bytes{' "$dir/allocq_sites.prom"
	expect_output 200
	run -0 grep -c '^allocinfo_calls{' "$dir/allocq_sites.prom"
	expect_output 200
	grep -q 'function="gen_alloc_01000"} 4096000$' "$dir/allocq_sites.prom"
	grep -q 'function="gen_alloc_00801"} 3280896$' "$dir/allocq_sites.prom"
	run -1 grep -q 'function="gen_alloc_00800"' "$dir/allocq_sites.prom"
}

@test "systemd units: meson installs them into the system unit directory, pointing at the installed allocq" {
	need jq jq
	local installed bin textdir
	installed=$(meson introspect --installed "$ALLOCQ_BUILD_ROOT")
	bin=$(jq -r --arg b "$ALLOCQ" '.[$b]' <<<"$installed")
	[[ $bin == /*/allocq ]]
	for unit in allocq-prometheus.service allocq-prometheus.timer; do
		run -0 jq -r --arg u "$UNITS/$unit" '.[$u]' <<<"$installed"
		[[ $output == */systemd/system/$unit ]]
	done
	textdir=$(sed -n 's/^ReadWritePaths=//p' "$UNITS/allocq-prometheus.service")
	run -0 grep '^ExecStart=' "$UNITS/allocq-prometheus.service"
	expect_output "ExecStart=$bin --format prometheus --group-by module --output-file $textdir/allocq_modules.prom
ExecStart=$bin --format prometheus --limit 200 --output-file $textdir/allocq_sites.prom"
}
