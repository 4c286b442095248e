# shellcheck shell=bash
# Helpers shared by kernel/build, kernel/vm and the top-level scripts.

ALLOCQ_CACHE=${ALLOCQ_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/allocq}

say() { printf '%s: %s\n' "${0##*/}" "$*" >&2; }
die() { say "error: $*"; exit 1; }

# Packages are named by the command or file that tells whether they are there.
need_pkgs() {
	local missing=() pair
	for pair in "$@"; do
		local probe=${pair%%=*} pkg=${pair#*=}
		if [[ $probe == /* ]]; then
			[[ -e $probe ]] && continue
		else
			command -v "$probe" >/dev/null 2>&1 && continue
		fi
		missing+=("$pkg")
	done
	((${#missing[@]})) || return 0
	say "installing ${missing[*]}"
	apt_update_once
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
		"${missing[@]}" >&2 || die "apt-get install ${missing[*]} failed"
}

_apt_updated=
apt_update_once() {
	[[ -n $_apt_updated ]] && return 0
	apt-get update -q >&2 || die "apt-get update failed"
	_apt_updated=1
}

# The kernel sources live in newer Debian suites. Add them with a low pin
# priority so that nothing already installed is ever upgraded from them, and
# reuse the mirror this machine is already configured with.
ensure_kernel_suites() {
	local list=/etc/apt/sources.list.d/allocq-kernel-sources.sources
	local pin=/etc/apt/preferences.d/allocq-kernel-sources
	[[ -f $list && -f $pin ]] && return 0
	local uri
	uri=$(apt-get indextargets --format '$(REPO_URI)' 'Created-By: Packages' 2>/dev/null |
		grep -v -e security -e updates | head -n 1)
	[[ -n $uri ]] || uri=$(sed -n 's/^URIs:[[:space:]]*//p' /etc/apt/sources.list.d/*.sources \
		/dev/null 2>/dev/null | grep -v security | head -n 1)
	[[ -n $uri ]] || die "cannot find this machine's Debian mirror in the apt configuration"
	say "adding Debian suites trixie, trixie-backports and sid (pin 100) from ${uri%/}"
	cat >"$list" <<EOT
Types: deb
URIs: ${uri%/}
Suites: trixie trixie-backports sid
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOT
	cat >"$pin" <<EOT
Package: *
Pin: release n=trixie
Pin-Priority: 100

Package: *
Pin: release n=trixie-backports
Pin-Priority: 100

Package: *
Pin: release n=sid
Pin-Priority: 100
EOT
	_apt_updated=
	apt_update_once
}

# Before a long build: what would make it fail late. NEED_GB of free space
# for the kernel sources and builds (ALLOCQ_CACHE), root for apt and for the
# guests, and a working directory QEMU and the guest can share.
preflight() {
	local need_gb=$1 free_kb dir=$ALLOCQ_CACHE
	((EUID == 0)) || die "run as root: packages are installed with apt, and the tests load modules"
	[[ $PWD != *$'\n'* ]] || die "the path of this tree has a newline in it: clone it elsewhere"
	case $PWD/ in
	/proc/* | /sys/* | /dev/*) die "this tree is on a pseudo file system: clone it elsewhere" ;;
	esac
	((need_gb)) || return 0
	mkdir -p "$dir" 2>/dev/null || die "cannot create the cache $dir: set ALLOCQ_CACHE"
	free_kb=$(df -Pk "$dir" | awk 'NR == 2 { print $4 }')
	((free_kb >= need_gb * 1024 * 1024)) ||
		die "$((free_kb / 1024)) MiB free under $dir: the kernel sources and builds need about $need_gb GiB (set ALLOCQ_CACHE to a larger disk)"
}
