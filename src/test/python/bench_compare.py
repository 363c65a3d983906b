#!/usr/bin/env python3
"""Interleaved generation benchmark: claws (Java, DJL PyTorch) vs transformers' own generate() (one engine per
--hf-dtypes entry) and, optionally, llama.cpp's llama-bench on GGUF files of the same weights.

All run greedy on the CPU with the same thread count, the same prompt length (token i = (i * 7919 + 13) mod vocab for
claws and transformers; llama-bench uses its own prompt of that length) and the same number of new tokens (never
stopping early). claws runs once per --claws-weights entry (its decode weights, one model each in one JVM), and once
per --claws-host entry on the host decode-step prototype (HostDecodeStep: every op of a one-token step on the host,
over the same model's weights; its prompt is fed as one-token steps, so its prefill figure is not a prefill). Runs
alternate (claws, transformers f32, transformers bf16, llama.cpp F32, ...) so load from other
processes on the machine hits all alike.

  python src/test/python/bench_compare.py --model /tmp/qwen05-synthetic --prompt-tokens 128 --new-tokens 32 \
      --repeats 5 --threads 2 [--claws-weights float32,bfloat16,int8] [--claws-host float32,bfloat16] \
      [--hf-dtypes float32,bfloat16] \
      [--llama-bench /tmp/llama.cpp/build/bin/llama-bench --gguf F32=/tmp/m-f32.gguf --gguf F16=/tmp/m-f16.gguf] \
      [--bandwidth-gbs 29]

The table at the end has, per engine: weight bytes read per decoded token, decode tokens/s, the bandwidth roofline
(bandwidth / bytes per token) and the ratio to it, and prefill tokens/s of the prompt. A decode step reads every weight
but the input embedding table, of which it gathers one row: for an untied model (separate LM head, e.g. the
Qwen2.5-Coder-0.5B GGUF) that table is left out of the bytes per token (for a tied one it is the LM head, read in
full). src/test/python/build_llama_bench.sh builds llama-bench from the llama-cpp-python sdist's vendored llama.cpp.

The Java side is started as `./mvnw -q test-compile exec:java ... GenerationBenchmark --serve` (override with --java-cmd).
Prints per-run figures, then median (min, max) of prefill ms, ms per decoded token and decode tokens/s for both,
and the ratios.
"""
import argparse
import json
import os
import shlex
import statistics
import subprocess
import time

import torch
from gguf import GGUFReader
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


def llama_run(binary, gguf, prompt_tokens, new_tokens, threads):
    """One llama-bench run (one repetition): prefill and decode tokens/s as llama-bench reports them."""
    out = subprocess.run([binary, "-m", gguf, "-t", str(threads), "-p", str(prompt_tokens), "-n", str(new_tokens),
                          "-r", "1", "-o", "json"], check=True, capture_output=True, text=True).stdout
    tests = json.loads(out)
    pp = next(t for t in tests if t["n_prompt"] > 0 and t["n_gen"] == 0)["avg_ts"]
    tg = next(t for t in tests if t["n_gen"] > 0 and t["n_prompt"] == 0)["avg_ts"]
    return dict(prefill_ms=prompt_tokens * 1000.0 / pp, ms_per_token=1000.0 / tg, tokens_per_s=tg)


def decoded_parameters(model):
    """Parameters a decode step multiplies: all of them, less the input embedding when the LM head is a separate
    matrix (the embedding is then only gathered from, one row per token)."""
    params = sum(p.numel() for p in model.parameters())  # a tied embedding/head pair is counted once
    embedding, head = model.get_input_embeddings().weight, model.get_output_embeddings().weight
    return params if embedding.data_ptr() == head.data_ptr() else params - embedding.numel()


def gguf_decoded_bytes(path):
    """Bytes of a GGUF file's tensors a decode step reads: all of them, less token_embd when output.weight is a
    separate tensor (llama.cpp ties the head to token_embd when output.weight is absent)."""
    tensors = {t.name: int(t.n_bytes) for t in GGUFReader(path).tensors}
    total = sum(tensors.values())
    return total - tensors["token_embd.weight"] if "output.weight" in tensors else total


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
    ap.add_argument("--claws-weights", default="float32",
                    help="comma-separated claws decode weights (float32, bfloat16, int8), one engine each")
    ap.add_argument("--claws-host", default="",
                    help="comma-separated decode weights (each also in --claws-weights) to run on the host decode-step "
                         "prototype (HostDecodeStep) too, one engine each")
    ap.add_argument("--hf-dtypes", default="float32", help="comma-separated transformers dtypes, one engine each")
    ap.add_argument("--llama-bench", default=None, help="path of a llama-bench binary")
    ap.add_argument("--gguf", action="append", default=[], help="LABEL=FILE, a GGUF of the same weights (repeatable)")
    ap.add_argument("--bandwidth-gbs", type=float, default=29.0,
                    help="measured memory read bandwidth (GB/s) for the roofline column")
    a = ap.parse_args()

    torch.set_num_threads(a.threads)
    java_args = (f"--model {a.model} --prompt-tokens {a.prompt_tokens} --new-tokens {a.new_tokens} "
                 f"--threads {a.threads} --decode-weights {a.claws_weights} --serve")
    cmd = a.java_cmd.split() + shlex.split(java_args) if a.java_cmd else [
        "./mvnw", "-q", "-o", "test-compile", "exec:java", "-Dexec.mainClass=dev.claws.model.tools.GenerationBenchmark",
        f"-Dexec.args={java_args}"]
    java = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
    try:
        line = java.stdout.readline()
        while line and not line.startswith("READY"):
            print("java:", line.rstrip())  # maven -q prints a failed start's errors on stdout
            line = java.stdout.readline()
        if not line:
            raise SystemExit("java benchmark did not start")
        print("java:", line.strip())

        hf_models = {d: AutoModelForCausalLM.from_pretrained(a.model, dtype=getattr(torch, d)).eval()
                     for d in a.hf_dtypes.split(",")}
        any_model = next(iter(hf_models.values()))
        vocab = any_model.config.vocab_size
        params = sum(p.numel() for p in any_model.parameters())  # tied embeddings counted once
        decoded = decoded_parameters(any_model)
        prompt = torch.tensor([[(i * 7919 + 13) % vocab for i in range(a.prompt_tokens)]])
        print(f"transformers {__import__('transformers').__version__}, torch {torch.__version__}, "
              f"threads {torch.get_num_threads()}, attn {any_model.config._attn_implementation}, {params:,} parameters, "
              f"{decoded:,} read per decoded token ({'tied' if decoded == params else 'untied'} LM head)")

        def java_run(dtype):
            java.stdin.write(f"run {dtype}\n")
            java.stdin.flush()
            return json.loads(java.stdout.readline())

        # engine label -> (weight bytes read per token, run function); int8 adds one float32 scale per output row
        claws_bytes = {"float32": 4, "bfloat16": 2, "int8": 1}
        engines = {f"claws {d}": (decoded * claws_bytes[d], lambda d=d: java_run(d))
                   for d in a.claws_weights.split(",")}
        for d in filter(None, a.claws_host.split(",")):
            if d not in a.claws_weights.split(","):
                raise SystemExit(f"--claws-host {d} needs {d} in --claws-weights (the prototype reads that model)")
            engines[f"claws host-step {d}"] = (decoded * claws_bytes[d], lambda d=d: java_run(f"host-{d}"))
        for d, m in hf_models.items():
            engines[f"transformers {d}"] = (decoded * torch.finfo(getattr(torch, d)).bits // 8,
                                            lambda m=m: hf_run(m, prompt, a.new_tokens))
        for spec in a.gguf:
            label, path = spec.split("=", 1)
            engines[f"llama.cpp {label}"] = (gguf_decoded_bytes(path),
                                             lambda path=path: llama_run(a.llama_bench, path, a.prompt_tokens,
                                                                         a.new_tokens, a.threads))
        for _ in range(a.warmup):
            for _, run in engines.values():
                run()
        runs = {name: [] for name in engines}
        for i in range(a.repeats):
            line = []
            for name, (_, run) in engines.items():
                r = run()
                runs[name].append(r)
                line.append(f"{name} {r['prefill_ms']:.1f} ms prefill, {r['ms_per_token']:.2f} ms/tok")
            print(f"run {i + 1}: " + " | ".join(line), flush=True)
        print(f"\nprompt {a.prompt_tokens} tokens, {a.new_tokens} new tokens, {a.repeats} interleaved repeats, "
              f"{a.threads} threads, median (min..max); load average {os.getloadavg()[0]:.1f}")
        for name in engines:
            print(fmt(name, runs[name]))
        print(f"\n| engine | weights MB/token | decode tok/s | roofline tok/s ({a.bandwidth_gbs:g} GB/s) | "
              f"of roofline | prefill tok/s ({a.prompt_tokens}-token prompt) |")
        print("|---|---|---|---|---|---|")
        for name, (nbytes, _) in engines.items():
            med, lo, hi = stat(runs[name], "tokens_per_s")
            roof = a.bandwidth_gbs * 1e9 / nbytes
            pre = [a.prompt_tokens * 1000.0 / r["prefill_ms"] for r in runs[name]]
            print(f"| {name} | {nbytes / 1e6:.0f} | {med:.1f} ({lo:.1f}..{hi:.1f}) | {roof:.0f} | {med / roof:.2f} | "
                  f"{statistics.median(pre):.0f} ({min(pre):.0f}..{max(pre):.0f}) |")
        for claws in [n for n in engines if n.startswith("claws ")]:
            base = stat(runs[claws], "tokens_per_s")[0]
            print(f"decode tokens/s, {claws} relative to: " + ", ".join(
                f"{name} {base / stat(runs[name], 'tokens_per_s')[0]:.2f}x" for name in engines
                if not name.startswith("claws ")))
    finally:
        try:
            java.stdin.write("quit\n")
            java.stdin.flush()
        except (BrokenPipeError, ValueError):
            pass
        java.wait(timeout=60)


if __name__ == "__main__":
    main()
