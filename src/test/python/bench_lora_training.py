#!/usr/bin/env python3
"""LoRA training throughput: claws (Java, DJL PyTorch autograd) vs transformers + peft on one checkpoint.

Same settings on both sides: float32 on the CPU with the same intra-op thread count (claws runs its training steps on
one intra-op thread whatever the engine has, see Engines.withThreads, so `--threads 1` compares like with like), rank 8, alpha 16, no dropout,
adapters on q/k/v/o/gate/up/down, AdamW (lr 1e-4), global-norm clipping at 1, one optimizer step per `--rows`
sequences of `--seq` tokens (token i = (i * 7919 + 13) mod vocab), `--warmup-steps` untimed steps then `--steps`
timed ones. Rounds alternate (claws, peft, claws, ...) so load from other processes hits both alike.

  python src/test/python/bench_lora_training.py --model /tmp/smollm2 --seq 256 --rows 1 --steps 2 --rounds 3 --threads 1

The Java side runs `java -cp <classpath> dev.claws.train.tools.LoraTrainingBenchmark` (give the classpath with --cp,
e.g. target/classes:target/test-classes (the tools live in src/tools/java, compiled with the tests) plus `./mvnw -q dependency:build-classpath -Dmdep.outputFile=/dev/stdout`). Prints per-round
figures, then the median (min, max) seconds per step and tokens/s of both, and the ratio claws / peft.
"""
import argparse
import json
import statistics
import subprocess
import time

import torch
from peft import LoraConfig, get_peft_model
from transformers import AutoModelForCausalLM


def peft_round(model_dir, seq, rows, steps, warmup, threads):
    torch.set_num_threads(threads)
    model = AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.float32)
    model = get_peft_model(model, LoraConfig(r=8, lora_alpha=16, lora_dropout=0.0, bias="none",
                                             target_modules=["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj",
                                                             "up_proj", "down_proj"]))
    model.train()
    vocab = model.config.vocab_size
    ids = torch.tensor([[((r * seq + i) * 7919 + 13) % vocab for i in range(seq)] for r in range(rows)])
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=1e-4, weight_decay=0.0)
    seconds = []
    for k in range(warmup + steps):
        start = time.perf_counter()
        logits = model(input_ids=ids).logits
        logp = torch.log_softmax(logits[:, :-1, :], dim=-1)
        loss = -logp.gather(2, ids[:, 1:].unsqueeze(-1)).mean()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        opt.zero_grad()
        if k >= warmup:
            seconds.append(time.perf_counter() - start)
    return seconds


def claws_round(cp, model_dir, seq, rows, steps, warmup, threads):
    out = subprocess.run(["java", "-Dai.djl.offline=true", "-cp", cp, "dev.claws.train.tools.LoraTrainingBenchmark",
                          "--model", model_dir, "--seq", str(seq), "--rows", str(rows), "--steps", str(steps),
                          "--warmup-steps", str(warmup), "--threads", str(threads)],
                         check=True, capture_output=True, text=True).stdout
    line = [l for l in out.splitlines() if l.startswith("{")][-1]
    return json.loads(line)["step_seconds"]


def summary(name, seconds, tokens):
    med = statistics.median(seconds)
    print(f"{name}: {med:.2f} s per step (min {min(seconds):.2f}, max {max(seconds):.2f}), "
          f"{tokens / med:.1f} tokens/s (min {tokens / max(seconds):.1f}, max {tokens / min(seconds):.1f})")
    return med


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--cp", required=True)
    ap.add_argument("--seq", type=int, default=256)
    ap.add_argument("--rows", type=int, default=1)
    ap.add_argument("--steps", type=int, default=3)
    ap.add_argument("--warmup-steps", type=int, default=1)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    claws, peft = [], []
    for r in range(a.rounds):
        c = claws_round(a.cp, a.model, a.seq, a.rows, a.steps, a.warmup_steps, a.threads)
        p = peft_round(a.model, a.seq, a.rows, a.steps, a.warmup_steps, a.threads)
        print(f"round {r}: claws {c}, peft {[round(x, 4) for x in p]} s per step")
        claws += c
        peft += p
    tokens = a.seq * a.rows
    mc = summary("claws", claws, tokens)
    mp = summary("transformers+peft", peft, tokens)
    print(f"ratio claws / peft tokens/s: {mp / mc:.2f}")


if __name__ == "__main__":
    main()
