import requests
import subprocess
import time
import uuid
import threading
SERVER = "http://localhost:3000"
WORKER_ID = f"py-{uuid.uuid4().hex[:8]}"
LABELS = ["python"]
# 1. Register
requests.post(f"{SERVER}/api/workers/register",
    json={"worker_id": WORKER_ID, "labels": LABELS})
while True:
    # 2a. Claim a job
    resp = requests.post(f"{SERVER}/api/jobs/claim",
        json={
            "worker_id": WORKER_ID,
            "labels": LABELS,
            "lease_ttl_secs": 60,
        })
    claim = resp.json()
    if claim is None:
        time.sleep(2) # No jobs available
        continue
    job = claim["job"]
    lease = claim["lease"]
    lease_id = lease["lease_id"]
    print(f"[{WORKER_ID}] Claimed: {job['job_id']}")
    # Heartbeat thread (keeps lease alive)
    stop = threading.Event()
    def send_heartbeats():
        while not stop.is_set():
            time.sleep(10)
            r = requests.post(f"{SERVER}/api/jobs/{lease_id}/heartbeat")
            if r.status_code == 409:
                break
    hb_thread = threading.Thread(target=send_heartbeats, daemon=True)
    hb_thread.start()
    # Execute
    result = subprocess.run(
        ["sh", "-c", job["command"]],
        capture_output=True, text=True, timeout=300,
    )
    stop.set()
    # Push logs
    chunks = []
    if result.stdout:
        chunks.append({
            "workflow_id": job["workflow_id"],
            "job_id": job["job_id"],
            "sequence": 0,
            "data": result.stdout,
            "timestamp_ms": int(time.time() * 1000),
            "stream": "stdout",
        })
    if chunks:
        requests.post(f"{SERVER}/api/jobs/{lease_id}/logs",
            json={"chunks": chunks})
    # Report
    if result.returncode == 0:
        requests.post(f"{SERVER}/api/jobs/{lease_id}/complete",
            json={"outputs": {}})
    else:
        requests.post(f"{SERVER}/api/jobs/{lease_id}/fail",
            json={"error": result.stderr[:4096], "retryable": True})
