#!/bin/sh
# Prepare the proxy's secrets and certificate, then run configurable-http-proxy.
#   - API token: CONFIGPROXY_AUTH_TOKEN, else generated once into the secrets
#     volume, which the hub mounts read-only.
#   - Certificate: TLS_CERT_FILE + TLS_KEY_FILE (relative paths are inside
#     /etc/jupyterhub/tls, the TLS_DIR mount), else a self-signed one for
#     PUBLIC_HOSTNAME, made once and kept on the proxy volume.
set -eu

die() { echo "CONFIG ERROR: $*" >&2; exit 2; }

HTTPS_PORT=${HTTPS_PORT:-443}
PUBLIC_HOSTNAME=${PUBLIC_HOSTNAME:-localhost}
TLS_DIR_IN=/etc/jupyterhub/tls

case "$HTTPS_PORT" in
  ''|*[!0-9]*) die "HTTPS_PORT='$HTTPS_PORT' is not a port number; set HTTPS_PORT to 1-65535 in .env" ;;
esac
[ "$HTTPS_PORT" -ge 1 ] && [ "$HTTPS_PORT" -le 65535 ] \
  || die "HTTPS_PORT='$HTTPS_PORT' is out of range; set HTTPS_PORT to 1-65535 in .env"
# The name goes into the certificate; allow DNS names and IPv4 addresses only.
echo "$PUBLIC_HOSTNAME" | grep -Eq '^[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$' \
  || die "PUBLIC_HOSTNAME='$PUBLIC_HOSTNAME' is not a host name; set it to the DNS name users type, e.g. hub.example.org"

# The hub validates BASE_URL; here it only places the error pages.
base=${BASE_URL:-/}
case "$base" in /*) ;; *) base="/$base" ;; esac
case "$base" in */) ;; *) base="$base/" ;; esac

token_file=/srv/secrets/proxy-token
if [ -z "${CONFIGPROXY_AUTH_TOKEN:-}" ]; then
  if [ ! -s "$token_file" ]; then
    umask 077
    openssl rand -hex 32 > "$token_file.tmp" && mv "$token_file.tmp" "$token_file"
    echo "Generated the proxy API token in the secrets volume."
  fi
  # Readable by the hub's group (1990, jhsecrets), nobody else.
  chmod 0640 "$token_file"
  CONFIGPROXY_AUTH_TOKEN=$(cat "$token_file")
  export CONFIGPROXY_AUTH_TOKEN
fi

resolve() { case "$1" in /*) echo "$1" ;; *) echo "$TLS_DIR_IN/$1" ;; esac; }

if [ -n "${TLS_CERT_FILE:-}" ] || [ -n "${TLS_KEY_FILE:-}" ]; then
  [ -n "${TLS_CERT_FILE:-}" ] || die "TLS_KEY_FILE is set but TLS_CERT_FILE is not; set both, or neither for a self-signed certificate"
  [ -n "${TLS_KEY_FILE:-}" ] || die "TLS_CERT_FILE is set but TLS_KEY_FILE is not; set both, or neither for a self-signed certificate"
  cert=$(resolve "$TLS_CERT_FILE"); key=$(resolve "$TLS_KEY_FILE")
  [ -r "$cert" ] || die "TLS_CERT_FILE='$TLS_CERT_FILE' not found or unreadable at $cert; put the file in TLS_DIR (host directory mounted at $TLS_DIR_IN) or fix the path"
  [ -r "$key" ] || die "TLS_KEY_FILE='$TLS_KEY_FILE' not found or unreadable at $key; put the file in TLS_DIR (host directory mounted at $TLS_DIR_IN) and make it readable by uid $(id -u)"
  openssl x509 -in "$cert" -noout 2>/dev/null || die "TLS_CERT_FILE='$TLS_CERT_FILE' is not a PEM certificate"
  [ "$(openssl x509 -in "$cert" -noout -pubkey 2>/dev/null)" = "$(openssl pkey -in "$key" -pubout 2>/dev/null)" ] \
    || die "TLS_KEY_FILE='$TLS_KEY_FILE' does not match TLS_CERT_FILE='$TLS_CERT_FILE'; give the key the certificate was issued for"
else
  cert=/srv/proxy/certs/selfsigned-cert.pem; key=/srv/proxy/certs/selfsigned-key.pem
  stamp=/srv/proxy/certs/selfsigned-hostname
  if [ ! -s "$cert" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$PUBLIC_HOSTNAME" ]; then
    san="DNS:$PUBLIC_HOSTNAME,DNS:localhost,IP:127.0.0.1,IP:::1"
    echo "$PUBLIC_HOSTNAME" | grep -Eq '^[0-9.]+$' && san="IP:$PUBLIC_HOSTNAME,DNS:localhost,IP:127.0.0.1,IP:::1"
    umask 077
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 825 \
      -subj "/CN=$PUBLIC_HOSTNAME" -addext "subjectAltName=$san" \
      -keyout "$key" -out "$cert" 2>/dev/null
    echo "$PUBLIC_HOSTNAME" > "$stamp"
    echo "Generated a self-signed certificate for $PUBLIC_HOSTNAME ($san)."
  fi
fi

# The API listens only on the proxy-api network, which user containers are not on.
api_ip=$(getent hosts proxy-api | awk '{print $1; exit}')
[ -n "$api_ip" ] || die "cannot resolve proxy-api: the proxy must be on the proxy-api network (see docker-compose.yml)"

exec configurable-http-proxy \
  --ip 0.0.0.0 --port 8443 \
  --ssl-cert "$cert" --ssl-key "$key" \
  --redirect-port 8080 --redirect-to "$HTTPS_PORT" \
  --api-ip "$api_ip" --api-port 8001 \
  --default-target http://hub:8081 \
  --error-target "http://hub:8081${base}hub/error" \
  --log-level "${PROXY_LOG_LEVEL:-info}" \
  "$@"
