"""Stopgap until claws imports GGUF itself: writes a Hugging Face-layout float32 copy of a GGUF model with transformers
(dequantised weights, config.json, tokenizer.json) so the Java server can load it as a checkpoint directory.

    /work/venv/bin/python src/test/python/gguf_to_hf.py ../shared/models SmolLM2-135M-Instruct.Q4_1.gguf /tmp/smollm2-hf

Used by the soak benchmark and the memory measurements of real-model serving (README, "Benchmarks").
"""
import sys

import torch

from transformers import AutoModelForCausalLM, AutoTokenizer


def main():
    if len(sys.argv) != 4:
        sys.exit("usage: gguf_to_hf.py MODEL_DIR GGUF_FILE OUT_DIR")
    directory, gguf, out = sys.argv[1:]
    loaded = AutoModelForCausalLM.from_pretrained(directory, gguf_file=gguf, dtype="float32")
    tokenizer = AutoTokenizer.from_pretrained(directory, gguf_file=gguf)
    # transformers refuses to save a model loaded from GGUF: copy the dequantised weights into a plain model
    config = loaded.config
    if hasattr(config, "quantization_config"):
        del config.quantization_config
    model = AutoModelForCausalLM.from_config(config, dtype=torch.float32)
    model.load_state_dict(loaded.state_dict())
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)


if __name__ == "__main__":
    main()
