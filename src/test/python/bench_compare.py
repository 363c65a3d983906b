#!/usr/bin/env python3
"""Interleaved generation benchmark: claws (Java, DJL PyTorch) vs transformers' own generate() on one checkpoint.

Both run greedy, float32, on the CPU with the same intra-op thread count, the same prompt
(token i = (i * 7919 + 13) mod vocab) and the same number of new tokens (never stopping early). Runs alternate
(claws, transformers, claws, ...) so load from other processes on the machine hits both alike.

  python src/test/python/bench_compare.py --model /tmp/qwen05-synthetic --prompt-tokens 128 --new-tokens 32 \
      --repeats 5 --threads 2

The Java side is started as `./mvnw -q compile exec:java ... GenerationBenchmark --serve` (override with --java-cmd).
Prints per-run figures, then median (min, max) of prefill ms, ms per decoded token and decode tokens/s for both,
and the ratios.
"""
import argparse
import json
import shlex
import statistics
import subprocess
import time

import torch
from transformers import AutoModelForCausalLM
from transformers.generation.streamers import BaseStreamer


class FirstTokenClock(BaseStreamer):
    """generate() calls put() once with the prompt, then once per new token: the second call marks prefill's end."""

    def __init__(self):
        self.calls = 0
        self.first_token_at = None

    def put(self, value):
        self.calls += 1
        if self.calls == 2:
            self.first_token_at = time.perf_counter_ns()

    def end(self):
        pass


def hf_run(model, prompt, new_tokens):
    clock = FirstTokenClock()
    start = time.perf_counter_ns()
    with torch.inference_mode():
        out = model.generate(prompt, max_new_tokens=new_tokens, min_new_tokens=new_tokens, do_sample=False,
                             streamer=clock, pad_token_id=0, use_cache=True)
    end = time.perf_counter_ns()
    assert out.shape[1] == prompt.shape[1] + new_tokens
    prefill = (clock.first_token_at - start) / 1e6
    decode = (end - clock.first_token_at) / 1e6
    steps = new_tokens - 1
    return dict(prefill_ms=prefill, ms_per_token=decode / steps, tokens_per_s=steps * 1000.0 / decode)


def stat(runs, key):
    v = [r[key] for r in runs]
    return statistics.median(v), min(v), max(v)


def fmt(label, runs):
    parts = []
    for key, name in (("prefill_ms", "prefill ms"), ("ms_per_token", "ms/token"), ("tokens_per_s", "tokens/s")):
        med, lo, hi = stat(runs, key)
        parts.append(f"{name} {med:.2f} ({lo:.2f}..{hi:.2f})")
    return f"{label:<22} " + " | ".join(parts)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--prompt-tokens", type=int, default=128)
    ap.add_argument("--new-tokens", type=int, default=32)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--java-cmd", default=None)
    a = ap.parse_args()

    torch.set_num_threads(a.threads)
    java_args = (f"--model {a.model} --prompt-tokens {a.prompt_tokens} --new-tokens {a.new_tokens} "
                 f"--threads {a.threads} --serve")
    cmd = a.java_cmd.split() + shlex.split(java_args) if a.java_cmd else [
        "./mvnw", "-q", "-o", "compile", "exec:java", "-Dexec.mainClass=dev.claws.model.tools.GenerationBenchmark",
        f"-Dexec.args={java_args}"]
    java = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
    try:
        line = java.stdout.readline()
        while line and not line.startswith("READY"):
            line = java.stdout.readline()
        if not line:
            raise SystemExit("java benchmark did not start")
        print("java:", line.strip())

        model = AutoModelForCausalLM.from_pretrained(a.model, dtype=torch.float32).eval()
        vocab = model.config.vocab_size
        prompt = torch.tensor([[(i * 7919 + 13) % vocab for i in range(a.prompt_tokens)]])
        print(f"transformers {__import__('transformers').__version__}, torch {torch.__version__}, "
              f"threads {torch.get_num_threads()}, attn {model.config._attn_implementation}")

        def java_run():
            java.stdin.write("run\n")
            java.stdin.flush()
            return json.loads(java.stdout.readline())

        for _ in range(a.warmup):
            java_run()
            hf_run(model, prompt, a.new_tokens)
        claws, hf = [], []
        for i in range(a.repeats):
            claws.append(java_run())
            hf.append(hf_run(model, prompt, a.new_tokens))
            print(f"run {i + 1}: claws {claws[-1]['prefill_ms']:.1f} ms prefill, {claws[-1]['ms_per_token']:.2f} ms/tok"
                  f" | transformers {hf[-1]['prefill_ms']:.1f} ms prefill, {hf[-1]['ms_per_token']:.2f} ms/tok",
                  flush=True)
        print(f"\nprompt {a.prompt_tokens} tokens, {a.new_tokens} new tokens, {a.repeats} interleaved repeats, "
              f"{a.threads} threads, median (min..max)")
        print(fmt("claws (DJL PyTorch)", claws))
        print(fmt("transformers generate", hf))
        p = stat(claws, "prefill_ms")[0] / stat(hf, "prefill_ms")[0]
        d = stat(claws, "ms_per_token")[0] / stat(hf, "ms_per_token")[0]
        t = stat(claws, "tokens_per_s")[0] / stat(hf, "tokens_per_s")[0]
        print(f"ratio claws/transformers: prefill time {p:.2f}x, time per token {d:.2f}x, tokens/s {t:.2f}x")
    finally:
        try:
            java.stdin.write("quit\n")
            java.stdin.flush()
        except (BrokenPipeError, ValueError):
            pass
        java.wait(timeout=60)


if __name__ == "__main__":
    main()
