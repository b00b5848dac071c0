# shellcheck shell=bash
# bench/lib.sh: what the lstart benchmarks share (sourced).

# bench_lab N TOPO DIR: write DIR/lab.yaml, N hosts in a chain
# (h0 -L0- h1 -L1- ...) or a star (every host on domain S).
bench_lab() {
	local n=$1 topo=$2 dir=$3 i
	mkdir -p "$dir"
	{
		echo "name: bench-$topo-$n"
		echo "hosts:"
		for ((i = 0; i < n; i++)); do
			if [ "$topo" = star ]; then
				echo "  h$i: { interfaces: [S] }"
			elif [ "$n" = 1 ] || [ $i = 0 ]; then
				echo "  h$i: { interfaces: [L0] }"
			elif [ $i = $((n - 1)) ]; then
				echo "  h$i: { interfaces: [L$((i - 1))] }"
			else
				echo "  h$i: { interfaces: [L$((i - 1)), L$i] }"
			fi
		done
	} >"$dir/lab.yaml"
}
