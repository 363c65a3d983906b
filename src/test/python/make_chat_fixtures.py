"""Regenerates src/test/resources/fixtures/chat/chat_templates.json: what Hugging Face transformers'
apply_chat_template renders (text and token ids) for several conversations, with SmolLM2-135M-Instruct's own chat
template and with a second template that uses bos_token, eos_token, raise_exception and whitespace control.

Run from the repository root:
    /work/venv/bin/python src/test/python/make_chat_fixtures.py   (or .venv/bin/python after the README set-up)
Reads ../shared/models/smollm2-135m-instruct-hf-reference (tokenizer and template only, no weights).
"""
import json
import pathlib

import transformers
from transformers import AutoTokenizer

ROOT = pathlib.Path(__file__).resolve().parents[3]
CHECKPOINT = ROOT.parent / "shared" / "models" / "smollm2-135m-instruct-hf-reference"
OUT = ROOT / "src" / "test" / "resources" / "fixtures" / "chat" / "chat_templates.json"

# A Llama-2-style template: BOS/EOS around each exchange, a system prompt folded into the first user turn, strict role
# alternation enforced with raise_exception, whitespace control on every tag.
ALTERNATING = (
    "{%- if messages[0]['role'] == 'system' %}{%- set system = messages[0]['content'] %}"
    "{%- set loop_messages = messages[1:] %}{%- else %}{%- set system = '' %}{%- set loop_messages = messages %}"
    "{%- endif %}\n"
    "{%- for message in loop_messages %}\n"
    "    {%- if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}\n"
    "        {{- raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}\n"
    "    {%- endif %}\n"
    "    {%- if message['role'] == 'user' %}\n"
    "        {%- if loop.first and system %}{%- set content = '<<SYS>>\\n' + system + '\\n<</SYS>>\\n\\n' + message['content'] %}"
    "{%- else %}{%- set content = message['content'] %}{%- endif %}\n"
    "        {{- bos_token + '[INST] ' + content | trim + ' [/INST]' }}\n"
    "    {%- elif message['role'] == 'assistant' %}\n"
    "        {{- ' ' + message['content'] | trim + ' ' + eos_token }}\n"
    "    {%- endif %}\n"
    "{%- endfor %}\n"
)

CONVERSATIONS = [
    [{"role": "user", "content": "What is the capital of France?"}],
    [{"role": "system", "content": "You are a terse assistant."},
     {"role": "user", "content": "Name three primes."}],
    [{"role": "system", "content": "You answer in French."},
     {"role": "user", "content": "Hello!"},
     {"role": "assistant", "content": "Bonjour ! Comment puis-je vous aider ?"},
     {"role": "user", "content": "Quelle heure est-il ?\nRéponds brièvement. 🦜"}],
    [{"role": "user", "content": "  spaces around  "},
     {"role": "assistant", "content": "Noted."},
     {"role": "user", "content": "Line one\n\nLine three\twith a tab"}],
]


def main():
    tokenizer = AutoTokenizer.from_pretrained(str(CHECKPOINT))
    cases = []
    for name, template in (("smollm2", None), ("alternating", ALTERNATING)):
        for messages in CONVERSATIONS:
            for add_generation_prompt in (True, False):
                if name == "alternating" and add_generation_prompt:
                    continue  # this template has no generation prompt
                kwargs = {"chat_template": template} if template else {}
                text = tokenizer.apply_chat_template(messages, tokenize=False,
                                                     add_generation_prompt=add_generation_prompt, **kwargs)
                ids = tokenizer.apply_chat_template(messages, tokenize=True, return_dict=True,
                                                    add_generation_prompt=add_generation_prompt, **kwargs)["input_ids"]
                cases.append({"template": name, "messages": messages, "add_generation_prompt": add_generation_prompt,
                              "text": text, "ids": list(ids)})
    refused = [{"role": "user", "content": "a"}, {"role": "user", "content": "b"}]
    try:
        tokenizer.apply_chat_template(refused, tokenize=False, chat_template=ALTERNATING)
        raise SystemExit("expected the alternating template to refuse two user turns in a row")
    except Exception as e:  # transformers raises TemplateError from raise_exception
        refusal = str(e)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({
        "transformers_version": transformers.__version__,
        "checkpoint": "../shared/models/smollm2-135m-instruct-hf-reference",
        "templates": {"alternating": ALTERNATING},
        "special_tokens": {"bos_token": tokenizer.bos_token, "eos_token": tokenizer.eos_token},
        "refused": {"template": "alternating", "messages": refused, "message": refusal},
        "cases": cases,
    }, ensure_ascii=False, indent=1) + "\n")
    print(f"wrote {len(cases)} cases to {OUT}")


if __name__ == "__main__":
    main()
