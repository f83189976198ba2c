#!/usr/bin/env bash
# A Twerk worker in bash with curl and jq. It serves the queues named by WORKER_LABELS (comma-separated,
# default "default") on SERVER_URL, one task at a time: long-polls for a task, runs its command with
# sh -c in a process group of its own, heartbeats its lease (stopping the task when the answer says it
# was cancelled or the lease is gone), pushes stdout and stderr as logs, then completes or fails it.
#   SERVER_URL=http://localhost:8000 WORKER_LABELS=shell bash examples/workers/curl-worker.sh
set -u
SERVER="${SERVER_URL:-http://localhost:8000}"
WORKER_ID="sh-$(hostname)-$$"
labels=$(jq -cn --arg l "${WORKER_LABELS:-default}" '$l | split(",") | map(select(. != ""))')
auth=()
if [ -n "${WORKER_TOKEN:-}" ]; then auth=(-H "Authorization: Bearer $WORKER_TOKEN"); fi

# POST a JSON body read from stdin; prints the response body, and its status on the last line.
post() { curl -sS -X POST "${auth[@]}" -H 'Content-Type: application/json' --data-binary @- -w '\n%{http_code}' "$SERVER$1"; }
body() { sed '$d'; }

jq -cn --arg id "$WORKER_ID" --argjson labels "$labels" '{worker_id: $id, labels: $labels}' | post /api/workers/register >/dev/null
echo "worker $WORKER_ID serving $labels on $SERVER"
while true; do
  claim=$(jq -cn --arg id "$WORKER_ID" --argjson labels "$labels" '{worker_id: $id, labels: $labels, lease_ttl_secs: 30, wait_secs: 20}' | post /api/jobs/claim | body) || { sleep 2; continue; }
  if [ -z "$claim" ] || [ "$claim" = null ]; then continue; fi
  lease=$(jq -r .lease.lease_id <<<"$claim")
  workflow=$(jq -r .job.workflow_id <<<"$claim")
  task=$(jq -r .job.job_id <<<"$claim")
  echo "claimed task $task of job $workflow"
  out=$(mktemp) err=$(mktemp)
  setsid sh -c "$(jq -r .job.command <<<"$claim")" >"$out" 2>"$err" &
  pid=$!
  (
    while kill -0 "$pid" 2>/dev/null; do
      sleep 10
      beat=$(post "/api/jobs/$lease/heartbeat" </dev/null)
      if [ "$(tail -n1 <<<"$beat")" != 200 ] || [ "$(body <<<"$beat" | jq -r .cancel)" = true ]; then kill -KILL -- "-$pid" 2>/dev/null; fi
    done
  ) &
  beating=$!
  wait "$pid"
  status=$?
  kill "$beating" 2>/dev/null
  jq -n --rawfile out "$out" --rawfile err "$err" --arg wf "$workflow" --arg job "$task" \
    '{chunks: ([{stream: "stdout", data: $out}, {stream: "stderr", data: $err}] | to_entries | map(select(.value.data != "") | {workflow_id: $wf, job_id: $job, sequence: .key, data: .value.data, timestamp_ms: (now * 1000 | floor), stream: .value.stream}))}' |
    post "/api/jobs/$lease/logs" >/dev/null
  if [ "$status" -eq 0 ]; then
    echo '{"outputs": {}}' | post "/api/jobs/$lease/complete" >/dev/null
  else
    jq -n --rawfile err "$err" --arg status "$status" '($err | sub("\\s+$"; "") | .[-4096:]) as $tail | {error: ("exit status " + $status + (if $tail == "" then "" else ": " + $tail end)), retryable: false}' | post "/api/jobs/$lease/fail" >/dev/null
  fi
  rm -f "$out" "$err"
done
