# Shared by tests/run and bench/run (sourced from the repository root): the
# browser they drive and the virtualenv of their Python tools.

# Debian's Chromium and its ChromeDriver, installed when missing and we are root.
ensure_chromium() {
  if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
    return
  fi
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "Installing Debian's chromium and chromium-driver for the browser..."
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium chromium-driver >/dev/null
  else
    echo "The browser steps need /usr/bin/chromium and /usr/bin/chromedriver:" >&2
    echo "  sudo apt-get install chromium chromium-driver" >&2
    exit 1
  fi
}

# .venv with tests/requirements.txt, rebuilt when that file changes.
ensure_venv() {
  venv=.venv
  if [ ! -x "$venv/bin/pytest" ] || ! cmp -s tests/requirements.txt "$venv/.requirements"; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --upgrade pip
    "$venv/bin/pip" install --quiet -r tests/requirements.txt
    cp tests/requirements.txt "$venv/.requirements"
  fi
}
