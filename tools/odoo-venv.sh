#!/usr/bin/env bash
# Prepares the Python environment that runs Odoo 19 for the addon tests:
#   tools/odoo-venv.sh [ODOO_HOME]     (default /opt/odoo19; venv: $ODOO_PYTHON's, else /opt/odoo19-venv)
# Creates the virtualenv from Odoo's requirements.txt when it is missing (on Python 3.11: cbor2 5.6.5,
# psycopg2-binary, no python-ldap), then adds websocket-client (browser tours), setuptools 80.9 (below) and
# the engine's own dependencies; the engine itself is found through PYTHONPATH by the test runner.
set -euo pipefail
ODOO_HOME=${1:-${ODOO_HOME:-/opt/odoo19}}
here=$(cd "$(dirname "$0")/.." && pwd)
if [[ -n "${ODOO_PYTHON:-}" ]]; then
    venv=$(dirname "$(dirname "$ODOO_PYTHON")")
elif [[ -x "$ODOO_HOME/.venv/bin/python" ]]; then
    venv="$ODOO_HOME/.venv"
else
    venv=/opt/odoo19-venv
fi
stamp="$venv/.channel-fulfilment-deps"
if [[ ! -x "$venv/bin/python" ]]; then
    python3 -m venv "$venv"
    sed -e 's/^cbor2==5\.4\.2.*/cbor2==5.6.5/' \
        -e "s/^psycopg2==2\.9\.5.*/psycopg2-binary==2.9.10/" \
        -e '/python-ldap/d' "$ODOO_HOME/requirements.txt" > "$venv/odoo-requirements.txt"
    "$venv/bin/pip" install --quiet -r "$venv/odoo-requirements.txt"
fi
deps=$(python3 - "$here/pyproject.toml" <<'PY'
import sys, tomllib
print("\n".join(tomllib.load(open(sys.argv[1], "rb"))["project"]["dependencies"]))
PY
)
# setuptools 80.9: gevent 22.10 (Odoo's pin on Python 3.11) loads its plugins through pkg_resources, whose
# copy in the venv's setuptools 65 cannot find zope.interface 8 (it names its metadata zope_interface), so
# Odoo's gevent process, which prefork mode (--workers) starts, died at start and was restarted in a loop.
wanted=$(printf '%s\nwebsocket-client\nsetuptools==80.9.0\n' "$deps" | sort)
if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$wanted" ]]; then
    # lxml stays at Odoo's pin: the engine works with it and Odoo is tested with it.
    printf '%s\n' "$wanted" | sed '/^lxml/d' | xargs "$venv/bin/pip" install --quiet
    printf '%s\n' "$wanted" > "$stamp"
fi
echo "Odoo environment ready: $venv/bin/python (ODOO_HOME=$ODOO_HOME)"
