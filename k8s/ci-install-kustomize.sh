#!/usr/bin/env bash
# Installs the kustomize binary (pinned) from the Go module proxy into $HOME/go/bin, so that the deployment test
# (dev.claws.deploy.KustomizeOverlaysTest) also compares its own rendering of k8s/ with the real kustomize.
# Source it from .ci/run so that PATH is extended in the calling shell:
#     . k8s/ci-install-kustomize.sh
# Without Go the test still renders and validates k8s/ on its own; this only adds the cross-check.
KUSTOMIZE_VERSION="${KUSTOMIZE_VERSION:-v5.7.1}"   # v5.8+ needs a newer Go toolchain than the machines have
export PATH="$HOME/go/bin:$PATH"
if command -v kustomize >/dev/null 2>&1 && kustomize version 2>/dev/null | grep -q "${KUSTOMIZE_VERSION}"; then
  echo "kustomize ${KUSTOMIZE_VERSION} already installed"
elif command -v go >/dev/null 2>&1; then
  GOTOOLCHAIN=local go install "sigs.k8s.io/kustomize/kustomize/v5@${KUSTOMIZE_VERSION}" \
    && echo "installed kustomize $(kustomize version)" \
    || echo "kustomize install failed: the deployment test will render k8s/ without it" >&2
else
  echo "go not found: the deployment test will render k8s/ without kustomize" >&2
fi
