# SPDX-License-Identifier: BSD-2-Clause
# spdx-lib.sh - which files need an SPDX line and in which comment syntax.
# Sourced by scripts/check-spdx and scripts/add-spdx, so that the checker
# and the fixer never disagree about a file.
# shellcheck shell=sh
SPDX_ID="SPDX-License-Identifier: BSD-2-Clause"
# The line must be within this many lines of the top (after a shebang,
# a man page's or a C file's first comment).
SPDX_LINES=5

# spdx_files DIR: the tracked and the new (untracked, not ignored) files
# of the git checkout DIR that are source, build or script files.
spdx_files() {
	git -C "$1" ls-files --cached --others --exclude-standard |
	while IFS= read -r f; do
		[ -f "$1/$f" ] && [ -n "$(spdx_comment "$1/$f")" ] && echo "$f"
	done
}

# spdx_comment FILE: the SPDX line in FILE's comment syntax, or nothing
# for a data file (configs, scripts for the simulator, fuzz seeds).
spdx_comment() {
	case $1 in
	*.c | *.h | *.S | *.lds | *.h.in)
		echo "/* $SPDX_ID */" ;;
	*.sh | */Makefile.am | Makefile.am | */configure.ac | configure.ac | \
		*.in | */debian/rules | debian/rules)
		echo "# $SPDX_ID" ;;
	*/man/*.[1-8] | man/*.[1-8])
		echo ".\\\" $SPDX_ID" ;;
	*)
		# Scripts without a suffix (scripts/*, bench/run, .ci/run).
		if head -c 2 "$1" | grep -q '^#!'; then
			echo "# $SPDX_ID"
		fi ;;
	esac
}

# spdx_has FILE: one of FILE's first lines is the SPDX comment, whole and
# in FILE's syntax (a mere mention of the licence is not enough).
spdx_has() {
	head -n "$SPDX_LINES" "$1" | grep -qxF -- "$(spdx_comment "$1")"
}
