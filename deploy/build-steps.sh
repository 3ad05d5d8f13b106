#!/bin/sh
# Runs the build stage of ../Dockerfile without Docker: the same RUN
# commands, in the same order, in a copy of the build context, with /out
# replaced by $OUT (default ./out). Used by go test ./deploy.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
OUT=${OUT:-$root/out}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# COPY go.mod go.sum ./ ; COPY . .   (what .dockerignore leaves out is skipped)
(cd "$root" && tar --exclude=.git --exclude='*.db' --exclude='*.db-wal' --exclude='*.db-shm' --exclude=.env --exclude=out -cf - .) | (cd "$work" && tar -xf -)
mkdir -p "$OUT"
# The RUN lines of the build stage (up to the next FROM).
awk '/^FROM /{n++} n==1 && /^RUN /{sub(/^RUN /, ""); print}' "$root/Dockerfile" > "$work/.steps"
[ -s "$work/.steps" ] || { echo "no RUN steps found in the Dockerfile" >&2; exit 1; }
cd "$work"
while IFS= read -r step; do
	step=$(printf '%s' "$step" | sed "s#/out/#$OUT/#g")
	echo "+ $step" >&2
	sh -c "$step"
done < .steps
