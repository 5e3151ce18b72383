#!/usr/bin/env bash
# Loopback throughput of signed requests against sagetrail, moto_server and nginx (answering a
# constant), measured in one run on one machine, plus sagetrail's start-up time and idle RSS.
# Uses ../shared/peer-bench (mkpool.py + presigned.lua) to replay pre-signed requests with wrk.
#
#   bash bench/loopback.sh [--op list_models|describe_model|create_model|describe_endpoint|
#                          create_endpoint_config] [--count 200000] [--moto-count 3000]
#                          [--peer-bench DIR] [--out DIR] [--skip-moto] [--skip-nginx]
#
# Every process started here is stopped by PID on exit. Loopback only; every load is bounded
# in count and time.
set -u
REPO="$(cd "$(dirname "$0")/.." && pwd)"
PEER="$REPO/../shared/peer-bench"
OP=list_models; COUNT=200000; MOTO_COUNT=3000; OUT=""; MOTO=1; NGINX=1
while [ $# -gt 0 ]; do
  case "$1" in
    --op) OP="$2"; shift 2;; --count) COUNT="$2"; shift 2;;
    --moto-count) MOTO_COUNT="$2"; shift 2;; --peer-bench) PEER="$2"; shift 2;;
    --out) OUT="$2"; shift 2;; --skip-moto) MOTO=0; shift;; --skip-nginx) NGINX=0; shift;;
    *) echo "unknown option $1" >&2; exit 2;;
  esac
done
OUT="${OUT:-$(mktemp -d /tmp/sagetrail-loopback-XXXX)}"
mkdir -p "$OUT"
RES="$OUT/results.jsonl"
BIN="$REPO/build/sagetrail"
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_http() { for _ in $(seq 1 200); do curl -s -o /dev/null -m 1 "$1" && return 0; sleep 0.05; done; return 1; }

# make_pool ENDPOINT OUT N (credentials from the environment)
make_pool() {
  case "$OP" in
    describe_endpoint|create_endpoint_config)
      python3 "$REPO/bench/mkpool.py" --op "$OP" --n "$3" --endpoint "$1" --out "$2" >/dev/null ;;
    describe_model)  # the model it reads must exist
      python3 -c "import sys; sys.path.insert(0, sys.argv[1]); import loadgen; \
loadgen.ensure_read_model(sys.argv[2])" "$PEER" "$1" &&
      python3 "$PEER/mkpool.py" --op "$OP" --n "$3" --endpoint "$1" --out "$2" 2>/dev/null ;;
    *) python3 "$PEER/mkpool.py" --op "$OP" --n "$3" --endpoint "$1" --out "$2" 2>/dev/null ;;
  esac
}
# Writes need a fresh signed line per request; reads replay one.
pool_size() { case "$OP" in create_*) echo $(( $1 + 64 ));; *) echo 1;; esac; }

# wrk_run NAME ENDPOINT POOL COUNT THREADS CONNS
wrk_run() {
  local line
  line=$(timeout 200 wrk -t"$5" -c"$6" -d180s --latency -s "$PEER/presigned.lua" "$2/" \
           -- "$3" "$4" "$5" | grep '^WRKJSON' | sed 's/^WRKJSON //')
  echo "{\"target\":\"$1\",\"op\":\"$OP\",\"threads\":$5,\"conns\":$6,\"r\":${line:-null}}" | tee -a "$RES"
}

echo "{\"host\":\"$(uname -srm)\",\"cpus\":$(nproc),\"date\":\"$(date -u +%FT%TZ)\",\"op\":\"$OP\"}" | tee "$RES"

# ---- sagetrail ------------------------------------------------------------------------------
ST_PORT=$(free_port); ST_DATA="$OUT/st-data"; rm -rf "$ST_DATA"
"$BIN" serve --port "$ST_PORT" --data-dir "$ST_DATA" --log-level warn >"$OUT/st.out" 2>&1 &
ST_PID=$!; PIDS+=("$ST_PID")
wait_http "http://127.0.0.1:$ST_PORT/_sagetrail/health" || { echo "sagetrail did not start"; exit 1; }
AK=$(awk '/^\[admin\]/{f=1} f&&/aws_access_key_id/{print $3; exit}' "$ST_DATA/credentials")
SK=$(awk '/^\[admin\]/{f=1} f&&/aws_secret_access_key/{print $3; exit}' "$ST_DATA/credentials")
export AWS_ACCESS_KEY_ID=$AK AWS_SECRET_ACCESS_KEY=$SK
# The role the peer bench's writes hand to SageMaker must exist and trust SageMaker, as in AWS.
python3 - "http://127.0.0.1:$ST_PORT" <<'PY' || { echo "cannot create the role"; exit 1; }
import json, sys, boto3
iam = boto3.client("iam", endpoint_url=sys.argv[1], region_name="us-east-1")
iam.create_role(RoleName="SageMakerRole", AssumeRolePolicyDocument=json.dumps({
    "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
    "Principal": {"Service": "sagemaker.amazonaws.com"}}]}))
PY
for conns in 1 16; do
  threads=1; [ "$conns" -gt 1 ] && threads=2
  make_pool "http://127.0.0.1:$ST_PORT" "$OUT/pool-st-$conns.tsv" "$(pool_size "$COUNT")"
  # Warm up on reads only: a write pool's lines must each be sent once.
  [ "$conns" = 1 ] && [ "$(pool_size 1)" = 1 ] && wrk_run sagetrail \
    "http://127.0.0.1:$ST_PORT" "$OUT/pool-st-1.tsv" "$(( COUNT < 20000 ? COUNT / 10 : 20000 ))" \
    1 1 >/dev/null
  wrk_run sagetrail "http://127.0.0.1:$ST_PORT" "$OUT/pool-st-$conns.tsv" "$COUNT" "$threads" "$conns"
done
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
# Writes: every answered call (whatever its status) must have its record.
case "$OP" in create_*)
  python3 - "$BIN" "$ST_DATA" "$OP" "$RES" <<'PY' | tee -a "$RES"
import json, subprocess, sys
binary, data, op, res = sys.argv[1:5]
name = "".join(w.capitalize() for w in op.split("_"))
answered = sum(sum(json.loads(l)["r"]["status"].values()) for l in open(res)
               if '"target":"sagetrail"' in l and '"r":{' in l)
out = subprocess.run([binary, "events", "export", "--data-dir", data, "--attribute",
                      "EventName=" + name, "--format", "json"], capture_output=True, text=True,
                     check=True).stdout
recorded = len(json.loads(out)["Records"])
print(json.dumps({"target": "sagetrail", "answered": answered, "recorded": recorded,
                  "lost": max(0, answered - recorded)}))
PY
;; esac
echo "{\"target\":\"sagetrail\",\"rss_kb_after_load\":$(awk '/^VmRSS/{print $2}' /proc/$ST_PID/status)}" | tee -a "$RES"
kill "$ST_PID"; wait "$ST_PID" 2>/dev/null

# ---- nginx answering a constant ------------------------------------------------------------
if [ "$NGINX" = 1 ] && command -v nginx >/dev/null; then
  NG_PORT=$(free_port); mkdir -p "$OUT/nginx/logs"
  cat >"$OUT/nginx/nginx.conf" <<CONF
worker_processes auto;
pid $OUT/nginx/nginx.pid;
error_log $OUT/nginx/logs/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  server {
    listen 127.0.0.1:$NG_PORT;
    location / { default_type application/x-amz-json-1.1; return 200 '{"Models":[]}'; }
  }
}
CONF
  nginx -p "$OUT/nginx" -c "$OUT/nginx/nginx.conf" -g 'daemon off;' &
  NG_PID=$!; PIDS+=("$NG_PID")
  wait_http "http://127.0.0.1:$NG_PORT/" || echo "nginx did not start"
  wrk_run nginx-constant "http://127.0.0.1:$NG_PORT" "$OUT/pool-st-1.tsv" "$COUNT" 1 1
  wrk_run nginx-constant "http://127.0.0.1:$NG_PORT" "$OUT/pool-st-16.tsv" "$COUNT" 2 16
  kill "$NG_PID"; wait "$NG_PID" 2>/dev/null
fi

# ---- moto_server ----------------------------------------------------------------------------
if [ "$MOTO" = 1 ] && command -v moto_server >/dev/null; then
  MO_PORT=$(free_port)
  moto_server -H 127.0.0.1 -p "$MO_PORT" >"$OUT/moto.out" 2>&1 &
  MO_PID=$!; PIDS+=("$MO_PID")
  wait_http "http://127.0.0.1:$MO_PORT/" || echo "moto did not start"
  for conns in 1 16; do
    threads=1; [ "$conns" -gt 1 ] && threads=2
    make_pool "http://127.0.0.1:$MO_PORT" "$OUT/pool-moto-$conns.tsv" "$(pool_size "$MOTO_COUNT")"
    [ "$conns" = 1 ] && [ "$(pool_size 1)" = 1 ] && wrk_run moto "http://127.0.0.1:$MO_PORT" \
      "$OUT/pool-moto-1.tsv" 100 1 1 >/dev/null  # warm-up
    wrk_run moto "http://127.0.0.1:$MO_PORT" "$OUT/pool-moto-$conns.tsv" "$MOTO_COUNT" "$threads" "$conns"
  done
  kill "$MO_PID"; wait "$MO_PID" 2>/dev/null
fi

# ---- sagetrail start-up time and idle RSS ----------------------------------------------------
python3 - "$BIN" "$OUT" <<'PY' | tee -a "$RES"
import json, os, statistics, subprocess, sys, time, shutil
binary, out = sys.argv[1], sys.argv[2]
times, rss = [], []
for i in range(7):
    data = os.path.join(out, "startup-%d" % i)
    shutil.rmtree(data, ignore_errors=True)
    if i > 0:  # reuse one data dir: start-up of an existing deployment (first start creates it)
        shutil.copytree(os.path.join(out, "startup-0"), data)
    t0 = time.perf_counter()
    p = subprocess.Popen([binary, "serve", "--port", "0", "--data-dir", data, "--log-level",
                          "warn"], stdout=subprocess.PIPE, text=True)
    for line in p.stdout:  # "listening" is printed once models are loaded and the port is open
        if "listening on" in line:
            break
    times.append(time.perf_counter() - t0)
    time.sleep(1.0)
    with open("/proc/%d/status" % p.pid) as f:
        rss.append(int(next(l for l in f if l.startswith("VmRSS")).split()[1]))
    p.terminate(); p.wait()
print(json.dumps({"target": "sagetrail", "startup_ms_median": round(statistics.median(times[1:]) * 1000, 1),
                  "startup_ms_first_start": round(times[0] * 1000, 1),
                  "idle_rss_kb_median": statistics.median(rss)}))
PY
echo "results: $RES"
