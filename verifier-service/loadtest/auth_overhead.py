#!/usr/bin/env python3
"""Cost of an authenticated request: GET /v1/me (token look-up + rate-limit charge, nothing else)
against running services, interleaved in rounds so the machine's load hits all alike.

  python3 verifier-service/loadtest/auth_overhead.py NAME=URL=TOKEN [NAME=URL=TOKEN ...]

Each round sends REQUESTS (default 1000) requests from each of THREADS (default 1, then 8)
keep-alive connections to each service in turn; prints requests/s and the median and p99 latency
per service, over ROUNDS (default 3) rounds. Loopback only; bounded by the request count.
"""
import http.client
import os
import statistics
import sys
import threading
import time
from urllib.parse import urlparse

REQUESTS = int(os.environ.get("REQUESTS", "1000"))
ROUNDS = int(os.environ.get("ROUNDS", "3"))


def worker(url, token, n, lat):
    u = urlparse(url)
    assert u.hostname in ("127.0.0.1", "localhost"), "loopback only"
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    h = {"Authorization": "Bearer " + token}
    for _ in range(n):
        t = time.perf_counter()
        c.request("GET", "/v1/me", headers=h)
        r = c.getresponse()
        r.read()
        if r.status != 200:
            raise SystemExit("status %d from %s" % (r.status, url))
        lat.append(time.perf_counter() - t)
    c.close()


def run(url, token, threads):
    lat = []
    ts = [threading.Thread(target=worker, args=(url, token, REQUESTS // threads, lat)) for _ in range(threads)]
    t0 = time.perf_counter()
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return len(lat) / (time.perf_counter() - t0), lat


def main():
    targets = [a.split("=", 2) for a in sys.argv[1:]]
    for threads in (1, 8):
        res = {n: ([], []) for n, _, _ in targets}
        for _ in range(ROUNDS):
            for name, url, token in targets:
                rps, lat = run(url, token, threads)
                res[name][0].append(rps)
                res[name][1].extend(lat)
        for name, (rps, lat) in res.items():
            lat.sort()
            print("%-10s threads=%d  %7.0f req/s  median %5.2f ms  p99 %6.2f ms" % (
                name, threads, statistics.median(rps), 1000 * statistics.median(lat),
                1000 * lat[int(0.99 * (len(lat) - 1))]))


if __name__ == "__main__":
    main()
