#!/usr/bin/env python3
"""Parity reference for a GGUF model: what Hugging Face transformers computes when it loads the GGUF file itself
(from_pretrained(..., gguf_file=..., dtype=torch.float32)), for claws' GGUF importer to match.

For each prompt: the token ids (transformers' GGUF-derived tokenizer, no special tokens added beyond the
tokenizer's own post-processor), the last-position logits as the top 16 (ids and values) plus the first 64 vocabulary
entries, the full-vocabulary max, and the 32-token greedy continuation (full recompute each step, no stop token).

  .venv/bin/python src/test/python/make_gguf_parity_fixture.py \
      --gguf ../shared/models/SmolLM2-135M-Instruct.Q4_1.gguf \
      --out src/test/resources/fixtures/gguf/smollm2-135m-instruct-q4_1-parity.json

With --imported DIR it also loads a checkpoint directory written by claws' importer (dev.claws.model.tools.ImportGguf)
with plain from_pretrained/AutoTokenizer and prints the max-abs difference of its full last-position logits from the
GGUF loading, and whether its tokenizer gives the same ids (a check that the import is loadable by transformers).
Without --out it only prints (used for models too large for a committed fixture).
"""
import argparse
import json
import pathlib

import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

PROMPTS = [
    "The capital of France is",
    "def fibonacci(n):\n    \"\"\"Return the n-th Fibonacci number.\"\"\"\n",
    "<|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n",
]
GREEDY = 32
TOP = 16
SLICE = 64


@torch.no_grad()
def greedy(model, ids, steps):
    seq = list(ids)
    for _ in range(steps):
        logits = model(torch.tensor([seq])).logits[0, -1]
        seq.append(int(torch.argmax(logits)))
    return seq[len(ids):]


@torch.no_grad()
def last_logits(model, ids):
    return model(torch.tensor([ids])).logits[0, -1].float()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--gguf", required=True)
    ap.add_argument("--out")
    ap.add_argument("--imported")
    args = ap.parse_args()
    path = pathlib.Path(args.gguf).resolve()
    tok = AutoTokenizer.from_pretrained(str(path.parent), gguf_file=path.name)
    model = AutoModelForCausalLM.from_pretrained(str(path.parent), gguf_file=path.name, dtype=torch.float32)
    model.eval()
    cases = []
    for prompt in PROMPTS:
        ids = tok(prompt)["input_ids"]
        logits = last_logits(model, ids)
        top = torch.topk(logits, TOP)
        cases.append({
            "prompt": prompt,
            "ids": ids,
            "top_ids": top.indices.tolist(),
            "top_logits": top.values.tolist(),
            "slice_logits": logits[:SLICE].tolist(),
            "max_logit": float(logits.max()),
            "greedy": greedy(model, ids, GREEDY),
        })
        print(repr(prompt), "->", repr(tok.decode(cases[-1]["greedy"])))
    if args.out:
        out = {"gguf": path.name, "transformers_dtype": "float32", "top": TOP, "slice": SLICE, "cases": cases}
        pathlib.Path(args.out).write_text(json.dumps(out, indent=1) + "\n")
        print("wrote", args.out)
    if args.imported:
        imp_tok = AutoTokenizer.from_pretrained(args.imported)
        imp = AutoModelForCausalLM.from_pretrained(args.imported, dtype=torch.float32)
        imp.eval()
        for case in cases:
            ids = case["ids"]
            same_ids = imp_tok(case["prompt"])["input_ids"] == ids
            diff = float((last_logits(imp, ids) - last_logits(model, ids)).abs().max())
            same_greedy = greedy(imp, ids, GREEDY) == case["greedy"]
            print(f"imported {args.imported}: prompt {case['prompt']!r}: ids equal {same_ids}, "
                  f"full-vocab last logits max-abs diff {diff:.3e}, greedy {GREEDY} equal {same_greedy}")
        print("imported chat template equal:", imp_tok.chat_template == tok.chat_template)


if __name__ == "__main__":
    main()
