#!/usr/bin/env bash
# Installs the Debian packages the test suite needs, once. Idempotent: does nothing when all are present.
#   chromium            browser for the panel and real-VS-Code tests (driven by playwright-core)
#   libkrb5-dev ripgrep VS Code server's native modules and search (see the real-VS-Code testing notes)
#   autoconf automake libtool cmake make g++   build of aws-lambda-ric's native client (conformance test)
#   python3-debugpy     Python breakpoints;  curl  the shell-script custom runtime test
#   python3-six         a real Python package the layers test puts into a layer
#   python3-boto3       the Python handler that calls the local AWS endpoint with boto3
#   ruby                the ruby3.x runtime tests;  golang-go  Go functions built for provided.al2023
#   openjdk-17-jdk-headless  the java11/17/21 runtime tests (java and javac)
set -euo pipefail
packages=(chromium libkrb5-dev ripgrep autoconf automake libtool cmake make g++ curl python3 python3-debugpy python3-six python3-boto3 ruby golang-go openjdk-17-jdk-headless)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "setup-system: missing Debian packages: ${missing[*]} (run as root: apt-get install ${missing[*]})" >&2
  exit 1
fi
echo "setup-system: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
