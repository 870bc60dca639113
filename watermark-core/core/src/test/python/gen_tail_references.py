#!/usr/bin/python3
"""Generate arbitrary-precision reference values for dev.hallmark.stats (Tails, BinomialInterval).

Run from the repository root with Debian's python3-mpmath (the system python, not a pyenv one):

    /usr/bin/python3 watermark-core/core/src/test/python/gen_tail_references.py

Writes
    watermark-core/core/src/test/resources/stats/tail-references.csv
    watermark-core/core/src/test/resources/stats/clopper-pearson-references.csv

How each number is obtained (all in mpmath arithmetic at WORK_DPS decimal digits):
  binomial  ln P(X >= k) as an explicit sum of pmf terms. The pmf at the start is
            exp(lnGamma(n+1) - lnGamma(j+1) - lnGamma(n-j+1) + j ln p + (n-j) ln(1-p)); the following
            terms come from the exact ratio f(j+1)/f(j) = (n-j) p / ((j+1)(1-p)). The tail that does
            not contain the mode is summed (so every ratio is < 1); the sum stops when the geometric
            bound on the remainder is below 1e-(WORK_DPS-5) of the sum. If that tail is the lower
            one, the upper tail is log1p(-lower). Cross-checked inside this script against a plain
            fsum over all terms (n <= 2000) and against mpmath.betainc (n <= 400).
  gamma     integer shape a: the Poisson identity Q(a, x) = P(Poisson(x) <= a-1), the tail without
            the mode summed term by term as for the binomial (log1p(-P(Poisson(x) >= a)) when that is
            the small tail); for a <= 1e4 cross-checked against mpmath.gammainc.
            Other shapes: mpmath.gammainc(a, x, inf, regularized=True) (or log1p(-gammainc(a, 0, x))
            when x < a), evaluated at WORK_DPS and again at WORK_DPS+20 digits; the two must agree.
  normal    mpmath.erfc(z / sqrt 2) / 2 (log1p(-...) for z < 0), at two precisions.
  Clopper-Pearson  the lower bound solves P_p(X >= k) = alpha/2, the upper bound P_p(X <= k) = alpha/2
            (alpha = 1 - confidence computed from the double exactly as Java does), by bisection on
            p to 1e-30 relative, with the binomial tails above; for n <= 400 cross-checked against
            the Beta quantile relation with mpmath.betainc.
All inputs (p, x, z, confidence) are Python floats and are used as their exact binary values, so
the Java side evaluates exactly the same arguments (written with repr(), which round-trips).
"""

import datetime
import math
import os
import platform
import sys

import mpmath
from mpmath import mp, mpf

WORK_DPS = 50
OUT_DIGITS = 25

HERE = os.path.dirname(os.path.abspath(__file__))
OUT_DIR = os.path.normpath(os.path.join(HERE, "..", "resources", "stats"))


def ln_binom_pmf(j, n, p):
    return (mp.loggamma(n + 1) - mp.loggamma(j + 1) - mp.loggamma(n - j + 1)
            + j * mp.log(p) + (n - j) * mp.log1p(-p))


def ln_sum_up(k, n, p):
    """ln sum_{j>=k} f(j); requires every ratio f(j+1)/f(j) < 1 for j >= k."""
    q = 1 - p
    pq = p / q
    s = mpf(1)
    t = mpf(1)
    eps = mpf(10) ** (-(mp.dps - 5))
    j = k
    while j < n:
        r = (n - j) * pq / (j + 1)
        assert r < 1
        t *= r
        s += t
        j += 1
        if t * r <= s * eps * (1 - r):
            break
    return ln_binom_pmf(k, n, p) + mp.log(s)


def ln_sum_down(k, n, p):
    """ln sum_{j<=k} f(j); requires every ratio f(j-1)/f(j) < 1 for j <= k."""
    q = 1 - p
    qp = q / p
    s = mpf(1)
    t = mpf(1)
    eps = mpf(10) ** (-(mp.dps - 5))
    j = k
    while j > 0:
        r = j * qp / (n - j + 1)
        assert r < 1
        t *= r
        s += t
        j -= 1
        if t * r <= s * eps * (1 - r):
            break
    return ln_binom_pmf(k, n, p) + mp.log(s)


def ln_binom_upper(k, n, p):
    """ln P(X >= k), X ~ Binomial(n, p), p an mpf strictly inside (0, 1)."""
    if k <= 0:
        return mpf(0)
    if k > n:
        return mpf("-inf")
    mean = n * p
    if k > mean:
        return ln_sum_up(k, n, p)
    # k - 1 < mean: the lower tail holds no mode term with ratio >= 1
    return mp.log1p(-mp.exp(ln_sum_down(k - 1, n, p)))


def ln_binom_lower(k, n, p):
    """ln P(X <= k)."""
    if k < 0:
        return mpf("-inf")
    if k >= n:
        return mpf(0)
    if k < n * p:
        return ln_sum_down(k, n, p)
    return mp.log1p(-mp.exp(ln_sum_up(k + 1, n, p)))


def ln_binom_upper_bruteforce(k, n, p):
    terms = [mp.binomial(n, j) * p ** j * (1 - p) ** (n - j) for j in range(n + 1)]
    up = mp.fsum(terms[k:])
    low = mp.fsum(terms[:k])
    return mp.log1p(-low) if low < up else mp.log(up)


def ln_gamma_upper(a, x):
    a = mpf(a)
    x = mpf(x)
    if x <= 0:
        return mpf(0)
    if x < a:
        lower = mpmath.gammainc(a, 0, x, regularized=True)
        return mp.log1p(-lower)
    return mp.log(mpmath.gammainc(a, x, mpmath.inf, regularized=True))


def ln_gamma_upper_poisson(a, x):
    """Integer a: Q(a, x) = P(Poisson(x) <= a-1), the smaller Poisson tail summed term by term."""
    a = int(a)
    x = mpf(x)
    eps = mpf(10) ** (-(mp.dps - 5))

    def ln_pois(j):
        return -x + j * mp.log(x) - mp.loggamma(j + 1)

    if a - 1 < x:  # P(N <= a-1) is the tail without the mode: sum down from a-1
        s, t, j = mpf(1), mpf(1), a - 1
        while j > 0:
            r = j / x
            t *= r
            s += t
            j -= 1
            if t * r <= s * eps * (1 - r):
                break
        return ln_pois(a - 1) + mp.log(s)
    # else Q is large: 1 - P(N >= a), summed up from a
    s, t, j = mpf(1), mpf(1), a
    while True:
        r = x / (j + 1)
        t *= r
        s += t
        j += 1
        if t * r <= s * eps * (1 - r):
            break
    return mp.log1p(-mp.exp(ln_pois(a) + mp.log(s)))


def ln_normal_upper(z):
    z = mpf(z)
    if z < 0:
        return mp.log1p(-mp.erfc(-z / mp.sqrt(2)) / 2)
    return mp.log(mp.erfc(z / mp.sqrt(2)) / 2)


def at_two_precisions(fn, *args):
    with mp.workdps(WORK_DPS):
        v1 = fn(*args)
    with mp.workdps(WORK_DPS + 20):
        v2 = fn(*args)
    check_close(v1, v2, "precision check %s%r" % (fn.__name__, args))
    return v2


def check_close(v1, v2, what, rel=mpf(10) ** -30):
    if v1 == v2:
        return
    scale = max(abs(v1), abs(v2))
    if abs(v1 - v2) > rel * scale:
        raise SystemExit("reference self-check failed (%s): %s vs %s" % (what, v1, v2))


def fmt(v_ln):
    """log10 from ln, as a decimal string with OUT_DIGITS significant digits."""
    if v_ln == 0:
        return "0.0"
    return mp.nstr(v_ln / mp.log(10), OUT_DIGITS, min_fixed=-4, max_fixed=12)


def binomial_cases():
    cases = []  # (n, p, k)
    for n in (1, 2, 3, 5, 10, 20, 50):
        for p in (0.25, 0.5):
            cases += [(n, p, k) for k in range(n + 1)]
    for n in (10, 30):
        for p in (0.1, 0.9, 0.001, 0.3):
            cases += [(n, p, k) for k in range(n + 1)]
    offsets = (-10, -3, -1, -0.5, 0, 0.5, 1, 2, 3, 5, 10, 20, 40)
    for n in (100, 1000, 10000):
        for p in (0.25, 0.5, 0.1):
            mu, sd = n * p, math.sqrt(n * p * (1 - p))
            ks = {1, n, n - 1, int(mu), int(mu) + 1}
            ks |= {int(round(mu + c * sd)) for c in offsets}
            cases += [(n, p, k) for k in sorted(ks) if 0 <= k <= n]
    # large n (corpus scale); sd of 5e9 trials at p = 1/2 is about 35,000
    for n in (10 ** 6, 10 ** 9, 5 * 10 ** 9):
        for p in (0.25, 0.5):
            mu, sd = n * p, math.sqrt(n * p * (1 - p))
            ks = {int(mu), int(mu) + 1}
            ks |= {int(round(mu + c * sd)) for c in (-5, -1, 1, 2, 5, 10, 40, 200)}
            ks.add(int(n * (p + 0.01)))  # a 1-point excess of the rate: extreme tail at this n
            if n == 10 ** 6:
                ks |= {n, int(n * (p + 0.2))}
            cases += [(n, p, k) for k in sorted(ks)]
    # extreme tails below log10 p = -10000
    cases += [(200000, 0.25, 200000), (200000, 0.25, 100000), (100000, 0.5, 80000),
              (50000, 0.25, 40000), (1000000, 0.25, 300000), (30000, 0.5, 30000)]
    # detector-sized: 200 and 1000 tokens with green fraction 0.25, all green
    cases += [(200, 0.25, 200), (1000, 0.25, 1000), (200, 0.25, 120)]
    # small p with huge n (rare events)
    cases += [(10 ** 9, 1e-9, k) for k in (1, 2, 5, 20, 100)]
    cases += [(10 ** 7, 1e-6, k) for k in (3, 10, 11, 30, 100, 1000)]
    return sorted(set(cases), key=lambda c: (c[0], c[1], c[2]))


def gamma_cases():
    cases = []  # (shape, x)
    for a in (1.0, 10.0, 200.0, 1e4, 1e6, 1e9):
        sd = math.sqrt(a)
        xs = {a + c * sd for c in (-20, -5, -2, -1, -0.5, 0, 0.5, 1, 2, 3, 5, 10, 20, 50, 100, 300, 1000)}
        xs |= {a - 1, a, a + 1, a + 1 - 1e-9 * a, a + 1 + 1e-9 * a, a / 2, 2 * a, 10 * a, 100 * a, 1e-3, 0.5}
        if a >= 1e6:
            xs |= {0.9 * a, 1.01 * a, 1.1 * a}
        cases += [(a, x) for x in sorted(xs) if x > 0]
    for a in (0.5, 0.01, 2.5, 33.3):
        xs = (1e-6, 1e-3, 0.1, 0.5, 1.0, 1.4, 1.5, 1.6, 2.0, 5.0, 30.0, 300.0, 3000.0)
        cases += [(a, x) for x in xs]
    # Gumbel/exponential detector scale: n tokens, sum of -ln(1-r)
    cases += [(200.0, 300.0), (200.0, 400.0), (1000.0, 2000.0), (1e4, 3e4), (1e5, 1e6)]
    return sorted(set(cases))


def normal_cases():
    zs = [-40.0, -38.0, -30.0, -10.0, -5.0, -3.0, -1.0, -0.1, 0.0, 0.1, 0.5, 1.0, 1.5, 2.0, 3.0, 5.0,
          8.0, 10.0, 15.0, 19.99, 20.0, 20.01, 25.0, 30.0, 37.5, 40.0, 50.0, 100.0, 141.4, 1000.0,
          3162.3, 1e4]
    return zs


def clopper_pearson_cases():
    return [(0, 10, 0.95), (1, 10, 0.95), (5, 10, 0.95), (9, 10, 0.95), (10, 10, 0.95),
            (3, 20, 0.99), (27, 40, 0.9), (1, 1000, 0.999), (250, 1000, 0.999), (999, 1000, 0.999),
            (0, 1000, 0.999), (50, 400, 0.5), (12, 400, 0.999999),
            (2500, 10000, 0.999), (1, 100000, 0.95), (25000, 100000, 0.999), (99990, 100000, 0.999)]


def cp_bound(k, n, conf, lower):
    alpha_half = (1 - mpf(conf)) / 2
    target = mp.log(alpha_half)
    if lower:
        if k == 0:
            return mpf(0)
        f = lambda p: ln_binom_upper(k, n, p) - target  # increasing in p
    else:
        if k == n:
            return mpf(1)
        f = lambda p: target - ln_binom_lower(k, n, p)  # increasing in p
    lo, hi = mpf(0), mpf(1)
    # bisect on ln p below k/n-ish scale, fine for all cases here: 200 halvings of a [0,1] bracket
    # would not give relative precision for tiny bounds, so bisect geometrically while lo == 0
    lo_l = mpf(10) ** -300
    while f(lo_l) > 0:
        lo_l /= 10 ** 10
    lo = lo_l
    for _ in range(400):
        mid = mp.sqrt(lo * hi) if hi / lo > 4 else (lo + hi) / 2
        if f(mid) > 0:
            hi = mid
        else:
            lo = mid
        if hi - lo <= hi * mpf(10) ** -32:
            break
    return (lo + hi) / 2


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    mp.dps = WORK_DPS
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d")
    cmd = "/usr/bin/python3 watermark-core/core/src/test/python/gen_tail_references.py"
    head = [
        "# tool: mpmath %s, Python %s (%s)" % (mpmath.__version__, platform.python_version(), sys.executable),
        "# precision: mp.dps = %d for sums (gamma/normal: mp.dps = %d and %d, both must agree to 1e-30)"
        % (WORK_DPS, WORK_DPS, WORK_DPS + 20),
        "# date: %s" % now,
        "# command (from the repository root): %s" % cmd,
        "# method: see the docstring of that script; inputs are exact binary doubles (repr round-trips)",
    ]

    rows = []
    n_checked = 0
    for n, p, k in binomial_cases():
        pm = mpf(p)
        v = ln_binom_upper(k, n, pm)
        if n <= 2000 and (k % 7 == 0 or n <= 50 or k >= n - 2):
            check_close(v, ln_binom_upper_bruteforce(k, n, pm), "binomial brute force n=%d k=%d" % (n, k),
                        rel=mpf(10) ** -35)
            n_checked += 1
        if n <= 400 and 0 < k <= n and k % 5 == 1:
            # betainc loses digits to cancellation when the tail is near 1, hence the extra precision
            with mp.workdps(WORK_DPS + 60):
                bi = mpmath.betainc(k, n - k + 1, 0, pm, regularized=True)
                ref = mp.log(bi) if bi < 0.5 else mp.log1p(-mpmath.betainc(k, n - k + 1, pm, 1, regularized=True))
            check_close(v, ref, "binomial vs betainc n=%d k=%d" % (n, k), rel=mpf(10) ** -30)
        rows.append(("binomial", "n=%d;p=%r" % (n, p), str(k), fmt(v)))
    print("binomial: %d rows, %d checked against brute force" % (len(rows), n_checked), file=sys.stderr)

    g_rows = 0
    g_checked = 0
    for a, x in gamma_cases():
        if a == int(a):
            # integer shape: the Poisson identity, summed term by term (mpmath.gammainc is very slow
            # or does not converge for some shapes near 1e9)
            v = ln_gamma_upper_poisson(a, x)
            if a <= 1e4:
                check_close(v, at_two_precisions(ln_gamma_upper, a, x), "gamma Poisson vs gammainc a=%r x=%r" % (a, x))
                g_checked += 1
        else:
            v = at_two_precisions(ln_gamma_upper, a, x)
        rows.append(("gamma", "shape=%r" % a, repr(x), fmt(v)))
        g_rows += 1
    print("gamma: %d rows, %d checked against mpmath.gammainc" % (g_rows, g_checked), file=sys.stderr)

    for z in normal_cases():
        v = at_two_precisions(ln_normal_upper, z)
        rows.append(("normal", "", repr(z), fmt(v)))

    path = os.path.join(OUT_DIR, "tail-references.csv")
    with open(path, "w", encoding="utf-8") as out:
        out.write("# Reference values of log10 upper-tail probabilities for dev.hallmark.stats.Tails\n")
        out.write("# binomial: log10 P(X >= k), X ~ Binomial(n, p); gamma: log10 P(G >= x), G ~ Gamma(shape, 1);"
                  " normal: log10 P(Z >= z)\n")
        for h in head:
            out.write(h + "\n")
        out.write("distribution,parameters,x,log10_upper\n")
        for r in rows:
            out.write(",".join(r) + "\n")
    print("wrote %s (%d rows)" % (path, len(rows)), file=sys.stderr)

    cp_rows = []
    for k, n, conf in clopper_pearson_cases():
        lo = cp_bound(k, n, conf, True)
        hi = cp_bound(k, n, conf, False)
        if n <= 400:
            a2 = (1 - mpf(conf)) / 2
            if k > 0:
                check_close(mpmath.betainc(k, n - k + 1, 0, lo, regularized=True), a2, "CP lower betainc", rel=mpf(10) ** -25)
            if k < n:
                check_close(mpmath.betainc(k + 1, n - k, hi, 1, regularized=True), a2, "CP upper betainc", rel=mpf(10) ** -25)
        cp_rows.append((str(k), str(n), repr(conf), mp.nstr(lo, OUT_DIGITS), mp.nstr(hi, OUT_DIGITS)))
    path = os.path.join(OUT_DIR, "clopper-pearson-references.csv")
    with open(path, "w", encoding="utf-8") as out:
        out.write("# Exact Clopper-Pearson two-sided intervals: lower solves P_p(X >= k) = alpha/2,"
                  " upper solves P_p(X <= k) = alpha/2, alpha = 1 - confidence\n")
        for h in head:
            out.write(h + "\n")
        out.write("k,n,confidence,lower,upper\n")
        for r in cp_rows:
            out.write(",".join(r) + "\n")
    print("wrote %s (%d rows)" % (path, len(cp_rows)), file=sys.stderr)


if __name__ == "__main__":
    main()
