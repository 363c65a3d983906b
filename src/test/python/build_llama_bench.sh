#!/usr/bin/env bash
# Builds llama.cpp's llama-bench (CPU only) from the llama.cpp sources vendored in the llama-cpp-python sdist on PyPI,
# for the engine comparison in bench_compare.py. Nothing built here is committed.
#   src/test/python/build_llama_bench.sh [WORKDIR]      -> WORKDIR/llama.cpp/build/bin/llama-bench
# Needs cmake, a C++ compiler and Python 3 (apt-get install cmake build-essential python3-venv).
set -euo pipefail
work=${1:-/tmp/llama-bench-build}
version=${LLAMA_CPP_PYTHON_VERSION:-0.3.36}
mkdir -p "$work"
cd "$work"
if [ ! -f "llama_cpp_python-$version.tar.gz" ]; then
  # pip prepares the sdist's metadata with scikit-build-core; a private venv keeps that out of the caller's environment
  python3 -m venv venv
  venv/bin/pip install -q scikit-build-core
  venv/bin/pip download --no-binary :all: --no-deps --no-build-isolation "llama-cpp-python==$version" -d .
fi
rm -rf src llama.cpp
mkdir src
tar -xzf "llama_cpp_python-$version.tar.gz" -C src
mv "src/llama_cpp_python-$version/vendor/llama.cpp" llama.cpp
cmake -S llama.cpp -B llama.cpp/build -DCMAKE_BUILD_TYPE=Release -DGGML_NATIVE=ON -DLLAMA_CURL=OFF \
  -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_SERVER=OFF -DLLAMA_BUILD_TOOLS=ON
cmake --build llama.cpp/build --target llama-bench llama-quantize -j "${JOBS:-2}"
echo "$work/llama.cpp/build/bin/llama-bench"
