"""Runs the official openai Python client against a running claws server, changing nothing but base_url:
completions, chat completions and both streamed, greedy so the streamed text must equal the unary text.

    python src/test/python/openai_client_check.py --base-url http://localhost:8080/v1 --model <variant>

The variant needs a chat template for the chat calls (e.g. a Hugging Face copy of SmolLM2-135M-Instruct).
Exits non-zero when an answer is not what the API promises.
"""
import argparse
import json

import openai


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--model", required=True)
    args = parser.parse_args()
    client = openai.OpenAI(base_url=args.base_url, api_key="unused")
    print(f"openai {openai.__version__} -> {args.base_url}")

    models = client.models.list()
    ids = [m.id for m in models.data]
    print("models:", ids)
    assert args.model in ids, ids

    prompt = "The capital of France is"
    completion = client.completions.create(model=args.model, prompt=prompt, max_tokens=12, temperature=0, seed=1)
    text = completion.choices[0].text
    print("completion:", json.dumps(text), "| finish_reason:", completion.choices[0].finish_reason,
          "| usage:", completion.usage.model_dump())
    print("claws timing:", completion.model_extra["claws"]["timing"])
    assert completion.usage.completion_tokens >= 1

    streamed = "".join(chunk.choices[0].text for chunk in client.completions.create(
        model=args.model, prompt=prompt, max_tokens=12, temperature=0, stream=True))
    print("streamed completion:", json.dumps(streamed))
    assert streamed == text, (streamed, text)

    messages = [{"role": "system", "content": "You are a concise assistant."},
                {"role": "user", "content": "What is the capital of France?"}]
    chat = client.chat.completions.create(model=args.model, messages=messages, max_tokens=40, temperature=0)
    reply = chat.choices[0].message.content
    print("chat:", json.dumps(reply), "| finish_reason:", chat.choices[0].finish_reason,
          "| usage:", chat.usage.model_dump())
    assert chat.choices[0].message.role == "assistant"
    assert "<|im_end|>" not in reply

    pieces = []
    for chunk in client.chat.completions.create(model=args.model, messages=messages, max_tokens=40, temperature=0,
                                                stream=True):
        delta = chunk.choices[0].delta
        if delta.content:
            pieces.append(delta.content)
    print(f"streamed chat ({len(pieces)} pieces):", json.dumps("".join(pieces)))
    assert "".join(pieces) == reply

    sampled = client.chat.completions.create(model=args.model, messages=messages, max_tokens=20, temperature=0.7,
                                             top_p=0.9, seed=42)
    again = client.chat.completions.create(model=args.model, messages=messages, max_tokens=20, temperature=0.7,
                                           top_p=0.9, seed=42)
    print("seeded sample:", json.dumps(sampled.choices[0].message.content))
    assert sampled.choices[0].message.content == again.choices[0].message.content

    try:
        client.completions.create(model=args.model, prompt=prompt, max_tokens=4, n=2)
        raise SystemExit("n=2 was accepted")
    except openai.BadRequestError as e:
        print("n=2 ->", e.status_code, e.body)
    try:
        client.completions.create(model="no-such-variant", prompt=prompt, max_tokens=4)
        raise SystemExit("an unknown model was accepted")
    except openai.NotFoundError as e:
        print("unknown model ->", e.status_code, e.body)
    print("all openai client checks passed")


if __name__ == "__main__":
    main()
