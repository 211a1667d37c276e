# acme-wizard probe: collects, read-only, everything the diagnosis needs.
#
# Runs under any POSIX sh (dash, bash 4.1, bash --posix) with coreutils and grep only
# (CentOS 6: GNU grep 2.6, coreutils 8.4), locally as `sh -s -- ROOT CONFIG_DIR LOGS_DIR` and on
# a remote host through ssh. It never writes anything and never opens private keys.
#
# Output, one record a line (fields separated by TAB, the path always last):
#   P  <probe format>                      first line
#   H  <key> <value>                       facts about the run (root, uid, date, ...)
#   W  <path>                              a place that was searched
#   E  <type f|d|l|o> <path>               an entry that exists (l: a symlink, see L)
#   L  <link target> <path>                where a symlink points
#   S  <size> <mtime> <path>               size and mtime of a file whose lines follow
#   B  <path>                              a program: only its #! line and version lines follow
#   X  <reason> <path>                     a path that could not be read, and why
#   <path> NUL <lineno>:<text>             a line of a file (as grep -n -H -Z prints it)
# Paths are as seen on the host running the probe (ROOT prefixed); the reader strips ROOT.
# X records raised inside pipelines go to stderr; the reader parses both streams.

set -f
LC_ALL=C
export LC_ALL             # bytes, not characters: faster grep, same result on every locale
R=${1%/}
CONFIG_DIR=${2:-/etc/letsencrypt}
LOGS_DIR=${3:-/var/log/letsencrypt}
C=$R$CONFIG_DIR
TAB=$(printf '\t')
NL='
'
IFS0=" $TAB$NL"
MAXDUMP=1048576          # a config-like file larger than this is not read whole
MAXLINE=4096             # lines are cut to this many bytes
BIG_SIZES='[0-9]{8,}'     # logs of 10,000,000 bytes or more are cut line by line before grep
MAXLOG=67108864          # no more than this many bytes of a compressed log are scanned (a bomb stops here)
MAXPLAIN=4294967296      # nor of a plain one
MAXHITS=20000            # nor more than this many matching lines of one log
# all that is read of a --config file: certbot's server/config, dehydrated's CA/CONFIG_D
SETTINGS='^[[:space:]]*((server|config)([[:space:]]*[=:]|[[:space:]])|(export[[:space:]]+)?(CA|CONFIG_D)=)'
# The log lines worth sending: filled in by wizard.core.probe.run.probe_script() from the parser's
# own list (wizard.core.probe.logs.KEPT_LINES), so the probe and the parser never disagree.
LOG_PATTERN='@KEPT_LINES@'

exec 4>&1                 # the records' stream, for code inside $(…) that collects a list linearly
rec() { printf '%s\n' "$*"; }                      # fields are pre-joined with TAB
x() { printf 'X\t%s\t%s\n' "$1" "$2"; }
xerr() { printf 'X\t%s\t%s\n' "$1" "$2" >&2; }
looked() { rec "W$TAB$1"; blocked "$R$1/." || :; }
exists() { [ -e "$1" ] || [ -L "$1" ]; }
# Half the system's argument space (getconf may be missing: every Linux takes 128 KiB). A list
# of names longer than that is handed to a command in groups (in_groups): 40,000 logs in one
# stat would leave it unstarted, and every log unread.
ARG_ROOM=$(getconf ARG_MAX 2>/dev/null) || ARG_ROOM=
case $ARG_ROOM in ''|*[!0-9]*) ARG_ROOM=131072 ;; esac
ARG_ROOM=$((ARG_ROOM / 2 - 8192))
[ "$ARG_ROOM" -ge 32768 ] || ARG_ROOM=32768
in_groups() {    # $1: a function, run with the names that follow, as many at a time as fit
  ig_fn=$1
  shift
  ig_all="$*"
  if [ $((${#ig_all} + 8 * $#)) -le "$ARG_ROOM" ]; then "$ig_fn" "$@"; return; fi
  while [ $# -gt 0 ]; do
    ig_group=$(ig_len=0; ig_k=0
      for ig_name; do
        ig_len=$((ig_len + ${#ig_name} + 8))
        [ "$ig_k" -gt 0 ] && [ "$ig_len" -gt "$ARG_ROOM" ] && break
        printf '%s\n' "$ig_name"
        ig_k=$((ig_k + 1))
      done
      printf 'K%s' "$ig_k")
    ig_k=${ig_group##*K}
    ig_group=${ig_group%K*}
    shift "$ig_k"
    IFS=$NL
    # shellcheck disable=SC2086  # a newline-separated list, split on purpose (globbing is off)
    (set -- $ig_group; IFS=$IFS0; "$ig_fn" "$@")
    IFS=$IFS0
  done
}
stat_through() { stat -L -c "S$TAB%s$TAB%Y$TAB%n" -- "$@" 2>/dev/null; }    # S records, links followed
stat_names() { stat -c "S$TAB%s$TAB%Y$TAB%n" -- "$@" 2>/dev/null; }
grep_whole() { grep -n -H -Z -a '' -- "$@" 2>/dev/null; }
grep_kept() { grep -n -H -Z -a -E -- "$LOG_PATTERN" "$@" 2>/dev/null; }
# A directory that exists but cannot be listed hides what is in it: say so, never stay silent.
# glob_files (every directory listing), readable (every file) and looked (every place searched)
# ask blocked/unlistable, so nothing hidden passes for absent. (sh has only globals: these helpers
# use prefixed names, never a caller's loop variable.)
BLOCKED=$NL
refused() {       # one X record per refused directory
  case $BLOCKED in *"$NL$1$NL"*) return 0 ;; esac
  BLOCKED=$BLOCKED$1$NL
  x unlistable-directory "$1"
}
unlistable() {   # $1 is a directory that cannot be listed or entered
  if [ -d "$1" ] && { [ ! -r "$1" ] || [ ! -x "$1" ]; }; then refused "$1"; fi
}
# Sets REFUSED to the first directory on the way to the host path $1 that exists but cannot be
# entered, and LINKED to a symlink on the way that cannot be followed (both '' if none).
walk_way() {
  w_rest=${1#/}
  w_path=
  REFUSED=
  LINKED=
  while :; do
    case $w_rest in
      */*) w_part=${w_rest%%/*}; w_rest=${w_rest#*/} ;;
      *) return 0 ;;                  # the last component is the thing itself, not a way to it
    esac
    [ -n "$w_part" ] || continue
    w_path=$w_path/$w_part
    if [ -d "$w_path" ]; then
      [ -x "$w_path" ] || { REFUSED=$w_path; return 0; }
    else
      [ -L "$w_path" ] && LINKED=$w_path
      return 0
    fi
  done
}
# True (with an X record) when what lies at the host path $1 is hidden, not absent: a directory on
# the way cannot be entered (/root is 0700 on every real system), or a link on the way points into
# one (/etc/letsencrypt -> /srv/private/le).
blocked() {
  walk_way "$1"
  if [ -z "$REFUSED" ] && [ -n "$LINKED" ]; then
    b_target=$(readlink -- "$LINKED" && echo x) || return 1
    b_target=${b_target%"$NL"x}
    case $b_target in
      /*) b_target=$R$b_target ;;
      *) b_target=${LINKED%/*}/$b_target ;;
    esac
    walk_way "$b_target/."
  fi
  [ -n "$REFUSED" ] || return 1
  refused "$REFUSED"
}

# One E record (and an L record for a symlink) per existing path.
entry() {
  case $1 in *"$NL"*) return 1 ;; esac
  FOLLOW_LAST=0
  resolve "$1" || RESOLVED=$1
  FOLLOW_LAST=1
  e_at=$RESOLVED
  exists "$e_at" || return 1
  if [ -L "$e_at" ]; then
    rec "E${TAB}l$TAB$1"
    # the target as text: a line break or TAB in it would start or split a record
    t=$(readlink -- "$e_at" 2>/dev/null && echo x) && rec "L$TAB$(printf '%s' "${t%"$NL"x}" | tr '\n\t' '??')$TAB$1"
  elif [ -d "$e_at" ]; then rec "E${TAB}d$TAB$1"
  elif [ -f "$e_at" ]; then rec "E${TAB}f$TAB$1"
  else rec "E${TAB}o$TAB$1"
  fi
  return 0
}

# Sets RESOLVED to the host path that the host path $1 leads to on the target. Under a ROOT
# prefix the tree is a whole system: every symlink on the way -- at any component, absolute or
# relative -- is followed inside ROOT, and '..' stops at ROOT, so no read ever leaves the tree.
# With FOLLOW_LAST=0 a symlink as the last component is kept (to describe the link itself).
# ESCAPES is 1 when the kernel, given $1 itself, would go elsewhere (an absolute link, a '..' above
# ROOT): then only RESOLVED may be opened. Relative links (certbot's live/*/cert.pem) need not.
# Fails on a loop.
FOLLOW_LAST=1
RC_IN=                   # the directory part of the last path resolved in full, where it led and
RC_OUT=                  # whether that escaped: the next file in that directory needs one test,
RC_ESCAPES=0             # not a walk (10,000 logs)
resolve() {
  RESOLVED=$1
  ESCAPES=0
  [ -n "$R" ] || return 0
  r_last=${1##*/}
  case $r_last in
    .|..|'') ;;
    *) if [ "${1%/*}" = "$RC_IN" ] && [ ! -L "$RC_OUT/$r_last" ]; then
         RESOLVED=$RC_OUT/$r_last
         ESCAPES=$RC_ESCAPES
         return 0
       fi ;;
  esac
  r_rest=${1#"$R"}
  r_done=
  r_n=0
  r_tail_link=0
  while :; do
    case $r_rest in
      /*) r_rest=${r_rest#/}; continue ;;
      '') break ;;
      */*) r_part=${r_rest%%/*}; r_rest=${r_rest#*/} ;;
      *) r_part=$r_rest; r_rest= ;;
    esac
    case $r_part in
      .) continue ;;
      ..) [ -n "$r_done" ] || ESCAPES=1; r_done=${r_done%/*}; continue ;;
    esac
    if [ -L "$R$r_done/$r_part" ] && { [ -n "$r_rest" ] || [ "$FOLLOW_LAST" = 1 ]; }; then
      r_n=$((r_n + 1))
      [ "$r_n" -le 40 ] || return 1
      r_head=${LINKS%%"$NL"*}
      case $r_head in
        "$R$r_done/$r_part$TAB"*) r_t=${r_head#"$R$r_done/$r_part$TAB"}; LINKS=${LINKS#*"$NL"} ;;
        *) r_t=$(readlink -- "$R$r_done/$r_part" && echo x) || return 1   # x: $() drops a target's own
           r_t=${r_t%"$NL"x} ;;                                           # trailing line breaks
      esac
      case $r_t in *"$NL"*) ESCAPES=1 ;; esac     # a line break in a target: only RESOLVED is opened
      [ -n "$r_rest" ] || r_tail_link=1
      case $r_t in /*) r_done=; ESCAPES=1 ;; esac
      r_rest=$r_t/$r_rest
      continue
    fi
    r_done=$r_done/$r_part
  done
  RESOLVED=$R$r_done
  # cache the directory only when the last step was the path's own last name, not a link's target
  case $r_last in
    .|..|'') ;;
    *) if [ "$r_tail_link" = 0 ] && [ "${r_done##*/}" = "$r_last" ]; then
         RC_IN=${1%/*}
         RC_OUT=${RESOLVED%/*}
         RC_ESCAPES=$ESCAPES
       fi ;;
  esac
}

# The targets of the links among $@, read with one readlink for all of them (certbot's 200
# live/*/cert.pem cost 200 processes one at a time). LINKS holds them in order, `name TAB target`
# a line, and resolve() takes the first when it is the link it meets (the callers go in the same
# order); anything else is read as before. An old readlink takes one name only (coreutils before
# 8.16, CentOS 6): then resolve() asks it one at a time.
LINKS=
prefetch_links() {
  LINKS=
  [ -n "$R" ] || return 0
  p_list=$(for f; do                # a name with a TAB would blur the table: it is read alone
    case $f in *"$TAB"*) ;; *) [ -L "$f" ] && printf '%s\n' "$f" ;; esac
  done)
  IFS=$NL
  # shellcheck disable=SC2086  # a newline-separated list, split on purpose (globbing is off)
  set -- $p_list
  IFS=$IFS0
  [ $# -gt 1 ] && [ $# -le 500 ] || return 0      # the table is built by appending: kept small
  p_rest=$(readlink -- "$@" 2>/dev/null && echo x) || return 0      # x: every line break kept
  p_table=
  for f; do                     # one target a line, in order; a target with a line break shifts them
    case $p_rest in *"$NL"*) ;; *) return 0 ;; esac
    p_table=$p_table$f$TAB${p_rest%%"$NL"*}$NL
    p_rest=${p_rest#*"$NL"}
  done
  [ "$p_rest" = x ] && LINKS=$p_table       # exactly one line a link, or none of it is used
}

# Key material is never opened: by name (privkey*.pem, keys/, an account's private_key.json,
# *.key) and, for the files read whole, by a PEM private-key header.
is_key_path() {
  case $1 in
    */privkey*.pem|*/keys/*|*/private_key.json|*.key) return 0 ;;
  esac
  return 1
}
holds_key() { grep -q -a -e '-----BEGIN [A-Z ]*PRIVATE KEY-----' -- "$1" 2>/dev/null; }

# True when $1 can be read as a regular file (RESOLVED is where to read it); otherwise an X
# record says why (an absent path is silent).
readable() {
  case $1 in *"$NL"*) return 1 ;; esac
  if ! resolve "$1"; then x symlink-loop "$1"; return 1; fi
  if [ -f "$RESOLVED" ] && [ -r "$RESOLVED" ]; then           # the common case, in two tests
    if is_key_path "$RESOLVED"; then x key-material "$1"; return 1; fi
    return 0
  fi
  if [ ! -e "$RESOLVED" ]; then
    if blocked "$RESOLVED"; then
      [ "$RESOLVED" = "$1" ] || x permission-denied "$1"    # a link into a refused directory
    elif [ -L "$1" ] || [ -L "$RESOLVED" ]; then
      x symlink-broken-or-loop "$1"
    fi
    return 1
  fi
  if [ -d "$RESOLVED" ]; then x is-a-directory "$1"; return 1; fi
  if [ ! -f "$RESOLVED" ]; then x not-a-regular-file "$1"; return 1; fi
  if [ ! -r "$RESOLVED" ]; then x permission-denied "$1"; return 1; fi
  if is_key_path "$RESOLVED"; then x key-material "$1"; return 1; fi
  return 0
}

# Dump small files whole: an S record per file, then its lines. A file reached through an
# absolute symlink under ROOT is read from the resolved path but labelled with its own; one
# reached through relative links is read by its name, with the others.
dump_files() {
  # Each file's name is checked here; sizes, key headers and contents are then read for all of
  # them at once (one stat, one grep -l, one grep), not with two processes per file.
  prefetch_links "$@"
  PLAIN=$(for f in "$@"; do
    readable "$f" >&4 || continue
    if [ "$ESCAPES" = 1 ]; then dump_linked "$f" >&4; else printf '%s\n' "$f"; fi
  done)
  [ -n "$PLAIN" ] || return 0
  IFS=$NL
  # shellcheck disable=SC2086  # a newline-separated list, split on purpose (globbing is off)
  set -- $PLAIN
  IFS=$IFS0
  # the size first (stat reads no content): a huge file is never read whole, not even for keys
  STATS=$(in_groups stat_through "$@")
  SMALL=$(printf '%s\n' "$STATS" | while IFS="$TAB" read -r _ size mtime path; do
    [ -z "$path" ] || [ "$size" -gt "$MAXDUMP" ] || printf '%s\n' "$path"
  done)
  IFS=$NL
  # shellcheck disable=SC2086
  set -- $SMALL
  IFS=$IFS0
  KEYS=$NL$(in_groups keyed "$@")$NL
  KEPT=$(printf '%s\n' "$STATS" | while IFS="$TAB" read -r _ size mtime path; do
    [ -n "$path" ] || continue
    if [ "$size" -gt "$MAXDUMP" ]; then x too-large "$path" >&4; continue; fi
    case $KEYS in *"$NL$path$NL"*) x key-material "$path" >&4; continue ;; esac
    rec "S$TAB$size$TAB$mtime$TAB$path" >&4
    printf '%s\n' "$path"
  done)
  IFS=$NL
  # shellcheck disable=SC2086
  set -- $KEPT
  IFS=$IFS0
  [ $# -eq 0 ] || in_groups grep_whole "$@" | cut -b "-$MAXLINE"
}
# The files among $@ that hold a private key. When the one grep cannot run (an argument list too
# long for this system) each file is asked on its own: a failed check never passes a key through.
keyed() {
  [ $# -eq 0 ] && return 0
  grep -l -a -e '-----BEGIN [A-Z ]*PRIVATE KEY-----' -- "$@" 2>/dev/null
  [ $? -le 1 ] && return 0
  for k_f in "$@"; do holds_key "$k_f" && printf '%s\n' "$k_f"; done
}
# A file reached through a link: read where it is ($RESOLVED), named as found ($1).
dump_linked() {
  size=$(stat -L -c %s -- "$RESOLVED" 2>/dev/null) || size=0
  if [ "$size" -gt "$MAXDUMP" ]; then x too-large "$1"; return 0; fi
  if holds_key "$RESOLVED"; then x key-material "$1"; return 0; fi
  rec "S$TAB$size${TAB}0$TAB$1"
  grep -n -H -Z -a --label="$1" '' <"$RESOLVED" | cut -b "-$MAXLINE"
}

# Files an admin wrote (a --config file, configs/*.ini) may hold API tokens: only the settings
# the diagnosis needs are read from them, with their line numbers.
dump_settings() {
  readable "$1" || return 0
  rec "S$TAB$(wc -c <"$RESOLVED")${TAB}0$TAB$1"
  grep -n -H -Z -a -E --label="$1" -- "$SETTINGS" <"$RESOLVED" 2>/dev/null | cut -b "-$MAXLINE"
}

# Programs (certbot, certbot-auto, acme.sh ...): the entry, its #! line and version lines.
program() {
  [ -d "$1" ] && return 0
  entry "$1" || return 0
  readable "$1" || return 0
  rec "B$TAB$1"
  grep -n -H -Z -a -m 4 --label="$1" -E '^#!|^(LE_AUTO_VERSION|VER|VERSION)=' <"$RESOLVED" 2>/dev/null \
    | cut -b "-$MAXLINE"
}

# Globs are expanded with IFS set to newline so that a ROOT with spaces stays one word. Only the
# part after ROOT is a pattern: ROOT itself is quoted (a /mnt/img[1] is a name, not a class). The
# directory before the first wildcard is resolved inside ROOT first; the paths found are named
# as the caller asked (below that directory), and readable() resolves them again when read.
glob_files() {   # sets FILES to the existing paths matching the glob $1, newline-separated
  FILES=
  g_pat=${1#"$R"}
  g_dir=${g_pat%%[*?[]*}           # the part before the first wildcard, and its directory
  g_dir=$R${g_dir%/*}
  g_rest=${1#"$g_dir"/}
  resolve "$g_dir" || { x symlink-loop "$g_dir"; return 0; }
  g_real=$RESOLVED
  blocked "$g_real/." || unlistable "$g_real"
  case $g_rest in               # /home/*/.acme.sh/...: a /home/x that cannot be entered hides it
    */*)
      set +f; IFS=$NL
      for g_e in "$g_real"/${g_rest%%/*}; do
        if [ -d "$g_e" ] && [ ! -x "$g_e" ]; then refused "$g_dir${g_e#"$g_real"}"; fi
      done
      set -f; IFS=$IFS0 ;;
  esac
  set +f; IFS=$NL
  # shellcheck disable=SC2086  # the pattern part is a glob on purpose
  set -- "$g_real"/$g_rest
  set -f; IFS=$IFS0
  if [ $# -le 32 ]; then          # a few names: no subshell (most globs here match none or one)
    for e; do glob_name "$e"; done
  else
    # One list written once, not a string grown per name (quadratic in dash: 10,000 logs took
    # 11 s); records from inside go to fd 4, the probe's own output.
    FILES=$(for e; do FILES=; glob_name "$e"; printf '%s' "$FILES"; done)
  fi
}
glob_name() {    # adds the name the caller asked for of glob result $1 to FILES, if it exists
  case $1 in "$g_real/$g_rest") exists "$1" || return 0 ;; esac     # what a glob matched exists
  case $1 in
    *"$NL"*) x name-with-newline "$(printf '%s' "$g_dir${1#"$g_real"}" | tr '\n' '?')" >&4; return 0 ;;
  esac
  FILES=$FILES$g_dir${1#"$g_real"}$NL
}
entries() {
  glob_files "$1"
  IFS=$NL
  for e in $FILES; do IFS=$IFS0; entry "$e"; done
  IFS=$IFS0
}
dump_glob() {
  glob_files "$1"
  IFS=$NL
  # shellcheck disable=SC2086
  set -- $FILES
  IFS=$IFS0
  dump_files "$@"
}

# --- facts about this run ----------------------------------------------------------------------
rec "P${TAB}1"
rec "H${TAB}root$TAB${R:-/}"
rec "H${TAB}config_dir$TAB$CONFIG_DIR"
rec "H${TAB}logs_dir$TAB$LOGS_DIR"
rec "H${TAB}uid$TAB$(id -u 2>/dev/null)"
rec "H${TAB}date$TAB$(date -u +%Y-%m-%dT%H:%M:%SZ)"
rec "H${TAB}utc_offset$TAB$(date +%z 2>/dev/null)"     # certbot logs local time: mtimes are put in it
rec "H${TAB}nodename$TAB$(uname -n 2>/dev/null)"
rec "H${TAB}machine$TAB$(uname -m 2>/dev/null)"
if [ -n "$R" ] && [ ! -d "$R" ]; then x missing-root "$R"; exit 3; fi   # PROBE_MISSING_ROOT in run.py

# --- operating system ----------------------------------------------------------------------------
looked "/etc/os-release"
dump_files "$R/etc/os-release" "$R/usr/lib/os-release"
dump_glob "$R/etc/*-release"
dump_glob "$R/etc/*_version"
entries "$R/opt/rh/rh-python3*"
# Package repositories: a plan that installs on an end-of-life release points them at the archives.
dump_glob "$R/etc/yum.repos.d/*.repo"
dump_files "$R/etc/apt/sources.list"
dump_glob "$R/etc/apt/sources.list.d/*.list"

# --- certbot's configuration directory --------------------------------------------------------
looked "$CONFIG_DIR"
resolve "$C" || RESOLVED=$C
if exists "$RESOLVED"; then
  entry "$C"
  dump_files "$C/cli.ini"
  looked "$CONFIG_DIR/renewal"
  entries "$C/renewal/*"
  dump_glob "$C/renewal/*.conf"
  glob_files "$C/configs/*"
  IFS=$NL
  for f in $FILES; do IFS=$IFS0; dump_settings "$f"; done
  IFS=$IFS0
  looked "$CONFIG_DIR/accounts"
  entries "$C/accounts/*"
  entries "$C/accounts/*/*"
  entries "$C/accounts/*/*/*"
  glob_files "$C/accounts/*/*"      # a server directory this user cannot list hides its accounts: say so
  IFS=$NL
  for f in $FILES; do IFS=$IFS0; unlistable "$f"; done
  IFS=$IFS0
  looked "$CONFIG_DIR/live"
  entries "$C/live/*"
  dump_glob "$C/live/*/cert.pem"
fi
[ "$CONFIG_DIR" = /etc/letsencrypt ] || dump_files "$R/etc/letsencrypt/cli.ini"
looked "/root/.config/letsencrypt/cli.ini"
dump_files "$R/root/.config/letsencrypt/cli.ini"
dump_glob "$R/home/*/.config/letsencrypt/cli.ini"

# --- installs --------------------------------------------------------------------------------------
looked "/usr/bin"
looked "/usr/local/bin"
looked "/opt"
looked "/root"
looked "/snap"
for d in /usr/bin /usr/local/bin /bin /usr/sbin /usr/local/sbin /snap/bin /root /root/bin \
         /opt /opt/certbot /opt/certbot/bin /opt/letsencrypt /usr/share/letsencrypt; do
  [ -L "$R$d" ] && continue     # /bin -> usr/bin on merged-/usr systems: seen once, not twice
  for n in certbot certbot-auto letsencrypt letsencrypt-auto acme.sh dehydrated; do
    program "$R$d/$n"
  done
  entry "$R$d/lego" || :        # a Go binary: only that it is there (its version comes from the package)
done
for pat in '/opt/*/certbot-auto' '/opt/*/letsencrypt-auto' '/root/*/certbot-auto' \
           '/root/*/letsencrypt-auto' '/home/*/certbot-auto' '/home/*/letsencrypt-auto' \
           '/home/*/*/letsencrypt-auto' '/root/.acme.sh/acme.sh' '/home/*/.acme.sh/acme.sh'; do
  glob_files "$R$pat"
  IFS=$NL
  for f in $FILES; do IFS=$IFS0; program "$f"; done
  IFS=$IFS0
done

# acme.sh: the API each certificate renews against (Le_API=, one line per domain conf; nothing else
# is read from those files).
for pat in '/root/.acme.sh/*/*.conf' '/home/*/.acme.sh/*/*.conf'; do
  glob_files "$R$pat"
  IFS=$NL
  for f in $FILES; do
    IFS=$IFS0
    readable "$f" && grep -n -H -Z -a -m 1 -E --label="$f" '^Le_API=' <"$RESOLVED" 2>/dev/null | cut -b "-$MAXLINE"
  done
  IFS=$IFS0
done

# dehydrated (and letsencrypt.sh, its old name): the CA it renews against. It reads the first
# `config` of /etc/dehydrated, /usr/local/etc/dehydrated, its own directory, then CONFIG_D/*.sh
# (dehydrated's load_config); letsencrypt.sh read config.sh. Only CA= and CONFIG_D= lines are sent.
DEHYDRATED_SETTINGS='^[[:space:]]*(export[[:space:]]+)?(CA|CONFIG_D)='
dehydrated_config() {
  readable "$1" && grep -n -H -Z -a -E --label="$1" "$DEHYDRATED_SETTINGS" <"$RESOLVED" 2>/dev/null | cut -b "-$MAXLINE"
}
for pat in '/opt/*/dehydrated' '/opt/*/letsencrypt.sh' '/root/*/dehydrated' '/root/*/letsencrypt.sh' \
           '/home/*/*/dehydrated' '/home/*/*/letsencrypt.sh' '/usr/local/bin/letsencrypt.sh'; do
  glob_files "$R$pat"
  IFS=$NL
  for f in $FILES; do IFS=$IFS0; program "$f"; dehydrated_config "${f%/*}/config"; dehydrated_config "${f%/*}/config.sh"; done
  IFS=$IFS0
done
for f in /etc/dehydrated/config /usr/local/etc/dehydrated/config /etc/letsencrypt.sh/config \
         /etc/letsencrypt.sh/config.sh /usr/local/etc/letsencrypt.sh/config.sh; do
  dehydrated_config "$R$f"
done
for pat in '/etc/dehydrated/conf.d/*.sh' '/usr/local/etc/dehydrated/conf.d/*.sh'; do
  glob_files "$R$pat"
  IFS=$NL
  for f in $FILES; do IFS=$IFS0; dehydrated_config "$f"; done
  IFS=$IFS0
done

# Virtualenvs and site-packages that hold certbot (the dist name encodes the version).
for base in /opt/eff.org/certbot/venv /root/.local/share/letsencrypt '/home/*/.local/share/letsencrypt' \
            '/opt/*' '/opt/*/venv' /usr /usr/local /usr/lib64; do
  entries "$R$base/lib/python*"
  entries "$R$base/lib/python*/*-packages/certbot-*"
  entries "$R$base/lib/python*/*-packages/letsencrypt-*"
  dump_glob "$R$base/lib/python*/*-packages/certbot-*.dist-info/INSTALLER"
  entries "$R$base/bin/python*"
  dump_glob "$R$base/pyvenv.cfg"
done
entries "$R/usr/lib64/python*/site-packages/certbot-*"
dump_files "$R/opt/eff.org/certbot/venv/certbot-auto-bootstrap-version.txt"

# Snap.
entry "$R/snap/certbot/current"
dump_files "$R/snap/certbot/current/meta/snap.yaml"
entries "$R/snap/certbot/current/lib/python3*"
entries "$R/snap/certbot/current/usr/lib/python3*"

# Distribution packages: the dpkg stanzas of the certbot family, lego and dehydrated, and rpm -q on a
# live system.
looked "/var/lib/dpkg/status"
if readable "$R/var/lib/dpkg/status"; then
  grep -n -H -Z -a -A 12 --label="$R/var/lib/dpkg/status" \
    -E '^Package: (certbot|letsencrypt|python3?-(certbot|letsencrypt)(-[a-z0-9-]+)?|lego|dehydrated)$' \
    <"$RESOLVED" 2>/dev/null | cut -b "-$MAXLINE"
fi
if [ -z "$R" ] && command -v rpm >/dev/null 2>&1; then
  rpm -q --qf '%{NAME}\t%{VERSION}-%{RELEASE}\n' certbot python2-certbot python3-certbot \
      python-certbot letsencrypt python-letsencrypt 2>/dev/null \
    | grep -n -H -Z -a --label='!rpm' -v 'is not installed'
fi

# --- schedulers ------------------------------------------------------------------------------------
CRONTABS="$R/etc/crontab$NL$R/etc/cron.d/*$NL$R/var/spool/cron/*$NL$R/var/spool/cron/crontabs/*"
looked "/etc/crontab"
looked "/etc/cron.d"
looked "/var/spool/cron"
looked "/var/spool/cron/crontabs"
CHASE=                   # the resolved scheduler files read here: their command lines are followed below
IFS=$NL
for pat in $CRONTABS; do
  IFS=$IFS0
  glob_files "$pat"
  IFS=$NL
  for f in $FILES; do
    IFS=$IFS0
    resolve "$f" && [ -d "$RESOLVED" ] && continue
    dump_files "$f"
    readable "$f" >/dev/null && ! holds_key "$RESOLVED" && CHASE="$CHASE$NL$RESOLVED"
  done
done
IFS=$IFS0
looked "/etc/cron.hourly"
looked "/etc/cron.daily"
looked "/etc/cron.weekly"
looked "/etc/cron.monthly"
for period in hourly daily weekly monthly; do
  glob_files "$R/etc/cron.$period/*"
  IFS=$NL
  for f in $FILES; do
    IFS=$IFS0
    readable "$f" && grep -q -a -E 'certbot|letsencrypt|acme' <"$RESOLVED" 2>/dev/null && dump_files "$f"
  done
  IFS=$IFS0
done
looked "/etc/systemd/system"
looked "/lib/systemd/system"
looked "/usr/lib/systemd/system"
for d in /etc/systemd/system /lib/systemd/system /usr/lib/systemd/system; do
  [ -L "$R$d" ] || [ -L "$R${d%/systemd/system}" ] && continue
  for pat in '*certbot*' '*letsencrypt*' '*lego*' '*dehydrated*' '*acme*'; do
    entries "$R$d/$pat"
    dump_glob "$R$d/$pat.timer"
    dump_glob "$R$d/$pat.service"
    glob_files "$R$d/$pat.service"
    IFS=$NL
    for f in $FILES; do
      IFS=$IFS0
      readable "$f" >/dev/null && CHASE="$CHASE$NL$RESOLVED"
    done
    IFS=$IFS0
  done
  entries "$R$d/timers.target.wants/*"
done

# Follow scheduled command lines one step: programs they name, wrapper scripts they run, and
# the --config files they pass (where a v1 server may be pinned).
# A file a scheduled line sends the client's output to (`>> /var/log/le-renew.log 2>&1`, systemd's
# StandardOutput=append:…): what the client printed is evidence of what it contacted. Read like a
# log (the same kept lines, the same bounds), once per file, marked with an O record.
OUTPUTS=$NL
output_log() {
  case $1 in "$LOGS_DIR"/letsencrypt.log*) return 0 ;; esac     # certbot's own log: read as a log below
  case $OUTPUTS in *"$NL$1$NL"*) return 0 ;; esac
  OUTPUTS=$OUTPUTS$1$NL
  readable "$R$1" || return 0
  case $RESOLVED in "$R$LOGS_DIR"/letsencrypt.log*) return 0 ;; esac     # the log itself, by another name
  o_size=$(stat -c %s -- "$RESOLVED" 2>/dev/null) || return 0            # stat: /proc files are not read whole
  o_mtime=$(stat -c %Y -- "$RESOLVED" 2>/dev/null) || o_mtime=0
  rec "O$TAB$R$1"
  rec "S$TAB$o_size$TAB$o_mtime$TAB$R$1"
  head -c "$MAXLOG" <"$RESOLVED" | cut -b "-$MAXLINE" \
    | grep -n -H -Z -a -E -m "$MAXHITS" --label="$R$1" -- "$LOG_PATTERN"
  [ "$o_size" -le "$MAXLOG" ] || xerr log-cut "$R$1"
}
chase_line() {
  prev=
  # shellcheck disable=SC2086  # split the command line into words on purpose (globbing is off)
  set -- $1
  for w in "$@"; do
    case $w in --config=[\"\']*) w=--config=${w#--config=?} ;; esac
    w=${w#[\"\']}; w=${w%%[\"\';\)]*}
    case $prev in
      --config|-c|-f) case $w in /*) dump_settings "$R$w" ;; esac ;;
      '>'|'>>'|1'>'|1'>>'|2'>'|2'>>'|'&>'|'&>>')
        case $w in /dev/*) ;; /*) output_log "$w" ;; esac
        prev=$w; continue ;;                   # a file output goes to is not a program to follow
    esac
    case $w in
      '>/dev/'*|'>>/dev/'*|[12]'>/dev/'*|[12]'>>/dev/'*|'&>/dev/'*|'&>>/dev/'*) ;;
      '>/'*|'>>/'*|[12]'>/'*|[12]'>>/'*|'&>/'*|'&>>/'*) output_log "/${w#*>/}" ;;
      *=append:/*|*=file:/*) output_log "/${w#*:/}" ;;
      --config=/*) dump_settings "$R${w#--config=}" ;;
      /*certbot*|/*letsencrypt*|/*acme.sh|/*dehydrated) program "$R$w" ;;
      /*/lego) entry "$R$w" || : ;;          # a Go binary: only that it is there
      /*) if [ "$CHASE_SCRIPTS" = 1 ] && readable "$R$w" >/dev/null; then
            first=$(head -c 2 <"$RESOLVED" 2>/dev/null)     # not `read`: dash reads a long line byte by byte
            case $first in
              '#!'*) [ "$(stat -L -c %s -- "$RESOLVED" 2>/dev/null || echo 0)" -le 65536 ] \
                       && grep -q -a -E 'certbot|letsencrypt|acme' <"$RESOLVED" 2>/dev/null \
                       && ! holds_key "$RESOLVED" \
                       && SCRIPTS="$SCRIPTS$NL$R$w" && SCRIPTS_REAL="$SCRIPTS_REAL$NL$RESOLVED" ;;
            esac
          fi ;;
    esac
    prev=$w
  done
}
chase_files() {   # $1: newline-separated resolved paths of files whose command lines are followed
  IFS=$NL
  # shellcheck disable=SC2086
  set -- $1
  IFS=$IFS0
  [ $# -gt 0 ] || return 0
  grep -h -a -v -E '^[[:space:]]*#' -- "$@" 2>/dev/null | grep -a -E '(^|[^A-Za-z0-9])/' | {
    SCRIPTS=
    SCRIPTS_REAL=
    while IFS= read -r line; do chase_line "$line"; done
    [ -n "$SCRIPTS" ] || exit 0
    IFS=$NL
    # shellcheck disable=SC2086
    set -- $SCRIPTS
    IFS=$IFS0
    dump_files "$@"
    CHASE_SCRIPTS=0
    IFS=$NL
    # shellcheck disable=SC2086
    set -- $SCRIPTS_REAL
    IFS=$IFS0
    grep -h -a -v -E '^[[:space:]]*#' -- "$@" 2>/dev/null \
      | while IFS= read -r line; do chase_line "$line"; done
  }
}
CHASE_SCRIPTS=1
chase_files "$CHASE"

# --- logs (reduced here: only the lines that matter cross the link) ---------------------------------
# One log read on its own: $1 its name, $2 where it really is, $3 its size. A compressed one is
# read to MAXLOG bytes (decompressed) and MAXHITS matching lines, so a .gz bomb stays bounded. A
# plain one is read whole up to MAXPLAIN: a certbot told not to rotate (max-log-backups = 0)
# appends to one log for years, and its newest runs are at the end.
scan_log() {
  case $1 in
    *.gz)
      if [ "${HAVE_GZIP:-}" = no ]; then xerr no-gzip "$1"; return 0; fi
      { gzip -dc <"$2" 2>/dev/null || xerr bad-gzip "$1"; } | head -c "$MAXLOG" | cut -b "-$MAXLINE" \
        | grep -n -H -Z -a -E -m "$MAXHITS" --label="$1" -- "$LOG_PATTERN" ;;
    *)
      head -c "$MAXPLAIN" <"$2" | cut -b "-$MAXLINE" | grep -n -H -Z -a -E --label="$1" -- "$LOG_PATTERN"
      [ "$3" -le "$MAXPLAIN" ] || xerr log-cut "$1" ;;
  esac
}
# Compressed logs, all in one gzip pass (one process per log cost 5 s for 1,000 of them). After
# each log gzip is handed a name that cannot exist (the log itself as a directory, with a line
# break, and a token no log written before this run can hold): its complaint puts a line of its
# own, GZ_END, between one log's lines and the next, so the reader numbers each log's lines from
# there. An H gz_end record and a G record per log, in order, come first; the lines carry the
# label !gz. Besides the kept lines only gzip's own complaints are sent (GZ_COMPLAINTS). The pass
# reads at most MAXLOG bytes plus 100 times the logs' compressed size (a bomb stops there); gzip
# itself stops at the first corrupt log, so the logs after the one it stopped at (named by its
# complaint) go through a pass of their own, with its own H gz_end and G records.
GZ_COMPLAINTS='gzip: .*(unexpected end of file|invalid compressed data|crc error|length error|format violated|trailing (garbage|zero)|not in gzip format|not supported|corrupt|use unzip|Input/output error|name too long|Bad table|Huffman tree)'
US=$(printf '\037')      # separates the batch's arguments: a log name with this byte is read alone
gz_batch() {   # $1: the logs' compressed size in bytes; then the logs
  g_bytes=$1
  g_cap=$((MAXLOG + 100 * g_bytes))
  shift
  g_token=$(od -A n -N 8 -t x1 /dev/urandom 2>/dev/null | tr -d ' \n')
  GZ_END=.acme-wizard-end-${g_token:-$$-$(date +%s)}
  # gzip must complain as GNU gzip does (gzip 1.3.12 on CentOS 6 does; busybox does not)
  g_said=$(gzip -dc -- "$1/$NL$GZ_END" 2>&1 </dev/null)
  [ "$g_said" = "gzip: $1/$NL$GZ_END: Not a directory" ] || { gz_alone "$@"; return 0; }
  [ -p /dev/fd/4 ] || { gz_alone "$@"; return 0; }    # the count below needs a copy of the stream
  rec "H${TAB}gz_end$TAB$GZ_END"
  for f; do rec "G$TAB$f"; done
  g_args=$(for f; do printf '%s\037%s\037' "$f" "$f/$NL$GZ_END"; done)
  g_n=$#
  IFS=$US
  # shellcheck disable=SC2086  # the list split on its separator on purpose (globbing is off)
  set -- $g_args
  IFS=$IFS0
  g_done=$(gzip -dc -- "$@" 2>&1 | head -c "$g_cap" | cut -b "-$MAXLINE" \
    | grep -n -H -Z -a -E --label='!gz' -e "$LOG_PATTERN" -e "$GZ_COMPLAINTS" -e "^\\$GZ_END: " \
    | tee /dev/fd/4 | grep -c -a -E "[0-9]:\\$GZ_END: ")
  [ "${g_done:-0}" -lt "$g_n" ] || return 0
  # gzip stopped early: the logs after the one it stopped at go through a pass of their own (a
  # truncated letsencrypt.log.1.gz is the likeliest to be; each pass leaves at least one log behind)
  g_skip=$(( (g_done + 1) * 2 ))
  [ "$g_skip" -lt $# ] || return 0
  shift "$g_skip"
  g_rest=$(while [ $# -gt 0 ]; do printf '%s\n' "$1"; shift 2; done)
  IFS=$NL
  # shellcheck disable=SC2086
  set -- $g_rest
  IFS=$IFS0
  GZ_PASSES=$((GZ_PASSES + 1))
  if [ "$GZ_PASSES" -ge 8 ]; then gz_alone "$@"; else gz_batch "$g_bytes" "$@"; fi   # each pass has its cap
}
# The logs in groups that fit ARG_ROOM with their end markers (in_groups, with half the room: each
# log is named twice), a pass each; after a group's 8th pass (gzip stopped at a corrupt log or at
# the cap each time) the rest of it is read one log at a time.
GZ_PASSES=0
gz_passes() {    # $1: the logs' compressed size in bytes; then the logs
  GZ_BYTES=$1
  shift
  gp_room=$ARG_ROOM
  ARG_ROOM=$((ARG_ROOM / 2))
  in_groups gz_group "$@"
  ARG_ROOM=$gp_room
}
gz_group() { GZ_PASSES=0; gz_batch "$GZ_BYTES" "$@"; }
gz_alone() { for f; do scan_log "$f" "$f" "$(stat -c %s -- "$f" 2>/dev/null || echo 0)"; done; }
gz_odd() {
  IFS=$NL
  # shellcheck disable=SC2086
  set -- $GZ_ODD
  IFS=$IFS0
  gz_alone "$@"
}

looked "$LOGS_DIR"
resolve "$R$LOGS_DIR" || RESOLVED=$R$LOGS_DIR
if [ -d "$RESOLVED" ]; then
  command -v gzip >/dev/null 2>&1 || HAVE_GZIP=no
  [ "$RESOLVED" = "$R$LOGS_DIR" ] && L_PLAIN=1 || L_PLAIN=0     # no link on the way to the directory
  glob_files "$R$LOGS_DIR/letsencrypt.log*"
  IFS=$NL
  LOGS=$(for f in $FILES; do        # the list written once (see glob_files); records go to fd 4
    IFS=$IFS0
    # the common case in three tests (10,000 logs); anything else is asked in full
    case $L_PLAIN$f in
      1*.key) ;;
      1*) if [ ! -L "$f" ] && [ -f "$f" ] && [ -r "$f" ]; then printf '%s\n' "$f"; continue; fi ;;
    esac
    readable "$f" >&4 || continue
    if [ "$ESCAPES" = 0 ]; then        # its own name leads to it (relative links are followed as they are)
      printf '%s\n' "$f"
    else          # through a link out of ROOT (a symlinked logs directory): read where it is, named as found
      size=$(wc -c <"$RESOLVED")
      { rec "S$TAB$size${TAB}0$TAB$f"; scan_log "$f" "$RESOLVED" "$size"; } >&4
    fi
  done)
  # shellcheck disable=SC2086
  set -- $LOGS
  IFS=$IFS0
  if [ $# -gt 0 ]; then
    # One S record per log; the lists below are cut from them by grep, not by a loop per log.
    STATS=$(in_groups stat_names "$@")
    printf '%s\n' "$STATS"
    # Plain logs under 10,000,000 bytes: one grep for all. Larger ones are cut line by line first (a
    # single 1 GB line would sit whole in grep's memory).
    BIGS=$(printf '%s\n' "$STATS" | grep -a -E "^S$TAB$BIG_SIZES$TAB" | grep -a -v '\.gz$' | cut -f 2,4-)
    SMALL=$(printf '%s\n' "$STATS" | grep -a -v -E "^S$TAB$BIG_SIZES$TAB|\\.gz\$" | cut -f 4-)
    GZ=$(printf '%s\n' "$STATS" | grep -a '\.gz$' | cut -f 4-)
    IFS=$NL
    # shellcheck disable=SC2086
    set -- $SMALL
    IFS=$IFS0
    [ $# -eq 0 ] || in_groups grep_kept "$@" | cut -b "-$MAXLINE"
    IFS=$NL
    for f in $BIGS; do IFS=$IFS0; scan_log "${f#*"$TAB"}" "${f#*"$TAB"}" "${f%%"$TAB"*}"; done
    IFS=$NL
    # shellcheck disable=SC2086
    set -- $GZ
    IFS=$IFS0
    if [ $# -gt 0 ]; then
      if [ "${HAVE_GZIP:-}" = no ]; then
        gz_alone "$@"
      else       # a name holding the batch's separator goes alone
        GZ_ODD=$(printf '%s\n' "$GZ" | grep -a "$US")
        GZ=$(printf '%s\n' "$GZ" | grep -a -v "$US")
        GZ_BYTES=0
        for g in $(printf '%s\n' "$STATS" | grep -a '\.gz$' | cut -f 2); do GZ_BYTES=$((GZ_BYTES + g)); done
        IFS=$NL
        # shellcheck disable=SC2086
        set -- $GZ
        IFS=$IFS0
        # fd 4 made a pipe here, so that the batch can copy its stream there (tee needs a pipe:
        # a probe writing to a file would be overwritten by it)
        { [ $# -eq 0 ] || gz_passes "$GZ_BYTES" "$@"; gz_odd; } 4>&1 | cat
      fi
    fi
  fi
elif exists "$RESOLVED"; then
  x not-a-directory "$R$LOGS_DIR"
fi
rec "H${TAB}end${TAB}ok"
