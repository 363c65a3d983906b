#!/usr/bin/env bash
# Rebuilds the bundled default model models/claws-tiny: a byte-level BPE tokenizer (2048 tokens) trained on
# WikiText-2 test text with the Hugging Face tokenizers library, and a randomly initialised 4-layer Qwen2-architecture
# checkpoint written by the Java synthetic-checkpoint command. Its output is random text until a trained model
# replaces it.
#   CLAWS_SHARED_DATA  folder holding wikitext-2-raw/ (default ../shared/data, relative to the project root)
#   PYTHON             interpreter with the `tokenizers` package (default python3)
set -euo pipefail
cd "$(dirname "$0")/.."
corpus="${CLAWS_SHARED_DATA:-../shared/data}/wikitext-2-raw/wiki.test.raw"
python="${PYTHON:-python3}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
"$python" models/train_tiny_tokenizer.py "$corpus" "$tmp" 2048
rm -rf models/claws-tiny
./mvnw -q compile exec:java -Dexec.mainClass=dev.claws.model.tools.SyntheticCheckpoint \
  -Dexec.args="--preset claws-tiny --seed 7 --std 0.02 --dtype f32 --out models/claws-tiny --tokenizer $tmp/tokenizer.json"
ls -l models/claws-tiny
