"""Reference LoRA training run for the Java trainer's parity test (LoraParityTest).

Trains LoRA adapters on the tiny random Qwen2 fixture (src/test/resources/fixtures/models/qwen2-fp32-tied) with
transformers + peft: given initial A (peft's kaiming-uniform init, seeded) and B (small seeded normal, so the first
step already moves A), no dropout, fixed seeded batches, gradient accumulation, global-norm clipping, AdamW with
weight decay and warm-up + cosine decay (transformers' schedule), all in float32. The loss of each micro-batch is its
summed next-token NLL divided by the predicted tokens of the whole optimizer step, as the Java trainer defines it.

Writes src/test/resources/fixtures/lora/:
  initial/  adapter_config.json + adapter_model.safetensors (peft's save_pretrained) before training
  final/    the same after training
  reference.json  settings, the token ids of every micro-batch, per-step loss, gradient norm and learning rate

Run: python3 -m venv .venv && .venv/bin/pip install -r src/test/python/requirements.txt
     .venv/bin/python src/test/python/make_lora_fixtures.py
"""
import json
import pathlib

import torch
from peft import LoraConfig, get_peft_model
from transformers import AutoModelForCausalLM, get_cosine_schedule_with_warmup

ROOT = pathlib.Path(__file__).resolve().parents[3]
MODEL = ROOT / "src/test/resources/fixtures/models/qwen2-fp32-tied"
OUT = ROOT / "src/test/resources/fixtures/lora"

SETTINGS = dict(rank=4, alpha=8.0, targets=["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj",
                                            "down_proj"],
                sequence_length=16, micro_batch_rows=2, accumulation=2, steps=6, learning_rate=1e-2,
                weight_decay=0.01, beta1=0.9, beta2=0.999, eps=1e-8, warmup_steps=2, decay="cosine",
                max_grad_norm=0.5, seed=1234)


def save(model, directory):
    """peft's save_pretrained, without the generated model card and with the base named by its fixture name."""
    model.save_pretrained(directory)
    (directory / "README.md").unlink(missing_ok=True)
    config = json.loads((directory / "adapter_config.json").read_text())
    config["base_model_name_or_path"] = MODEL.name
    (directory / "adapter_config.json").write_text(json.dumps(config, indent=2, sort_keys=True) + "\n")


def main():
    s = SETTINGS
    torch.manual_seed(s["seed"])
    model = AutoModelForCausalLM.from_pretrained(MODEL, dtype=torch.float32)
    model = get_peft_model(model, LoraConfig(r=s["rank"], lora_alpha=s["alpha"], lora_dropout=0.0,
                                             target_modules=s["targets"], bias="none", task_type="CAUSAL_LM"))
    gen = torch.Generator().manual_seed(s["seed"])
    for name, p in model.named_parameters():
        if "lora_B" in name:
            with torch.no_grad():
                p.copy_(torch.randn(p.shape, generator=gen) * 0.05)
    save(model, OUT / "initial")
    vocab = model.config.vocab_size
    batches = torch.randint(0, vocab, (s["steps"], s["accumulation"], s["micro_batch_rows"], s["sequence_length"]),
                            generator=gen)
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=s["learning_rate"], betas=(s["beta1"], s["beta2"]), eps=s["eps"],
                            weight_decay=s["weight_decay"])
    sched = get_cosine_schedule_with_warmup(opt, s["warmup_steps"], s["steps"])
    model.train()
    predicted = s["accumulation"] * s["micro_batch_rows"] * (s["sequence_length"] - 1)
    losses, norms, lrs = [], [], []
    for step in range(s["steps"]):
        total = 0.0
        for ids in batches[step]:
            logits = model(input_ids=ids).logits
            logp = torch.log_softmax(logits[:, :-1, :].float(), dim=-1)
            nll = -logp.gather(2, ids[:, 1:].unsqueeze(-1)).sum() / predicted
            nll.backward()
            total += nll.item()
        lrs.append(opt.param_groups[0]["lr"])
        norms.append(torch.nn.utils.clip_grad_norm_(params, s["max_grad_norm"]).item())
        opt.step()
        sched.step()
        opt.zero_grad()
        losses.append(total)
    save(model, OUT / "final")
    ref = dict(settings=s, batches=batches.tolist(), loss=losses, grad_norm=norms, learning_rate=lrs)
    (OUT / "reference.json").write_text(json.dumps(ref) + "\n")
    print("loss per step", losses)
    print("grad norm per step", norms)


if __name__ == "__main__":
    main()
