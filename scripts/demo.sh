#!/usr/bin/env bash
# The embedded default, end to end: builds loong and the two mock platforms,
# starts mock Feishu/Lark and mock Ark on loopback, runs `loong gateway run`
# with two accounts (lark=work over the long connection, feishu=backup over
# signed + encrypted webhooks), pushes a short conversation into both rooms,
# prints the exchange, shows `loong gateway status`, and stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
build=${BUILD_DIR:-build}

bash scripts/install-deps.sh
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release > /dev/null
cmake --build "$build" -j2 --target loong mock_feishu mock_ark
loong="$root/$build/loong"

work=$(mktemp -d /tmp/loong-demo-XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# Starts a mock in the background of this shell, so cleanup can stop it.
start_mock() {
  local name=$1; shift
  "$root/$build/bench/$name" "$@" > "$work/$name.out" 2> "$work/$name.err" &
  pids+=($!)
}

# Prints a mock's URL from its first stdout line (bounded wait).
mock_url() {
  local name=$1
  for _ in $(seq 1 100); do
    if [ -s "$work/$name.out" ]; then
      sed -n 's/.* listening on //p' "$work/$name.out" | head -n1
      return
    fi
    sleep 0.1
  done
  echo "error: $name did not start" >&2
}

start_mock mock_feishu --app cli_work:secret_work \
  --app cli_backup:secret_backup:ek_backup_demo:vt_backup_demo \
  --ping-interval 5 --reconnect-interval 1 --reconnect-nonce 0
start_mock mock_ark --delay-ms 20
feishu=$(mock_url mock_feishu)
ark=$(mock_url mock_ark)
[ -n "$feishu" ] && [ -n "$ark" ] || exit 1
hook_port=$(( 20000 + RANDOM % 20000 ))

mkdir -p "$work/home"
cat > "$work/config.toml" <<TOML
active_provider = "volcengine"

[providers.volcengine]
kind = "volcengine"
api_key = "test-ark-key"
model = "auto"
base_url = "$ark"

[feishu]
enabled = true
allowed_chat_ids = ["*"]
base_url = "$feishu"

[feishu.accounts.work]
domain = "lark"
mode = "websocket"
app_id = "cli_work"
app_secret = "secret_work"

[feishu.accounts.backup]
domain = "feishu"
mode = "webhook"
app_id = "cli_backup"
app_secret = "secret_backup"
verification_token = "vt_backup_demo"
encrypt_key = "ek_backup_demo"
webhook_bind = "127.0.0.1:$hook_port"
webhook_path = "/feishu/backup"

[gateway]
port = 0
TOML
export LOONG_HOME="$work/home"

echo "== mock Feishu/Lark at $feishu, mock Ark at $ark"
"$loong" doctor --config "$work/config.toml" --skip-model-probe | tail -n 2 || true
echo "== loong gateway run --config $work/config.toml"
"$loong" gateway run --config "$work/config.toml" > "$work/gateway.out" 2> "$work/gateway.err" &
gw=$!
pids+=($gw)

# Wait until the long connection is up and the webhook listens.
for _ in $(seq 1 150); do
  if "$loong" gateway status --json 2>/dev/null \
       | jq -e '[.accounts[]?.transport.state] | (index("connected") != null) and (index("listening") != null)' > /dev/null; then
    break
  fi
  sleep 0.2
done
cat "$work/gateway.out"

post() { curl -sS -X POST -H 'content-type: application/json' -d "$2" "$feishu$1"; }
say_work() {
  echo "[lark=work   chat oc_team] user: $1"
  post /_mock/push "$(jq -nc --arg t "$1" '{app_id:"cli_work",chat_id:"oc_team",text:$t}')" > /dev/null
}
say_backup() {
  echo "[feishu=backup chat oc_ops] user: $1"
  post /_mock/webhook/deliver "$(jq -nc --arg t "$1" --arg u "http://127.0.0.1:$hook_port/feishu/backup" \
    '{url:$u,app_id:"cli_backup",chat_id:"oc_ops",text:$t}')" | jq -r '"  (webhook answered HTTP \(.status) \(.body))"'
}

echo "== conversation"
say_work "Hello from the work room"
say_backup "Is the backup bot awake?"
say_work "What is 6 x 7?"
curl -sS "$feishu/_mock/wait?kind=messages&count=3&timeout_ms=20000" > /dev/null || true
echo "== replies recorded by mock Feishu/Lark"
curl -sS "$feishu/_mock/messages" | jq -r '.messages[] |
  "[\(if .app_id == "cli_work" then "lark=work  " else "feishu=backup" end) reply to \(.reply_to)] bot: " +
  (if .msg_type == "interactive" then (.content | fromjson | .body.elements[0].content) else .text end)'

echo "== loong gateway status"
"$loong" gateway status
echo "== loong gateway stop"
"$loong" gateway stop
wait "$gw" || true
echo "== done: the gateway drained, released ownership and exited"
