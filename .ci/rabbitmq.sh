# Sourced by .ci/run: make sure a RabbitMQ broker answers on 127.0.0.1:5672 (guest/guest,
# which RabbitMQ allows from loopback). Start it if it is stopped; install it with apt if
# it is missing.

# Whether a broker speaks AMQP 0-9-1 on 127.0.0.1:$1 (5672 by default): it answers the
# protocol header with a Connection.Start frame, whose first byte is the frame type 1.
# An open port alone is not enough: a starting node may accept before it can serve.
rabbitmq_answers() {
  local port="${1:-5672}" first
  first=$(timeout 5 bash -c '
    exec 3<>"/dev/tcp/127.0.0.1/$0" || exit 1
    printf "AMQP\0\0\x09\x01" >&3
    head -c 1 <&3 | od -An -tu1' "$port" 2>/dev/null) || return 1
  [ "$(echo $first)" = "1" ]
}

start_rabbitmq() {
  if [ -x /etc/init.d/rabbitmq-server ]; then
    /etc/init.d/rabbitmq-server start >/dev/null
  else
    # No init script: start the node in the background as its own user.
    runuser -u rabbitmq -- rabbitmq-server -detached
  fi
}

ensure_rabbitmq() {
  if rabbitmq_answers; then
    return 0
  fi
  if ! command -v rabbitmq-server >/dev/null 2>&1; then
    echo "installing RabbitMQ with apt"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq rabbitmq-server >/dev/null || return 1
  fi
  # A node named after this machine's host name fails to start where that name does not
  # resolve (containers): name it after localhost, and listen on loopback only.
  if [ ! -s /etc/rabbitmq/rabbitmq-env.conf ] || ! grep -q '^NODENAME=' /etc/rabbitmq/rabbitmq-env.conf; then
    echo "NODENAME=rabbit@localhost # crm_returns ci" >>/etc/rabbitmq/rabbitmq-env.conf
  fi
  if ! grep -q '^listeners\.tcp' /etc/rabbitmq/rabbitmq.conf 2>/dev/null; then
    echo "listeners.tcp.local = 127.0.0.1:5672" >>/etc/rabbitmq/rabbitmq.conf
  fi
  start_rabbitmq || return 1
  # A node takes some seconds to boot (longer on a busy machine).
  for _ in $(seq 1 90); do
    rabbitmq_answers && return 0
    sleep 1
  done
  return 1
}
