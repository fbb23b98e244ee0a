#!/usr/bin/env bash
# Installs the Claude Code release ccl is tested with into a cache folder that `npm ci` never wipes, once, and
# prints the path of its binary. The real-binary suite (test/realclaude) runs it; CI runs it before the tests.
#   scripts/install-claude-code.sh            -> $HOME/.cache/ccl/claude-code/<version>/.../claude.exe
#   CCL_CLAUDE_CODE_VERSION=2.1.332 CCL_CLAUDE_CODE_CACHE=/some/dir scripts/install-claude-code.sh
set -euo pipefail
version="${CCL_CLAUDE_CODE_VERSION:-2.1.332}"
root="${CCL_CLAUDE_CODE_CACHE:-$HOME/.cache/ccl/claude-code}/$version"
bin="$root/node_modules/@anthropic-ai/claude-code/bin/claude.exe"
native="$root/node_modules/@anthropic-ai/claude-code-linux-x64/claude"

works() { [ -x "$bin" ] && "$bin" --version 2>/dev/null | grep -q "^$version "; }

if ! works; then
  echo "install-claude-code: installing @anthropic-ai/claude-code@$version into $root" >&2
  mkdir -p "$root"
  # Its own package.json, so the project's lock and node_modules are never touched.
  [ -f "$root/package.json" ] || echo '{"name":"ccl-claude-code-cache","private":true}' > "$root/package.json"
  (cd "$root" && npm install --no-audit --no-fund --no-save --loglevel=error "@anthropic-ai/claude-code@$version" >&2)
  # npm 11 may refuse the package's postinstall, which puts the native binary in place of the stub.
  if ! works && [ -x "$native" ]; then cp "$native" "$bin"; fi
fi
if ! works; then
  echo "install-claude-code: $bin does not run as Claude Code $version (see the npm output above)" >&2
  exit 1
fi
echo "$bin"
