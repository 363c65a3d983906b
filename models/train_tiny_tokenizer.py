#!/usr/bin/env python3
"""Trains the small byte-level BPE tokenizer of the bundled model models/claws-tiny.

Usage: python models/train_tiny_tokenizer.py CORPUS OUT_DIR [VOCAB_SIZE]
  CORPUS     raw text, e.g. ../shared/data/wikitext-2-raw/wiki.test.raw (read only, never copied here)
  OUT_DIR    receives tokenizer.json (and tokenizer_config.json)
Token 0 is <|endoftext|> (bos = eos = pad = 0 in the model's config.json).
"""
import json
import pathlib
import sys

from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers


def main():
    corpus = pathlib.Path(sys.argv[1])
    out = pathlib.Path(sys.argv[2])
    vocab = int(sys.argv[3]) if len(sys.argv) > 3 else 2048
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    tok.post_processor = processors.ByteLevel(trim_offsets=False)
    trainer = trainers.BpeTrainer(vocab_size=vocab, min_frequency=2, special_tokens=["<|endoftext|>"],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    tok.train([str(corpus)], trainer)
    out.mkdir(parents=True, exist_ok=True)
    tok.save(str(out / "tokenizer.json"))
    (out / "tokenizer_config.json").write_text(json.dumps({
        "tokenizer_class": "PreTrainedTokenizerFast", "bos_token": "<|endoftext|>", "eos_token": "<|endoftext|>",
        "pad_token": "<|endoftext|>", "model_max_length": 2048}, indent=2) + "\n")
    sample = "The tower is 324 metres tall."
    print(f"vocab {tok.get_vocab_size()}; '{sample}' -> {tok.encode(sample).ids}")


if __name__ == "__main__":
    main()
