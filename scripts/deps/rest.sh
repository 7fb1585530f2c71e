#!/usr/bin/env bash
# Installs what the gateway's REST API tests need beyond cargo
# (compat-tests/tests/gateway_rest.rs):
#   - Debian's `chromium` (headless: opens Swagger UI at /docs, screenshot);
#   - npm's `playwright-core` (drives that Chromium through "Try it out"),
#     into <repo>/.venv-test/js;
#   - PyPI's `openapi-spec-validator` (checks /openapi.json, OpenAPI 3.1);
#   - PyPI's `schemathesis` (generated requests against /openapi.json);
# both Python tools into <repo>/.venv-test, the test venv.
# Idempotent: installs only what is missing. Run as root on Debian (CI and the
# dev machines are). The tests skip a missing tool with a note, except under
# CI=true, where a missing tool fails them.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
venv="$root/.venv-test"

need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
# A font, so that the screenshot shows text.
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need_apt+=(fonts-dejavu-core)
command -v npm >/dev/null 2>&1 || need_apt+=(nodejs npm)
command -v python3 >/dev/null 2>&1 || need_apt+=(python3)
python3 -c 'import ensurepip, venv' >/dev/null 2>&1 || need_apt+=(python3-venv)
if [ ${#need_apt[@]} -gt 0 ]; then
    echo "installing Debian packages: ${need_apt[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

# playwright-core only: it drives the system's Chromium and downloads no
# browser of its own.
js="$venv/js"
playwright=1.64.1
if [ ! -f "$js/node_modules/playwright-core/package.json" ] ||
    ! grep -q "\"version\": \"$playwright\"" "$js/node_modules/playwright-core/package.json"; then
    echo "installing playwright-core $playwright into $js"
    mkdir -p "$js"
    npm install --prefix "$js" --no-audit --no-fund --silent "playwright-core@$playwright"
fi

[ -x "$venv/bin/python" ] || python3 -m venv "$venv"

# Pinned: the tests read schemathesis's summary lines.
have_py() {
    "$venv/bin/python" -c "import importlib.metadata as m, sys; sys.exit(m.version('$1') != '$2')" >/dev/null 2>&1
}
want=()
have_py openapi-spec-validator 0.8.5 || want+=('openapi-spec-validator==0.8.5')
have_py schemathesis 4.32.5 || want+=('schemathesis==4.32.5')
if [ ${#want[@]} -gt 0 ]; then
    echo "installing into $venv: ${want[*]}"
    "$venv/bin/pip" install -q "${want[@]}"
fi

chromium --version 2>/dev/null
echo "playwright-core $(node -p "require('$js/node_modules/playwright-core/package.json').version")"
"$venv/bin/python" -c 'import importlib.metadata as m; print("openapi-spec-validator", m.version("openapi-spec-validator"))'
"$venv/bin/schemathesis" --version
