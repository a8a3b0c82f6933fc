# Sourced by .ci/run: make sure a PostgreSQL server answers on 127.0.0.1:5432.
# Start it if it is stopped; install it with apt if it is missing.

ensure_postgres() {
  if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
    return 0
  fi
  if ! command -v pg_ctlcluster >/dev/null 2>&1; then
    echo "installing PostgreSQL with apt"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null || return 1
  fi
  version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)
  [ -n "$version" ] || return 1
  conf="/etc/postgresql/$version/main"
  # Local, passwordless access for the throwaway database, as on the project's machines.
  if ! grep -q "crm_returns ci" "$conf/pg_hba.conf" 2>/dev/null; then
    sed -i '1i host all all 127.0.0.1/32 trust # crm_returns ci' "$conf/pg_hba.conf" 2>/dev/null || true
    sed -i '1i local all all trust # crm_returns ci' "$conf/pg_hba.conf" 2>/dev/null || true
  fi
  pg_ctlcluster --skip-systemctl-redirect "$version" main start || return 1
  for _ in $(seq 1 30); do
    pg_isready -q -h 127.0.0.1 -p 5432 && return 0
    sleep 1
  done
  return 1
}
