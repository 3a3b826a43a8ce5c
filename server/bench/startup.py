"""Start-up time: from process start to the first answered request.

Starts COMMAND (with {port} replaced by a free port) RUNS times, sends
REQUEST every millisecond until one is answered (any HTTP status), and
prints the median and the maximum in milliseconds. Every process is
started by this script on 127.0.0.1 and stopped by its pid.

  python3 server/bench/startup.py NAME RUNS REQUEST -- COMMAND...

REQUEST is `aws` (POST / with X-Amz-Target ListServiceInstances, the
emulator's cheapest AWS call), `sts` (STS GetCallerIdentity, a first AWS
call for a server that does not serve Proton, such as moto's) or `get`
(GET /, any answer).
"""

import http.client
import os
import signal
import socket
import statistics
import subprocess
import sys
import time


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def answered(port, request):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        if request == "aws":
            conn.request(
                "POST",
                "/",
                body=b"{}",
                headers={
                    "X-Amz-Target": "AwsProton20200720.ListServiceInstances",
                    "Content-Type": "application/x-amz-json-1.0",
                },
            )
        elif request == "sts":
            conn.request(
                "POST",
                "/",
                body=b"Action=GetCallerIdentity&Version=2011-06-15",
                headers={
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Authorization": "AWS4-HMAC-SHA256 "
                    "Credential=AKIAEXAMPLE/20261202/us-east-1/sts/aws4_request, "
                    "SignedHeaders=host, Signature=0",
                },
            )
        else:
            conn.request("GET", "/")
        response = conn.getresponse()
        response.read()
        return request == "get" or response.status == 200
    except OSError:
        return False
    finally:
        conn.close()


def once(command, request):
    port = free_port()
    argv = [a.replace("{port}", str(port)) for a in command]
    started = time.perf_counter()
    proc = subprocess.Popen(
        argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    try:
        while not answered(port, request):
            if proc.poll() is not None:
                sys.exit(f"exited with {proc.returncode}: {' '.join(argv)}")
            if time.perf_counter() - started > 60:
                sys.exit(f"no answer in 60 s: {' '.join(argv)}")
            time.sleep(0.001)
        return (time.perf_counter() - started) * 1000
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def main():
    name, runs, request = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    command = sys.argv[sys.argv.index("--") + 1 :]
    times = [once(command, request) for _ in range(runs)]
    print(
        f"| {name} | {runs} | {statistics.median(times):.1f} | {max(times):.1f} | {min(times):.1f} |"
    )


if __name__ == "__main__":
    main()
