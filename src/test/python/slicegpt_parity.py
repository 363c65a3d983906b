"""SliceGPT parity: the official implementation against claws's, on one model, calibration and evaluation windows.

Runs microsoft/TransformerCompression's SliceGPT (package `slicegpt`, commit 6b12cde: layernorm_fusion.replace_layers,
fuse_modules, ConstSlicingScheduler, rotate.rotate_and_slice -> rotate_and_slice_sequential, gpu_utils.evaluate_ppl)
and claws's SliceGPT (dev.claws.compress.tools.Compress, --pca sequential by default) on the same float32 checkpoint,
the same calibration token windows and the same WikiText-2 test windows, and prints both cross-entropies.

Data is read locally, nothing comes from a hub:
- calibration: claws's SubmitCompression selection with dataset "alpaca" (../shared/data/alpaca/alpaca_data_sample.json
  rendered with the Stanford Alpaca template as dev.claws.eval.AlpacaReader, records joined with "\\n\\n", tokenized
  without special tokens, cut into non-overlapping windows of --cal-length tokens, --cal-samples of them taken in the
  order java.util.Collections.shuffle(order, new java.util.Random(seed)) gives, reproduced below);
- evaluation: ../shared/data/wikitext-2-raw/wiki.test.raw (CRLF -> LF: the text claws's evaluator joins), tokenized the
  same way, the first --eval-windows non-overlapping windows of --eval-length tokens. Cross-entropy = mean over windows
  of the mean NLL of tokens 1..T-1 (official evaluate_ppl; claws's Compress --eval-ids computes the same).
Both sides are fed the token ids written to --work (claws reads them with --calibration-ids / --eval-ids).

Two steps, two environments: `windows` tokenizes with the project's environment (requirements.txt; the tokenizer.json
claws writes needs a current `tokenizers`), `compare` runs the official code, which pins transformers 4.41.0 and
tokenizers 0.19, in its own environment:
    python3 -m venv .venv && .venv/bin/pip install -r src/test/python/requirements.txt
    python3 -m venv .venv-slicegpt && .venv-slicegpt/bin/pip install -r src/test/python/requirements-slicegpt.txt
The model (an HF float32 directory) comes from claws's importer:
    ./mvnw -q test-compile exec:java -Dexec.mainClass=dev.claws.model.tools.ImportGguf \\
      -Dexec.args="--gguf ../shared/models/SmolLM2-135M-Instruct.Q4_1.gguf --out /tmp/smollm2 --dtype float32"
Then, from the repository root:
    .venv/bin/python src/test/python/slicegpt_parity.py windows --model /tmp/smollm2
    .venv-slicegpt/bin/python src/test/python/slicegpt_parity.py compare --model /tmp/smollm2 --ratio 0.3
`compare` exits non-zero when claws's perplexity is more than --tolerance (default 2 %) away from the official one.
"""

import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import time

import torch

PROMPT_INPUT = ("Below is an instruction that describes a task, paired with an input that provides further context. "
                "Write a response that appropriately completes the request.\n\n"
                "### Instruction:\n{}\n\n### Input:\n{}\n\n### Response:")
PROMPT_NO_INPUT = ("Below is an instruction that describes a task. Write a response that appropriately completes the "
                   "request.\n\n### Instruction:\n{}\n\n### Response:")


class JavaRandom:
    """java.util.Random (48-bit LCG), enough of it for Collections.shuffle."""

    def __init__(self, seed):
        self.seed = (seed ^ 0x5DEECE66D) & ((1 << 48) - 1)

    def next(self, bits):
        self.seed = (self.seed * 0x5DEECE66D + 0xB) & ((1 << 48) - 1)
        r = self.seed >> (48 - bits)
        return r - (1 << bits) if r >= 1 << (bits - 1) else r  # Java's (int) cast

    def next_int(self, bound):
        r = self.next(31)
        m = bound - 1
        if bound & m == 0:
            return (bound * r) >> 31
        u = r
        r = u % bound
        while u - r + m >= 1 << 31:  # rejection as in Java (int overflow check)
            u = self.next(31)
            r = u % bound
        return r


def java_shuffle(items, seed):
    """java.util.Collections.shuffle(list, new Random(seed)) for a RandomAccess list."""
    rnd = JavaRandom(seed)
    out = list(items)
    for i in range(len(out) - 1, 0, -1):
        j = rnd.next_int(i + 1)
        out[i], out[j] = out[j], out[i]
    return out


def alpaca_text(path):
    with open(path, encoding="utf-8") as f:
        docs = json.load(f)
    records = []
    for d in docs:
        inp = d.get("input") or ""
        prompt = PROMPT_NO_INPUT.format(d["instruction"]) if inp == "" else PROMPT_INPUT.format(d["instruction"], inp)
        records.append(prompt + "\n" + d["output"])
    return "\n\n".join(records)


def calibration_windows(tokenizer, data, samples, length, seed):
    ids = tokenizer.encode(alpaca_text(os.path.join(data, "alpaca", "alpaca_data_sample.json")),
                           add_special_tokens=False).ids
    available = len(ids) // length
    if available < samples:
        sys.exit(f"calibration: {available} windows of {length} tokens, fewer than {samples}")
    order = java_shuffle(range(available), seed)
    return [ids[o * length:(o + 1) * length] for o in order[:samples]]


def eval_windows(tokenizer, data, windows, length):
    with open(os.path.join(data, "wikitext-2-raw", "wiki.test.raw"), encoding="utf-8", newline="") as f:
        text = f.read().replace("\r\n", "\n")
    ids = tokenizer.encode(text, add_special_tokens=False).ids
    n = min(windows, len(ids) // length)
    return [ids[w * length:(w + 1) * length] for w in range(n)]


def read_ids(path):
    with open(path) as f:
        return [list(map(int, line.split())) for line in f if line.strip()]


def write_ids(path, windows):
    with open(path, "w") as f:
        for w in windows:
            f.write(" ".join(map(str, w)) + "\n")


def batches(windows, batch_size):
    out = []
    for i in range(0, len(windows), batch_size):
        ids = torch.tensor(windows[i:i + batch_size], dtype=torch.long)
        out.append({"input_ids": ids, "attention_mask": torch.ones_like(ids)})
    return out


def legacy_config(model_dir):
    """The checkpoint's config as transformers 4.41 (the official code's pin) reads it.

    claws writes the transformers 5 layout, where RoPE's theta and scaling live in `rope_parameters`; 4.41 reads only
    the top-level `rope_theta` / `rope_scaling` and would silently fall back to theta = 10,000 (SmolLM2 uses 100,000),
    running a different model from layer 0 on.
    """
    from transformers import LlamaConfig

    with open(os.path.join(model_dir, "config.json"), encoding="utf-8") as f:
        cfg = json.load(f)
    rope = cfg.pop("rope_parameters", None)
    if rope is not None:
        cfg.setdefault("rope_theta", rope["rope_theta"])
        if rope.get("rope_type", "default") != "default":
            cfg.setdefault("rope_scaling", {k: v for k, v in rope.items() if k != "rope_theta"})
    config = LlamaConfig(**cfg)
    if rope is not None and config.rope_theta != rope["rope_theta"]:
        sys.exit(f"rope_theta read as {config.rope_theta}, the checkpoint has {rope['rope_theta']}")
    return config


def official(model_dir, cal, ev, ratio, threads):
    from slicegpt import gpu_utils, layernorm_fusion, rotate
    from slicegpt.adapters.llama_adapter import LlamaModelAdapter
    from slicegpt.slicing_scheduler import ConstSlicingScheduler
    from transformers import LlamaForCausalLM

    torch.set_num_threads(threads)
    model = LlamaForCausalLM.from_pretrained(model_dir, config=legacy_config(model_dir), torch_dtype=torch.float32,
                                             local_files_only=True)
    model.config.torch_dtype = torch.float32
    model.eval()
    adapter = LlamaModelAdapter(model)
    adapter.use_cache = False
    # post_init: pad = eos (evaluate_ppl ignores pad targets; WikiText windows hold none)
    model.config.pad_token_id = model.config.eos_token_id
    base_ppl = gpu_utils.evaluate_ppl(model, model.config.pad_token_id, ev)
    params_before = sum(int(p.nelement()) for p in model.parameters())

    layernorm_fusion.replace_layers(adapter)
    layernorm_fusion.fuse_modules(adapter)
    width = int((1 - ratio) * adapter.hidden_size)
    width -= width % 8  # run_slicegpt.py's --round-interval default
    start = time.time()
    rotate.rotate_and_slice(adapter, cal, ConstSlicingScheduler(width), final_orientation="pca")
    seconds = time.time() - start
    sliced_ppl = gpu_utils.evaluate_ppl(model, model.config.pad_token_id, ev)
    params_after = sum(int(p.nelement()) for p in model.parameters())
    return base_ppl, sliced_ppl, width, seconds, params_before, params_after


def claws(model_dir, out, ratio, pca, cal_file, eval_file):
    if os.path.exists(out):
        shutil.rmtree(out)
    args = (f"--base {model_dir} --out {out} --method slicegpt --ratio {ratio} --pca {pca} "
            f"--calibration-ids {cal_file} --eval-ids {eval_file}")
    cmd = ["./mvnw", "-B", "-q", "test-compile", "exec:java", "-Dexec.mainClass=dev.claws.compress.tools.Compress",
           "-Dexec.args=" + args]
    start = time.time()
    res = subprocess.run(cmd, capture_output=True, text=True)
    seconds = time.time() - start
    if res.returncode != 0:
        sys.exit("claws Compress failed:\n" + res.stdout + res.stderr)
    line = [l for l in res.stdout.splitlines() if l.startswith("cross-entropy")][-1]
    params = [l for l in res.stdout.splitlines() if l.startswith("wrote")][-1]
    return float(line.split()[1]), params, seconds


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("step", choices=["windows", "compare"])
    p.add_argument("--model", required=True, help="HF float32 checkpoint directory (LLaMA architecture)")
    p.add_argument("--data", default="../shared/data")
    p.add_argument("--ratio", type=float, default=0.3)
    p.add_argument("--cal-samples", type=int, default=32)
    p.add_argument("--cal-length", type=int, default=256)
    p.add_argument("--cal-batch-size", type=int, default=16)
    p.add_argument("--seed", type=int, default=0, help="SubmitCompression's seed (shuffles the calibration windows)")
    p.add_argument("--eval-windows", type=int, default=32)
    p.add_argument("--eval-length", type=int, default=1024)
    p.add_argument("--work", default="/tmp/slicegpt-parity")
    p.add_argument("--pca", default="sequential", help="claws's --pca (sequential or single_pass)")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--tolerance", type=float, default=0.02)
    a = p.parse_args()

    os.makedirs(a.work, exist_ok=True)
    cal_file, eval_file = os.path.join(a.work, "calibration.ids"), os.path.join(a.work, "eval.ids")
    if a.step == "windows":
        from tokenizers import Tokenizer
        tokenizer = Tokenizer.from_file(os.path.join(a.model, "tokenizer.json"))
        cal = calibration_windows(tokenizer, a.data, a.cal_samples, a.cal_length, a.seed)
        ev = eval_windows(tokenizer, a.data, a.eval_windows, a.eval_length)
        write_ids(cal_file, cal)
        write_ids(eval_file, ev)
        print(f"wrote {cal_file}: {len(cal)} x {a.cal_length} tokens (alpaca, seed {a.seed}); "
              f"{eval_file}: {len(ev)} x {a.eval_length} tokens (wikitext-2 test)")
        return

    cal, ev = read_ids(cal_file), read_ids(eval_file)
    print(f"calibration: {len(cal)} x {len(cal[0])} tokens; evaluation: {len(ev)} x {len(ev[0])} tokens")
    base_ppl, off_ppl, width, off_s, before, after = official(
        a.model, batches(cal, a.cal_batch_size), batches(ev, 1), a.ratio, a.threads)
    print(f"official base:   cross-entropy {math.log(base_ppl):.4f} perplexity {base_ppl:.3f}")
    print(f"official sliced: cross-entropy {math.log(off_ppl):.4f} perplexity {off_ppl:.3f} "
          f"(r={a.ratio}, width {width}, rotate_and_slice {off_s:.0f} s, params {before} -> {after})", flush=True)

    ce, params, claws_s = claws(a.model, os.path.join(a.work, "claws-sliced"), a.ratio, a.pca, cal_file, eval_file)
    claws_ppl = math.exp(ce)
    print(f"claws sliced ({a.pca}): cross-entropy {ce:.4f} perplexity {claws_ppl:.3f} ({params}; {claws_s:.0f} s "
          f"with the JVM and evaluation)")
    rel = claws_ppl / off_ppl - 1
    print(f"claws / official perplexity - 1 = {100 * rel:+.2f} % (tolerance {100 * a.tolerance:.0f} %)")
    sys.exit(0 if abs(rel) <= a.tolerance else 1)


if __name__ == "__main__":
    main()
