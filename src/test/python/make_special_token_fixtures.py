"""Prints the token ids that TextTokenizerSpecialTokensTest and StopSequenceStreamTest expect from the SmolLM2 reference
tokenizer (../shared/models/smollm2-135m-instruct-hf-reference/tokenizer.json), computed by Hugging Face tokenizers:
the default call (special-token text parsed) and encode_special_tokens=True (special-token text read as plain text,
what transformers' split_special_tokens=True does).

    .venv/bin/python src/test/python/make_special_token_fixtures.py
"""
import json
import sys

from tokenizers import Tokenizer

TOKENIZER = sys.argv[1] if len(sys.argv) > 1 else "../shared/models/smollm2-135m-instruct-hf-reference/tokenizer.json"
TEXTS = ["Say the word <|endoftext|> twice", "<|im_start|>user\nhi<|im_end|>", " 🦜𠮷ùé 我很好"]

tokenizer = Tokenizer.from_file(TOKENIZER)
out = {}
for text in TEXTS:
    tokenizer.encode_special_tokens = False
    parsed = tokenizer.encode(text, add_special_tokens=False).ids
    tokenizer.encode_special_tokens = True
    plain = tokenizer.encode(text, add_special_tokens=False).ids
    out[text] = {"parsed": parsed, "plain_text": plain}
print(json.dumps(out, ensure_ascii=False, indent=1))
