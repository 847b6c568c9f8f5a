# Shared by scripts/backup and scripts/restore.
LABEL=io.jupyterhub-stack.project

log() { printf '[%s] %s\n' "$(basename "$0")" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# The Compose project name, as docker compose would pick it.
project_name() {
  if [ -n "${COMPOSE_PROJECT_NAME:-}" ]; then echo "$COMPOSE_PROJECT_NAME"; return; fi
  if [ -f .env ] && grep -q '^COMPOSE_PROJECT_NAME=' .env; then
    sed -n 's/^COMPOSE_PROJECT_NAME=//p' .env | tail -1; return
  fi
  echo jupyterhub
}

# The stack's own volumes and its users' home volumes.
stack_volumes() {
  {
    docker volume ls -q --filter "label=com.docker.compose.project=$1"
    docker volume ls -q --filter "label=$LABEL=$1"
  } | sort -u
}
