# Sourced by the scripts that build freestand: makes sure the toolchain
# pinned in rust-toolchain.toml has every target and component the file
# lists, and says what it installed.
#
# rustup adds a toolchain file's `targets` and `components` only when it
# installs the toolchain itself; a toolchain that is already there is used
# as it is, so a machine that had Rust 1.95.0 for the host alone would stop
# at the first cross build with `can't find crate for core` (E0463).
#
# Without rustup, it stops and prints the exact command to run. It leaves
# the list of targets in `$targets`.

# The quoted items of the array KEY in FILE, one per line; the array may
# span lines.
freestand_toml_list() {
    awk -v key="$1" '
        !inside && $0 ~ "^" key " *=" { inside = 1 }
        inside { print; if ($0 ~ /]/) exit }
    ' "$2" | grep -o '"[^"]*"' | tr -d '"'
}

freestand_toolchain() {
    local file=rust-toolchain.toml me=${0##*/}
    if ! command -v rustup >/dev/null; then
        echo "$me: rustup is missing. Install it, then run $me again:" >&2
        echo "  curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal --default-toolchain none && . \"\$HOME/.cargo/env\"" >&2
        exit 1
    fi
    # The three keys, read from the file (one word per listed item).
    local channel components
    channel=$(sed -n 's/^channel *= *"\([^"]*\)".*/\1/p' "$file")
    # Global: the scripts that source this file build for each of them.
    targets=$(freestand_toml_list targets "$file")
    components=$(freestand_toml_list components "$file")
    if [ -z "$channel" ]; then
        echo "$me: no channel in $file" >&2
        exit 1
    fi
    if ! rustup run "$channel" rustc --version >/dev/null 2>&1; then
        echo "$me: installing the Rust $channel toolchain (from $file)"
        rustup toolchain install "$channel" --profile minimal
    fi
    local have_t have_c want missing_t=() missing_c=()
    have_t=$(rustup target list --installed --toolchain "$channel")
    have_c=$(rustup component list --installed --toolchain "$channel")
    for want in $targets; do
        grep -qx "$want" <<<"$have_t" || missing_t+=("$want")
    done
    for want in $components; do
        # Installed components are listed with the host triple appended.
        grep -q "^$want-" <<<"$have_c" || grep -qx "$want" <<<"$have_c" || missing_c+=("$want")
    done
    if [ ${#missing_t[@]} -gt 0 ]; then
        echo "$me: installing into Rust $channel the targets ${missing_t[*]} (listed in $file)"
        rustup target add --toolchain "$channel" "${missing_t[@]}"
    fi
    if [ ${#missing_c[@]} -gt 0 ]; then
        echo "$me: installing into Rust $channel the components ${missing_c[*]} (listed in $file)"
        rustup component add --toolchain "$channel" "${missing_c[@]}"
    fi
}
freestand_toolchain
