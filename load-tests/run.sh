#!/usr/bin/env bash
# ghz load test of Inference/Generate on the base model (claws-tiny) and a variant (claws-tiny-mlp50:
# RandomPruneNet at r = 0.5, half of every layer's FFN neurons removed at random), at equal load: same prompt, 32 new tokens, concurrency 16.
#
#   load-tests/run.sh           800 requests per variant (about 2 to 3 minutes on 2 cores)
#   load-tests/run.sh --short   96 requests per variant (CI; under a minute once built)
#
# Installs ghz (a Go module) when it is missing, starts the packaged server on loopback ports with a throw-away data
# directory, registers the variant, runs the ghz configurations in this directory (server reflection: no .proto
# files), prints a table per variant (requests/s, p50/p95/p99 latency, errors, speedup over the base) and stops the
# server. Exits non-zero when any request failed. Builds target/quarkus-app when it is missing. CLAWS_JAVA_OPTS is
# passed to the server JVM, e.g. CLAWS_JAVA_OPTS="-Dclaws.serve.max-batch-size=1" to compare without batching.
set -euo pipefail
cd "$(dirname "$0")/.."

GHZ_VERSION="v0.120.0"
CONCURRENCY=16
TOTAL=800
WARMUP=48
if [ "${1:-}" = "--short" ]; then
  TOTAL=96
  WARMUP=16
elif [ -n "${1:-}" ]; then
  echo "usage: $0 [--short]" >&2
  exit 2
fi
BASE="claws-tiny"
VARIANT="claws-tiny-mlp50"

# ---- ghz ---------------------------------------------------------------------------------------------------------
export PATH="$PATH:/usr/local/go/bin:$HOME/go/bin"
if ! command -v ghz >/dev/null 2>&1; then
  if ! command -v go >/dev/null 2>&1; then
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then SUDO="sudo -n"; fi
    $SUDO apt-get update -q
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends golang-go ca-certificates
  fi
  echo "installing ghz ${GHZ_VERSION}"
  go install "github.com/bojand/ghz/cmd/ghz@${GHZ_VERSION}"
  export PATH="$PATH:$(go env GOPATH)/bin"
fi

# ---- the application and the variant's checkpoint -----------------------------------------------------------------
if [ ! -f target/quarkus-app/quarkus-run.jar ]; then
  ./mvnw -B -q package -DskipTests
fi
if [ ! -f target/test-classes/dev/claws/compress/tools/Compress.class ]; then
  ./mvnw -B -q test-compile
fi
WORK="$(mktemp -d -t claws-load-XXXXXX)"
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID"
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

# The variant: RandomPruneNet at r = 0.5 (the compression layer's own command-line tool).
CLASSPATH_RUN="target/classes:target/test-classes:target/quarkus-app/lib/main/*"
if ! java --add-modules jdk.incubator.vector -Dai.djl.offline=true -cp "$CLASSPATH_RUN" dev.claws.compress.tools.Compress \
    --base "models/${BASE}" --out "$WORK/${VARIANT}" --method random_prune --ratio 0.5 --seed 11 \
    >"$WORK/fixture.log" 2>&1; then
  cat "$WORK/fixture.log" >&2
  exit 1
fi

# ---- the server on free loopback ports ----------------------------------------------------------------------------
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_port() {
  local p="$1"
  while port_in_use "$p"; do p=$((p + 1)); done
  echo "$p"
}
GRPC_PORT="$(free_port 19000)"
HTTP_PORT="$(free_port $((GRPC_PORT + 1)))"
ADDRESS="127.0.0.1:${GRPC_PORT}"
env -u CLAWS_ADMIN_TOKEN java -Xmx1g --add-modules jdk.incubator.vector ${CLAWS_JAVA_OPTS:-} \
  -Dquarkus.grpc.server.host=127.0.0.1 -Dquarkus.grpc.server.port="$GRPC_PORT" \
  -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port="$HTTP_PORT" \
  -Dclaws.data-dir="$WORK/data" -Dclaws.model.default="models/${BASE}" \
  -jar target/quarkus-app/quarkus-run.jar >"$WORK/server.log" 2>&1 &
SERVER_PID=$!

# one call; succeeds when it answered OK
call_ok() {
  timeout 60 ghz --insecure --call "$1" -n 1 -c 1 -d "$2" -O json "$ADDRESS" 2>/dev/null \
    | grep -q '"statusCodeDistribution":{"OK":1}'
}
for _ in $(seq 1 240); do
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    echo "the server exited:" >&2
    cat "$WORK/server.log" >&2
    exit 1
  fi
  if call_ok claws.v1.Variants/GetVariant "{\"name\": \"${BASE}\"}"; then break; fi
  sleep 0.5
done
if ! call_ok claws.v1.Variants/LoadVariant "{\"name\": \"${VARIANT}\", \"path\": \"$WORK/${VARIANT}\"}"; then
  echo "could not load ${VARIANT}; server log:" >&2
  cat "$WORK/server.log" >&2
  exit 1
fi
echo "server on ${ADDRESS} with ${BASE} and ${VARIANT} loaded; ${TOTAL} requests per variant at concurrency ${CONCURRENCY}"

# ---- runs ---------------------------------------------------------------------------------------------------------
# every variant is warmed up before any measured run, so neither profits from the other's JIT warm-up
for name in "$BASE" "$VARIANT"; do
  timeout 300 ghz --config "load-tests/generate-${name}.json" -n "$WARMUP" -c "$CONCURRENCY" -O json \
    -o "$WORK/warmup-${name}.json" "$ADDRESS"
done
REPORTS=()
for name in "$BASE" "$VARIANT"; do
  timeout 900 ghz --config "load-tests/generate-${name}.json" -n "$TOTAL" -c "$CONCURRENCY" -O json \
    -o "$WORK/${name}.json" "$ADDRESS"
  REPORTS+=("$WORK/${name}.json")
done

echo
java -cp "target/quarkus-app/lib/main/*" load-tests/GhzTable.java "${REPORTS[@]}"
