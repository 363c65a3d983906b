#!/usr/bin/env python3
"""Regenerates the evaluation parity fixtures under src/test/resources/fixtures/eval/.

What it does (offline; needs torch, transformers, tokenizers and lm-eval 0.4.x in the Python environment):
  1. trains a small byte-level BPE tokenizer (Qwen2-style pre-tokenizer) on the first rows of WikiText-2,
  2. builds a tiny Qwen2-architecture model, trains it briefly on the same text so that its choices are not coin flips,
     and saves it as a Hugging Face checkpoint (fp32 safetensors) in tiny-qwen2/,
  3. writes hand-written documents in each benchmark's published field layout to tasks/<task>.jsonl,
  4. runs lm-evaluation-harness's own task configs (prompt templates, HellaSwag preprocessing, WinoGrande partial
     scoring) and its HFLM model on those files, and records per document the request strings, the token ids that the
     harness computed for context and continuation, each choice's summed log-likelihood and is_greedy, the acc/acc_norm
     predictions and the aggregated metrics -> lmeval_results.json,
  5. records transformers' cross-entropy (labels = input ids) of the tiny model on fixed-length windows of a fixed
     text built as the reference perplexity code builds it -> cross_entropy.json.

Usage (from the repository root):
  .venv/bin/pip install -r src/test/python/requirements.txt
  .venv/bin/python src/test/python/make_lmeval_fixtures.py --wikitext ../shared/data/wikitext-2-raw/wiki.test.raw
"""
import argparse
import json
import math
import os
import shutil
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import torch  # noqa: E402
import transformers  # noqa: E402
from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, trainers  # noqa: E402

ROOT = Path(__file__).resolve().parents[3]
OUT = ROOT / "src/test/resources/fixtures/eval"
MODEL_DIR = OUT / "tiny-qwen2"
TASK_DIR = OUT / "tasks"
EOT = "<|endoftext|>"
QWEN2_SPLIT = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|"
               r"\s+(?!\S)|\s+")
VOCAB = 1024
MAX_LENGTH = 128  # the harness's max_length for the run: long BoolQ passages get left-truncated
CE_WINDOW = 64
CE_RECORDS = 40


def wikitext_rows(path: Path):
    """Rows of wikitext-2-raw-v1 from the shared export, which is "\\n\\n".join(rows) with CRLF line ends."""
    text = path.read_bytes().decode("utf-8").replace("\r\n", "\n")
    rows, p, n = [], 0, len(text)
    while True:
        if p < n and text[p] != "\n":
            e = text.index("\n", p)
            rows.append(text[p:e + 1])
            p = e + 1
        else:
            rows.append("")
        if p >= n:
            break
        assert text[p:p + 2] == "\n\n", "unexpected layout"
        p += 2
    return rows


def train_tokenizer(texts):
    tok = Tokenizer(models.BPE())
    tok.normalizer = normalizers.NFC()
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(QWEN2_SPLIT), behavior="isolated", invert=False),
        pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
    ])
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=VOCAB, special_tokens=[EOT],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    tok.train_from_iterator(texts, trainer=trainer)
    return tok


def build_model(tokenizer_dir: Path, train_text: str):
    hf_tok = transformers.AutoTokenizer.from_pretrained(str(tokenizer_dir))
    config = transformers.Qwen2Config(
        vocab_size=VOCAB, hidden_size=64, intermediate_size=176, num_hidden_layers=2, num_attention_heads=4,
        num_key_value_heads=2, max_position_embeddings=MAX_LENGTH, rope_theta=10000.0, rms_norm_eps=1e-6,
        tie_word_embeddings=True, bos_token_id=None, eos_token_id=hf_tok.eos_token_id,
        pad_token_id=hf_tok.eos_token_id)
    torch.manual_seed(0)
    model = transformers.Qwen2ForCausalLM(config).float()
    ids = torch.tensor(hf_tok(train_text, add_special_tokens=False)["input_ids"], dtype=torch.long)
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=0.0)
    gen = torch.Generator().manual_seed(0)
    model.train()
    seq, batch = 64, 16
    for step in range(300):
        starts = torch.randint(0, len(ids) - seq - 1, (batch,), generator=gen)
        x = torch.stack([ids[s:s + seq] for s in starts])
        loss = model(input_ids=x, labels=x).loss
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % 100 == 0 or step == 299:
            print(f"train step {step} loss {loss.item():.4f}", file=sys.stderr)
    model.eval()
    model.save_pretrained(str(MODEL_DIR), safe_serialization=True)
    return model, hf_tok


# Hand-written documents in each benchmark's published layout (Hugging Face copies the harness reads).
DOCS = {
    "piqa": [
        {"goal": "How do I keep bread from going stale?", "sol1": "Store it in a sealed bag at room temperature.",
         "sol2": "Leave it uncovered on the counter overnight.", "label": 0},
        {"goal": "To loosen a tight jar lid,", "sol1": "run the lid under cold water for a minute.",
         "sol2": "run the lid under hot water for a minute.", "label": 1},
        {"goal": "Make a quick café-style iced coffee.", "sol1": "Pour hot coffee over a glass full of ice — then add milk.",
         "sol2": "Pour cold milk into a dry pan and heat it until it smokes.", "label": 0},
        {"goal": "Clean a paint brush after using water-based paint", "sol1": "Rinse it with warm soapy water until the water runs clear.",
         "sol2": "Rinse it.", "label": 0},
        {"goal": "Order a dessert in a Paris café.", "sol1": "Ask for a crème brûlée, s'il vous plaît — merci.",
         "sol2": "Ask the waiter for a slice of cake.", "label": 0},
    ],
    "hellaswag": [
        {"ind": 1, "activity_label": "Baking cookies", "ctx_a": "A woman places a tray of dough balls on the counter.",
         "ctx_b": "she", "ctx": "A woman places a tray of dough balls on the counter. she",
         "endings": ["slides the tray into the hot oven and sets a timer.", "throws the tray out of the window.",
                     "paints the dough balls blue with a brush.", "sings to the oven for an hour."],
         "source_id": "hand-written", "split": "val", "split_type": "indomain", "label": "0"},
        {"ind": 2, "activity_label": "Home and Garden",
         "ctx_a": "[header] How to repot a plant [title] Water the plant a day before.",
         "ctx_b": "damp soil holds together BETTER when you lift the roots.",
         "ctx": "[header] How to repot a plant [title] Water the plant a day before. damp soil holds together BETTER when you lift the roots.",
         "endings": ["[step] Loosen the root ball gently with your fingers.",
                     "[title] Choose a new pot. [step] Pick one that is a little larger than the old one.",
                     " Throw the plant away  and buy a new one. ", "[substeps] Fill the pot with sand only."],
         "source_id": "hand-written", "split": "val", "split_type": "zeroshot", "label": "1"},
        {"ind": 3, "activity_label": "Playing piano", "ctx_a": "A man sits down at a grand piano in a concert hall.",
         "ctx_b": "", "ctx": "A man sits down at a grand piano in a concert hall. ",
         "endings": ["He begins to play a slow, quiet melody.", "He eats the piano keys one by one.",
                     "The piano flies away over the audience.", "He starts to mow the lawn."],
         "source_id": "hand-written", "split": "val", "split_type": "indomain", "label": "0"},
        {"ind": 4, "activity_label": "Making tea", "ctx_a": "A person fills a kettle with water and switches it on.",
         "ctx_b": "when the water boils, the person", "ctx": "A person fills a kettle with water and switches it on. when the water boils, the person",
         "endings": ["pours it over a tea bag in a cup — and waits.", "puts the kettle in the freezer.",
                     "pours the water onto the floor.", "drinks the water straight from the kettle spout, naïvely."],
         "source_id": "hand-written", "split": "val", "split_type": "indomain", "label": "0"},
    ],
    "winogrande": [
        {"qID": "hw-1", "sentence": "Sarah lent her umbrella to Maria because _ was going out into the rain.",
         "option1": "Sarah", "option2": "Maria", "answer": "2"},
        {"qID": "hw-2", "sentence": "The ice cream melted faster than the cake because the _ was softer.",
         "option1": "ice cream", "option2": "cake", "answer": "1"},
        {"qID": "hw-3", "sentence": "Because the soup was colder than the tea, Anna reheated the _ before lunch.",
         "option1": "soup", "option2": "tea", "answer": "1"},
        {"qID": "hw-4", "sentence": "Kevin could not lift the box, but Brian could, because _ was stronger.",
         "option1": "Kevin", "option2": "Brian", "answer": "2"},
    ],
    "arc_easy": [
        {"id": "hw-e1", "question": "Which of these is a source of light energy?",
         "choices": {"text": ["a rock", "the Sun", "a wooden chair", "a glass of water"], "label": ["A", "B", "C", "D"]},
         "answerKey": "B"},
        {"id": "hw-e2", "question": "What do plants need from the air to make food?",
         "choices": {"text": ["oxygen", "nitrogen", "carbon dioxide", "helium"], "label": ["1", "2", "3", "4"]},
         "answerKey": "3"},
        {"id": "hw-e3", "question": "Water freezes at what temperature in degrees Celsius?",
         "choices": {"text": ["0 °C", "50 °C", "100 °C"], "label": ["A", "B", "C"]}, "answerKey": "A"},
        {"id": "hw-e4", "question": "Which dessert has a layer of hard caramelised sugar on top?",
         "choices": {"text": ["crème brûlée", "dry toast", "an apple", "plain rice"], "label": ["A", "B", "C", "D"]},
         "answerKey": "A"},
        {"id": "hw-e5", "question": "Which of these words came into English from French?",
         "choices": {"text": ["naïveté", "house", "tree", "water"], "label": ["A", "B", "C", "D"]}, "answerKey": "A"},
    ],
    "arc_challenge": [
        {"id": "hw-c1", "question": "A student pushes a cart with a constant force on a smooth floor. What happens to the cart's speed?",
         "choices": {"text": ["It increases.", "It decreases.", "It stays the same.", "It becomes zero.", "It reverses."],
                     "label": ["A", "B", "C", "D", "E"]}, "answerKey": "A"},
        {"id": "hw-c2", "question": "Which process moves most of the heat from the Sun to Earth?",
         "choices": {"text": ["conduction", "convection", "radiation", "evaporation"], "label": ["A", "B", "C", "D"]},
         "answerKey": "C"},
        {"id": "hw-c3", "question": "Why does a metal spoon feel colder than a wooden spoon at the same temperature?",
         "choices": {"text": ["Metal conducts heat away from the hand faster.", "Wood is always warmer.",
                              "Metal has no heat at all.", "Wood makes its own heat."], "label": ["A", "B", "C", "D"]},
         "answerKey": "A"},
    ],
    "boolq": [
        {"question": "is the sun a star", "passage": "The Sun is the star at the centre of the Solar System. It is a "
         "nearly perfect ball of hot plasma, heated by nuclear fusion reactions in its core.", "idx": 0, "label": 1},
        {"question": "can penguins fly", "passage": "Penguins are a group of aquatic, flightless birds. They live "
         "almost exclusively in the Southern Hemisphere. Highly adapted for life in the water, penguins have "
         "countershaded dark and white plumage and flippers for swimming. Most penguins feed on krill, fish, squid "
         "and other forms of sea life which they catch with their bills and swallow whole while swimming. A penguin "
         "has a spiny tongue and powerful jaws to grip slippery prey. They spend about half of their lives on land "
         "and the other half in the sea.", "idx": 1, "label": 0},
        {"question": "is a tomato a fruit", "passage": "Botanically, a tomato is a fruit: it grows from the flower of "
         "the plant and carries its seeds. In cooking, however, tomatoes are usually treated as vegetables and are "
         "served in savoury dishes rather than desserts. A famous court case in the nineteenth century even ruled, "
         "for the purpose of import taxes, that the tomato should be classified as a vegetable, because of the way "
         "it is eaten, although the court agreed that it is a fruit in the botanical sense of the word.",
         "idx": 2, "label": 1},
    ],
}

HARNESS_TASK = {  # our task name -> (harness yaml relative to lm_eval/tasks, split the yaml evaluates)
    "piqa": ("piqa/piqa.yaml", "validation"),
    "hellaswag": ("hellaswag/hellaswag.yaml", "validation"),
    "winogrande": ("winogrande/default.yaml", "validation"),
    "arc_easy": ("arc/arc_easy.yaml", "test"),
    "arc_challenge": ("arc/arc_challenge.yaml", "test"),
    "boolq": ("super_glue/boolq/default.yaml", "validation"),
}


def write_task_files():
    TASK_DIR.mkdir(parents=True, exist_ok=True)
    for task, docs in DOCS.items():
        with open(TASK_DIR / f"{task}.jsonl", "w", encoding="utf-8") as f:
            for doc in docs:
                f.write(json.dumps(doc, ensure_ascii=False) + "\n")


def local_task_configs(yaml_dir: Path):
    """Harness task yamls that include the built-in ones and read our local jsonl files instead of the hub."""
    import lm_eval
    tasks_root = Path(lm_eval.__file__).parent / "tasks"
    names = {}
    for task, (rel, split) in HARNESS_TASK.items():
        local = f"claws_{task}"
        cfg = {
            "include": str(tasks_root / rel),
            "task": local,
            "tag": [],
            "dataset_path": "json",
            "dataset_name": None,
            "dataset_kwargs": {"data_files": {split: str(TASK_DIR / f"{task}.jsonl")}},
            "training_split": None,
            "validation_split": split if split == "validation" else None,
            "test_split": split if split == "test" else None,
        }
        (yaml_dir / f"{local}.yaml").write_text(json.dumps(cfg), encoding="utf-8")  # JSON is valid YAML
        names[local] = task
    return names


def run_harness():
    import lm_eval
    from lm_eval.models.huggingface import HFLM
    from lm_eval.tasks import TaskManager

    captured = {}

    class RecordingHFLM(HFLM):
        """Keeps the token ids the harness computed for each (context, continuation) request."""

        def _loglikelihood_tokens(self, requests, disable_tqdm=False, override_bs=None):
            for (strings, context_enc, continuation_enc) in requests:
                captured[tuple(strings)] = (list(context_enc), list(continuation_enc))
            return super()._loglikelihood_tokens(requests, disable_tqdm=disable_tqdm, override_bs=override_bs)

    lm = RecordingHFLM(pretrained=str(MODEL_DIR), tokenizer=str(MODEL_DIR), batch_size=1, max_length=MAX_LENGTH,
                       device="cpu", dtype="float32")
    with tempfile.TemporaryDirectory() as tmp:
        names = local_task_configs(Path(tmp))
        tm = TaskManager(include_path=tmp)
        out = lm_eval.simple_evaluate(model=lm, tasks=list(names), num_fewshot=0, task_manager=tm, log_samples=True,
                                      batch_size=1, random_seed=0, numpy_random_seed=0, torch_random_seed=0,
                                      fewshot_random_seed=0)
    tasks = {}
    for local, task in names.items():
        samples = sorted(out["samples"][local], key=lambda s: s["doc_id"])
        docs = []
        for s in samples:
            requests = []
            for args, resp in zip(s["arguments"], s["filtered_resps"]):
                context, continuation = args[0], args[1]
                ctx_ids, cont_ids = captured[(context, continuation)]
                requests.append({
                    "context": context, "continuation": continuation,
                    "context_tokens": ctx_ids, "continuation_tokens": cont_ids,
                    "truncated": len(ctx_ids) + len(cont_ids) > MAX_LENGTH + 1,
                    "loglikelihood": float(resp[0]), "is_greedy": bool(resp[1]),
                })
            docs.append({"doc_id": s["doc_id"], "target": s["target"], "requests": requests,
                         "acc": s.get("acc"), "acc_norm": s.get("acc_norm")})
        metrics = {}
        for key, value in out["results"][local].items():
            if key.startswith("acc") and "," in key:
                metrics[key] = value if isinstance(value, (int, float)) else None
        tasks[task] = {"harness_task": local, "docs": docs, "metrics": metrics}
    return tasks


def cross_entropy(model, hf_tok, rows):
    records = rows[:CE_RECORDS]
    text = "\n\n".join(records)
    ids = hf_tok(text, add_special_tokens=False)["input_ids"]
    n = len(ids) // CE_WINDOW
    windows = []
    with torch.no_grad():
        for w in range(n):
            x = torch.tensor([ids[w * CE_WINDOW:(w + 1) * CE_WINDOW]])
            logits = model(input_ids=x).logits.float()
            nll = torch.nn.functional.cross_entropy(logits[0, :-1], x[0, 1:], reduction="none")
            loss = model(input_ids=x, labels=x).loss.item()
            windows.append({"tokens": x[0].tolist(), "token_nlls": nll.tolist(), "loss": loss})
    mean_nll = sum(w["loss"] for w in windows) / n
    return {"records": records, "separator": "\n\n", "window_length": CE_WINDOW, "corpus_tokens": len(ids),
            "windows": windows, "mean_nll": mean_nll, "perplexity": math.exp(mean_nll)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--wikitext", type=Path, default=ROOT.parent / "shared/data/wikitext-2-raw/wiki.test.raw")
    args = ap.parse_args()
    torch.set_num_threads(2)
    rows = wikitext_rows(args.wikitext)
    train_rows = [r for r in rows[:1200] if r]

    if MODEL_DIR.exists():
        shutil.rmtree(MODEL_DIR)
    MODEL_DIR.mkdir(parents=True)
    tok = train_tokenizer(train_rows)
    fast = transformers.PreTrainedTokenizerFast(tokenizer_object=tok, eos_token=EOT, pad_token=EOT,
                                                unk_token=None, bos_token=None, model_max_length=MAX_LENGTH)
    fast.save_pretrained(str(MODEL_DIR))
    model, hf_tok = build_model(MODEL_DIR, "".join(train_rows))

    write_task_files()
    tasks = run_harness()
    import lm_eval
    meta = {"lm_eval": lm_eval.__version__ if hasattr(lm_eval, "__version__") else "0.4.13",
            "transformers": transformers.__version__, "torch": torch.__version__, "max_length": MAX_LENGTH,
            "eot_token_id": hf_tok.eos_token_id, "model_dir": "tiny-qwen2", "task_dir": "tasks"}
    with open(OUT / "lmeval_results.json", "w", encoding="utf-8") as f:
        json.dump({"meta": meta, "tasks": tasks}, f, ensure_ascii=False, indent=1)
    with open(OUT / "cross_entropy.json", "w", encoding="utf-8") as f:
        json.dump({"meta": meta, **cross_entropy(model, hf_tok, rows)}, f, ensure_ascii=False)
    for task, t in tasks.items():
        print(task, t["metrics"])


if __name__ == "__main__":
    main()
