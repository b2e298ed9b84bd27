#!/usr/bin/env bash
# Install codex-gateway as a systemd service.
#
#   sudo scripts/install.sh [BINARY]
#
# BINARY defaults to dist/codex-gateway-linux-<arch> (npm run build). Re-running it upgrades:
# the binary is swapped and the service restarted; an existing config is never overwritten.
#
#   /usr/local/bin/codex-gateway          the binary
#   /etc/codex-gateway/config.yaml        the config (hot-reloaded; `systemctl reload codex-gateway`)
#   /etc/codex-gateway/env                optional environment for ${VAR} references (mode 0600)
#   /var/lib/codex-gateway/               data: gateway.db, accounts/
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
arch="$(uname -m)"
case "$arch" in
  x86_64 | amd64) arch=x64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) echo "unsupported architecture: $arch" >&2; exit 1 ;;
esac
binary="${1:-$root/dist/codex-gateway-linux-$arch}"

USER_NAME=codex-gateway
BIN=/usr/local/bin/codex-gateway
CONF_DIR=/etc/codex-gateway
DATA_DIR=/var/lib/codex-gateway
UNIT=/etc/systemd/system/codex-gateway.service

if [[ "$(id -u)" -ne 0 ]]; then echo "run as root (sudo $0)" >&2; exit 1; fi
if [[ ! -x "$binary" ]]; then echo "no binary at $binary (run: npm run build -- --target linux-$arch)" >&2; exit 1; fi

# A dedicated system user with no shell and no login.
if ! id "$USER_NAME" >/dev/null 2>&1; then
  useradd --system --home-dir "$DATA_DIR" --no-create-home --shell /usr/sbin/nologin "$USER_NAME"
fi

install -d -m 0750 -o "$USER_NAME" -g "$USER_NAME" "$CONF_DIR"
install -d -m 0750 -o "$USER_NAME" -g "$USER_NAME" "$DATA_DIR" "$DATA_DIR/accounts"

# Swap the binary atomically (a running process keeps its old inode).
install -m 0755 "$binary" "$BIN.new"
mv -f "$BIN.new" "$BIN"
echo "installed $BIN ($("$BIN" version))"

if [[ ! -f "$CONF_DIR/config.yaml" ]]; then
  # First install: the built-in example with a fresh admin token and client key (printed once),
  # data under DATA_DIR. root's ~/.codex/auth.json is not imported: the service user cannot read
  # it, and sharing one refresh token between two clients breaks at its first rotation.
  tmp="$(mktemp -d)"
  "$BIN" init --no-import --config "$tmp/config.yaml"
  sed -e "s|^  sqlite: ./data/gateway.db|  sqlite: $DATA_DIR/gateway.db|" \
      -e "s|^accounts_dir: ./accounts|accounts_dir: $DATA_DIR/accounts|" \
      "$tmp/config.yaml" >"$CONF_DIR/config.yaml"
  rm -rf "$tmp"
  chown "$USER_NAME:$USER_NAME" "$CONF_DIR/config.yaml"
  chmod 0640 "$CONF_DIR/config.yaml"
  echo "wrote $CONF_DIR/config.yaml"
fi
# Validate before (re)starting; ${VAR}s come from the same env file the unit reads.
(
  set -a
  [[ -f "$CONF_DIR/env" ]] && . "$CONF_DIR/env"
  "$BIN" check --config "$CONF_DIR/config.yaml"
)

install -m 0644 "$here/codex-gateway.service" "$UNIT"
systemctl daemon-reload
systemctl enable codex-gateway >/dev/null
systemctl restart codex-gateway
systemctl --no-pager --lines=5 status codex-gateway || true
cat <<MSG

codex-gateway is running.
  config:   $CONF_DIR/config.yaml   (edit and save, or: systemctl reload codex-gateway)
  accounts: sudo -u $USER_NAME $BIN login --config $CONF_DIR/config.yaml
  logs:     journalctl -u codex-gateway -f
  upgrade:  sudo $0 NEW_BINARY      (swaps the binary, restarts)
MSG
