# Bash completion for umlab: umlab, linfo, lstart, lhalt, lcrash, lclean,
# lstatus, lrestart, lconnect, lexec, lcapture, ltop, ltest, llink, lpause,
# lresume, lcommit, vstart, vhalt, vcrash, vlist, vconfig, vclean, hub,
# umlab-mkfs, umlab-mkkernel.
#
# Installed once per command name in share/bash-completion/completions/ (so
# bash-completion loads it on demand), or source it by hand. Host and domain
# names come from `linfo --json` on the lab in the current directory, or the
# one given with -d/--directory; machine names from `vlist --all --json`.
# Needs nothing but bash.

# Options of each command; options taking a value end in '='.
declare -gA _umlab_opts=(
	[linfo]='-d= --directory= -w= --hostwd= --json --dot -h --help --version'
	[lstart]='-d= --directory= -w= --hostwd= -p= --parallel= -s --sequential -o= --pass= -k= --kernel= --timeout= --headless --json --dry-run --abort-on-failure -q --quiet -h --help --version'
	[lhalt]='-d= --directory= -w= --hostwd= -r --remove-fs -q --quick --wait= --json -h --help --version'
	[lcrash]='-d= --directory= -w= --hostwd= -F --keep-fs --json -h --help --version'
	[lclean]='-d= --directory= -w= --hostwd= -h --help --version'
	[lstatus]='-d= --directory= -w= --hostwd= --json -h --help --version'
	[lrestart]='-d= --directory= -w= --hostwd= --clean --crash --timeout= -k= --kernel= --json -q --quiet -h --help --version'
	[lconnect]='-d= --directory= -w= --hostwd= --all --here -h --help --version'
	[lexec]='-d= --directory= -w= --hostwd= -n --no-stdin -e= --env= -C= --chdir= --timeout= --wait= -h --help --version'
	[lcapture]='-d= --directory= --hostwd= -w= --write= -c= --count= -h --help --version'
	[ltop]='-d= --directory= -w= --hostwd= -h --help --version'
	[llink]='-d= --directory= -w= --hostwd= -q --quiet --json -h --help --version'
	[lcommit]='-d= --directory= -w= --hostwd= --fs-dir= --system -f --force -q --quiet -h --help --version'
	[ltest]='-d= --directory= -w= --hostwd= --results= --junit= --json --keep --reuse --no-start -t= --timeout= --start-timeout= -p= --parallel= -o= --pass= --assertions= --rebuild-signature --signature-dir= --no-signature --fail-fast --only= -v --verbose -q --quiet -h --help --version'
	[hub]='-d --daemon --pidfile= --pcap= --mode= --exit-when-idle= -v --verbose --stats --capture --events --command= --impair= --impair-port= --domain-down --port-down= --partition= -c= --count= -h --help -V --version'
	[lpause]='-d= --directory= -w= --hostwd= -q --quiet --json -h --help --version'
	[lresume]='-d= --directory= -w= --hostwd= -q --quiet --json -h --help --version'
	[umlab-mkfs]='-n= --name= -p= --packages= -k= --kernel= --system -d= --dir= --mirror= -f --force --print-path --list --prune -q --quiet -h --help --version'
	[vstart]='-k= --kernel= -M= --mem= --eth0= --eth1= --eth2= --eth3= --eth4= --eth5= --eth6= --eth7= -m= --model-fs= -f= --filesystem= -W --no-cow -D --hide-disk-file --hosthome -H --no-hosthome -e= --exec= -l= --hostlab= --con0= --con1= --xterm= --append= -F --foreground --tmux-attached --tmux-detached --timeout= -p --print -q --quiet -v --verbose -h --help --version'
	[vhalt]='-r --remove-fs -q --quick --wait= -u= --user= --json -h --help --version'
	[vcrash]='-F --keep-fs -u= --user= --json -h --help --version'
	[vlist]='-n --no-header -u= --user= --all --json -h --help --version'
	[vconfig]='--eth0= --eth1= --eth2= --eth3= --eth4= --eth5= --eth6= --eth7= -u= --user= -q --quiet -h --help --version'
	[vclean]='-H --remove-hubs -f --force -K --kill-machines -T --remove-tunnels --clean-directories --clean-all --test -u= --user= -q --quiet -v --verbose -h --help --version'
	[umlab-mkkernel]='-n= --name= -s= --source= --system -d= --dir= -j= --jobs= -f --force --print-path --list --prune -q --quiet -h --help --version'
)

# What the positional arguments are: hosts (any number), host (the first
# only, then a command), domain (one), dir (one), none.
declare -gA _umlab_args=(
	[linfo]=none [lstart]=hosts [lhalt]=hosts [lcrash]=hosts [lclean]=hosts
	[lstatus]=none [lrestart]=hosts [lconnect]=host1 [lexec]=host1
	[lcapture]=domain [ltop]=none [ltest]=none [llink]=links [hub]=dir [umlab-mkfs]=files [umlab-mkkernel]=none
	[lpause]=hosts [lresume]=hosts
	[lcommit]=host1
	[vstart]=machine1 [vhalt]=machines [vcrash]=machines [vlist]=machines [vconfig]=machine1
	[vclean]=none
)

# The full option name an abbreviation (getopt_long style) stands for, or "".
_umlab_expand_opt() {
	local cmd=$1 word=$2 o match=""
	for o in ${_umlab_opts[$cmd]}; do
		o=${o%=}
		if [[ $o == "$word" ]]; then
			printf '%s\n' "$o"
			return
		fi
		[[ $word == --?* && $o == "$word"* ]] && match=${match:+ambiguous}${match:-$o}
	done
	[[ $match == ambiguous* ]] || printf '%s\n' "$match"
}

# Does option (as spelt in _umlab_opts) take a value?
_umlab_takes_value() {
	[[ " ${_umlab_opts[$1]} " == *" $2= "* ]]
}

# What the value of option opt of cmd is: dir, file, recipe, or nothing.
_umlab_value_kind() {
	case $1:$2 in
	umlab-mkfs:-d | umlab-mkfs:--dir) echo dir ;;
	umlab-mkfs:-k | umlab-mkfs:--kernel) echo file ;;
	umlab-mkfs:-n | umlab-mkfs:--name) echo recipe ;;
	lstart:-k | lstart:--kernel | lrestart:-k | lrestart:--kernel | vstart:-k | vstart:--kernel) echo kernel ;;
	umlab-mkkernel:-d | umlab-mkkernel:--dir) echo dir ;;
	umlab-mkkernel:-s | umlab-mkkernel:--source) echo file ;;
	lcapture:-w | lcapture:--write) echo file ;;
	lcommit:--fs-dir) echo dir ;;
	hub:--pidfile | hub:--pcap) echo file ;;
	hub:* | umlab-mkfs:* | umlab-mkkernel:*) ;;
	vstart:-f | vstart:--filesystem | vstart:-m | vstart:--model-fs) echo file ;;
	vstart:-l | vstart:--hostlab) echo dir ;;
	vstart:--con0) echo con0 ;;
	vstart:--con1) echo con1 ;;
	vstart:--xterm) echo term ;;
	vstart:--eth* | vconfig:--eth*) echo mdomain ;;
	v*:*) ;;
	*:-d | *:--directory | *:-w | *:--hostwd | *:--results | *:--signature-dir) echo dir ;;
	*:--junit | *:--assertions) echo file ;;
	esac
}

# Is opt the lab-directory option of cmd?
_umlab_is_dir_opt() {
	[[ $1 != hub && $1 != umlab-mkfs && $1 != umlab-mkkernel && $1 != v* && ($2 == -d || $2 == --directory) ]]
}

# The user's machines (vstart), one a line; with "domains", their domains.
_umlab_machines() {
	local json
	if type -P vlist >/dev/null; then
		json=$(vlist --all --json 2>/dev/null)
	elif type -P umlab >/dev/null; then
		json=$(umlab vlist --all --json 2>/dev/null)
	fi
	if [[ ${1:-} == domains ]]; then
		awk '/^ +"domain": "/ { v = $0; sub(/^ +"domain": "/, "", v); sub(/".*/, "", v);
			if (!seen[v]++) print v }' <<<"$json"
	else
		awk '/^      "name": "/ { v = $0; sub(/^      "name": "/, "", v); sub(/".*/, "", v);
			print v }' <<<"$json"
	fi
}

# linfo for the lab in dir; prints its JSON document (nothing on failure).
_umlab_linfo_json() {
	if type -P linfo >/dev/null; then
		linfo -d "$1" --json 2>/dev/null
	elif type -P umlab >/dev/null; then
		umlab linfo -d "$1" --json 2>/dev/null
	fi
}

# Names of the "hosts" or "domains" of the lab in dir, one a line.
_umlab_names() {
	_umlab_linfo_json "$1" | awk -v want="$2" '
		/^  "[a-z_]+": \[/ { sect = $1; gsub(/[":]/, "", sect); next }
		/^  [\]}]/ { sect = "" }
		sect == want && /^      "name": "/ {
			v = $0; sub(/^      "name": "/, "", v); sub(/".*/, "", v); print v
		}'
}

# Interfaces of the lab in dir as llink names them (host:ethN), one a line.
_umlab_members() {
	_umlab_linfo_json "$1" | awk '/^        "[A-Za-z0-9_-]+:eth[0-9]+",?$/ {
		v = $0; gsub(/[ ",]/, "", v); print v }'
}

# Recipe names umlab-mkfs knows, from the installed or given recipe dirs.
_umlab_recipes() {
	local d f
	for d in ${UMLAB_DATADIR:+"$UMLAB_DATADIR/templates/fs"} /usr/local/share/umlab/templates/fs \
		/usr/share/umlab/templates/fs; do
		for f in "$d"/*.packages; do
			[[ -e $f ]] || continue
			f=${f##*/}
			printf '%s\n' "${f%.packages}"
		done
	done
}

# Kernel names the runtime accepts (rt/include/locate.h): those umlab-mkkernel
# built, and linux.uml when installed.
_umlab_kernels() {
	local d k
	for d in ${UMLAB_KERNEL_DIR:+"$UMLAB_KERNEL_DIR"} "${XDG_DATA_HOME:-$HOME/.local/share}/umlab/kernels" \
		/var/lib/umlab/kernels; do
		for k in "$d"/*/linux.uml; do
			[[ -x $k ]] || continue
			k=${k%/linux.uml}
			printf '%s\n' "${k##*/}"
		done
	done
	type -P linux.uml >/dev/null && echo linux.uml
}

# Fill COMPREPLY with values of kind (dir, file, recipe, ...) matching cur.
_umlab_complete_value() {
	case $1 in
	dir)
		compopt -o filenames 2>/dev/null
		mapfile -t COMPREPLY < <(compgen -d -- "$2")
		;;
	file)
		compopt -o filenames 2>/dev/null
		mapfile -t COMPREPLY < <(compgen -f -- "$2")
		;;
	recipe) mapfile -t COMPREPLY < <(compgen -W "$(_umlab_recipes)" -- "$2") ;;
	kernel)
		if [[ $2 == */* ]]; then
			compopt -o filenames 2>/dev/null
			mapfile -t COMPREPLY < <(compgen -f -- "$2")
		else
			mapfile -t COMPREPLY < <(compgen -W "$(_umlab_kernels)" -- "$2")
		fi
		;;
	con0) mapfile -t COMPREPLY < <(compgen -W "tmux xterm this" -- "$2") ;;
	con1) mapfile -t COMPREPLY < <(compgen -W "none" -- "$2") ;;
	term) mapfile -t COMPREPLY < <(compgen -W "auto xterm gnome konsole konsole-tab kitty \
		alacritty" -- "$2") ;;
	mdomain) mapfile -t COMPREPLY < <(compgen -W "$(_umlab_machines domains)" -- "$2") ;;
	*) COMPREPLY=() ;;
	esac
}

# The completion function of every umlab command.
_umlab() {
	local cmd=${1##*/} cur=${COMP_WORDS[COMP_CWORD]} first=1 i w opt
	local dir=. npos=0 endopts=0 prevopt="" seen=" "

	COMPREPLY=()
	if [[ $cmd == umlab ]]; then
		if ((COMP_CWORD == 1)); then
			mapfile -t COMPREPLY < <(compgen -W "linfo lstart lhalt lcrash lclean lstatus \
				lrestart lconnect lexec lcapture ltop ltest llink lpause lresume lcommit vstart \
				vhalt vcrash vlist vconfig vclean --help --version" -- "$cur")
			return
		fi
		cmd=${COMP_WORDS[1]}
		first=2
	fi
	[[ -n ${_umlab_opts[$cmd]:-} ]] || return

	# Walk the words before the cursor: options, their values, positionals.
	for ((i = first; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		if [[ -n $prevopt ]]; then
			[[ $w == = ]] && continue # "--opt=value", split at the '='
			_umlab_is_dir_opt "$cmd" "$prevopt" && dir=$w
			prevopt=""
		elif ((endopts)) || [[ $w != -?* ]] || { [[ $cmd == lexec ]] && ((npos > 0)); }; then
			npos=$((npos + 1))
			seen+="$w "
		elif [[ $w == -- ]]; then
			endopts=1
		elif [[ $w == --* ]]; then
			opt=$(_umlab_expand_opt "$cmd" "${w%%=*}")
			if [[ $w == *=* ]]; then
				_umlab_is_dir_opt "$cmd" "$opt" && dir=${w#*=}
			elif _umlab_takes_value "$cmd" "$opt"; then
				prevopt=$opt
			fi
		else
			opt=${w:0:2}
			if _umlab_takes_value "$cmd" "$opt"; then
				if ((${#w} > 2)); then
					_umlab_is_dir_opt "$cmd" "$opt" && dir=${w:2}
				else
					prevopt=$opt
				fi
			fi
		fi
	done

	# The value of an option.
	if [[ -n $prevopt ]]; then
		[[ $cur == = ]] && cur=""
		_umlab_complete_value "$(_umlab_value_kind "$cmd" "$prevopt")" "$cur"
		return
	fi
	if [[ $cur == --*=* ]]; then
		opt=$(_umlab_expand_opt "$cmd" "${cur%%=*}")
		_umlab_complete_value "$(_umlab_value_kind "$cmd" "$opt")" "${cur#*=}"
		return
	fi
	# An option (lexec's options end at the host name).
	if [[ $cur == -* ]] && ((!endopts)) && ! [[ $cmd == lexec && $npos -gt 0 ]]; then
		mapfile -t COMPREPLY < <(compgen -W "${_umlab_opts[$cmd]//=/}" -- "$cur")
		return
	fi

	case ${_umlab_args[$cmd]} in
	hosts)
		# Every host of the lab not named yet.
		mapfile -t COMPREPLY < <(compgen -W "$(_umlab_names "$dir" hosts |
			while read -r w; do [[ $seen == *" $w "* ]] || printf '%s\n' "$w"; done)" -- "$cur")
		;;
	host1)
		((npos == 0)) && mapfile -t COMPREPLY < <(compgen -W "$(_umlab_names "$dir" hosts)" -- "$cur")
		;;
	domain)
		((npos == 0)) && mapfile -t COMPREPLY < <(compgen -W "$(_umlab_names "$dir" domains)" -- "$cur")
		;;
	links)
		# llink ACTION TARGET...: domains and host:ethN (partition: hosts too).
		if ((npos == 0)); then
			mapfile -t COMPREPLY < <(compgen -W "show set reset down up partition heal" -- "$cur")
		elif [[ $seen == *" set "* ]] && ((npos >= 2)); then
			mapfile -t COMPREPLY < <(compgen -S = -W "delay jitter distribution loss loss_model \
				burst rate queue duplicate corrupt reorder mtu seed" -- "$cur")
			compopt -o nospace 2>/dev/null
		else
			mapfile -t COMPREPLY < <(compgen -W "$(_umlab_names "$dir" domains; _umlab_members "$dir"
				[[ $seen == *" partition "* ]] && _umlab_names "$dir" hosts)" -- "$cur")
		fi
		;;
	machines)
		mapfile -t COMPREPLY < <(compgen -W "$(_umlab_machines |
			while read -r w; do [[ $seen == *" $w "* ]] || printf '%s\n' "$w"; done)" -- "$cur")
		;;
	machine1)
		((npos == 0)) && mapfile -t COMPREPLY < <(compgen -W "$(_umlab_machines)" -- "$cur")
		;;
	dir | files)
		_umlab_complete_value "${_umlab_args[$cmd]%s}" "$cur"
		;;
	esac
	return 0
}

complete -F _umlab umlab linfo lstart lhalt lcrash lclean lstatus lrestart lconnect lexec vstart \
	lcapture ltop ltest llink lpause lresume lcommit vhalt vcrash vlist vconfig vclean hub umlab-mkfs \
	umlab-mkkernel
