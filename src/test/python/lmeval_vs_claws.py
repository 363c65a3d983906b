"""lm-evaluation-harness's local-completions model against claws's OpenAI-compatible API, next to claws's own
evaluation job on the same documents: the accuracies must be equal.

    python src/test/python/lmeval_vs_claws.py --http http://localhost:8080 --grpc localhost:9000 \
        --model <variant> --tokenizer <HF checkpoint dir of that variant> --task arc_easy --limit 100

The harness reads ../shared/data/tasks/<task>.jsonl (ARC as AI2 released it, rewritten into the Hugging Face ai2_arc
layout its yaml expects) through its own task config (prompts, choices, acc/acc_norm) and
sends each context+continuation to /v1/completions as token ids (echo, logprobs 1, max_tokens 1); claws's job scores
the first --limit documents of the same file (EvaluationLimits.max_samples_per_task). Offline; needs lm-eval, grpcio
and grpcio-tools (requirements.txt).
"""
import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

ROOT = Path(__file__).resolve().parents[3]
DATA = ROOT.parent / "shared" / "data" / "tasks"
HARNESS_TASK = {  # claws task -> (harness yaml under lm_eval/tasks, split it evaluates)
    "arc_easy": ("arc/arc_easy.yaml", "test"),
    "arc_challenge": ("arc/arc_challenge.yaml", "test"),
}


def hf_layout(source: Path, target: Path, limit: int):
    """The first documents of an AI2 ARC release file in the Hugging Face ai2_arc layout the harness's yaml reads."""
    with open(source, encoding="utf-8") as f, open(target, "w", encoding="utf-8") as out:
        for line, _ in zip(f, range(limit)):
            doc = json.loads(line)
            q = doc["question"]
            out.write(json.dumps({"id": doc["id"], "question": q["stem"],
                                  "choices": {"text": [c["text"] for c in q["choices"]],
                                              "label": [c["label"] for c in q["choices"]]},
                                  "answerKey": doc["answerKey"]}, ensure_ascii=False) + "\n")


def harness(args):
    import lm_eval
    from lm_eval.tasks import TaskManager

    rel, split = HARNESS_TASK[args.task]
    local = f"claws_http_{args.task}"
    with tempfile.TemporaryDirectory() as tmp:
        docs = Path(tmp) / f"{args.task}.jsonl"
        hf_layout(DATA / f"{args.task}.jsonl", docs, args.limit)
        cfg = {"include": str(Path(lm_eval.__file__).parent / "tasks" / rel), "task": local, "tag": [],
               "dataset_path": "json", "dataset_name": None,
               "dataset_kwargs": {"data_files": {split: str(docs)}},
               "training_split": None, "validation_split": split if split == "validation" else None,
               "test_split": split if split == "test" else None}
        (Path(tmp) / f"{local}.yaml").write_text(json.dumps(cfg), encoding="utf-8")
        out = lm_eval.simple_evaluate(
            model="local-completions",
            model_args={"base_url": f"{args.http}/v1/completions", "model": args.model, "tokenizer": args.tokenizer,
                        "tokenizer_backend": "huggingface", "tokenized_requests": True, "num_concurrent": 1,
                        "max_retries": 1, "max_length": 2048},
            tasks=[local], num_fewshot=0, limit=args.limit, task_manager=TaskManager(include_path=tmp),
            random_seed=0, numpy_random_seed=0, torch_random_seed=0, fewshot_random_seed=0)
    r = out["results"][local]
    return {"acc": r["acc,none"], "acc_norm": r.get("acc_norm,none")}


def claws_job(args):
    import grpc
    from grpc_tools import protoc

    gen = tempfile.mkdtemp()
    proto_dir = ROOT / "proto"
    files = [str(p.relative_to(proto_dir)) for p in (proto_dir / "claws" / "v1").glob("*.proto")]
    include = Path(protoc.__file__).parent / "_proto"
    if protoc.main(["protoc", f"-I{proto_dir}", f"-I{include}", f"--python_out={gen}", f"--grpc_python_out={gen}",
                    *files]) != 0:
        raise SystemExit("protoc failed")
    sys.path.insert(0, gen)
    from claws.v1 import jobs_pb2, jobs_pb2_grpc

    stub = jobs_pb2_grpc.JobsStub(grpc.insecure_channel(args.grpc))
    job = stub.SubmitEvaluation(jobs_pb2.SubmitEvaluationRequest(
        variant=args.model, tasks=[args.task],
        limits=jobs_pb2.EvaluationLimits(max_samples_per_task=args.limit)))
    while job.state in (jobs_pb2.JOB_STATE_QUEUED, jobs_pb2.JOB_STATE_RUNNING):
        time.sleep(2)
        job = stub.GetJob(jobs_pb2.GetJobRequest(id=job.id))
    if job.state != jobs_pb2.JOB_STATE_SUCCEEDED:
        raise SystemExit(f"evaluation job {job.id} ended {jobs_pb2.JobState.Name(job.state)}: {job.error}")
    metrics = {e.metric: (e.value, e.samples) for e in job.result.evaluations if e.task == args.task}
    return job.id, metrics


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--http", required=True, help="claws HTTP base, e.g. http://localhost:8080")
    parser.add_argument("--grpc", required=True, help="claws gRPC address, e.g. localhost:9000")
    parser.add_argument("--model", required=True)
    parser.add_argument("--tokenizer", required=True)
    parser.add_argument("--task", default="arc_easy", choices=sorted(HARNESS_TASK))
    parser.add_argument("--limit", type=int, default=100)
    args = parser.parse_args()

    started = time.time()
    lm = harness(args)
    print(f"lm-eval local-completions on {args.task}, first {args.limit} docs: acc={lm['acc']:.6f} "
          f"acc_norm={lm['acc_norm']:.6f} ({time.time() - started:.0f} s)")
    started = time.time()
    job_id, claws = claws_job(args)
    print(f"claws evaluation job {job_id} on {args.task}: acc={claws['acc'][0]:.6f} acc_norm={claws['acc_norm'][0]:.6f} "
          f"over {claws['acc'][1]} docs ({time.time() - started:.0f} s)")
    equal = abs(lm["acc"] - claws["acc"][0]) < 1e-12 and abs(lm["acc_norm"] - claws["acc_norm"][0]) < 1e-12
    print("equal" if equal else "DIFFERENT")
    sys.exit(0 if equal else 1)


if __name__ == "__main__":
    main()
