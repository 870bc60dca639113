#!/usr/bin/env python3
"""Generate arbitrary-precision reference values for dev.hallmark.stats.Hypoexponential.

Run from the repository root with any python3 that has mpmath (used: mpmath 1.3.0):

    python3 watermark-core/core/src/test/python/gen_hypoexp_references.py

Writes watermark-core/core/src/test/resources/stats/hypoexp-references.csv: ln P(S >= s) for
S = sum_{i=1..n} ((1 - alpha) E_i + alpha E'_i), all E, E' independent Exp(1) (vLLM's dual-key
Gumbel score under the null).

Each value is computed twice, by two different formulas, and both must agree:
  closed form  the partial-fraction expansion of the Laplace transform
               (l1/(l1+t))^n (l2/(l2+t))^n, l1 = 1/(1-alpha), l2 = 1/alpha:
               P(S > s) = sum_{k=1..n} A_k l1^-k Q(k, l1 s) + B_k l2^-k Q(k, l2 s),
               A_k = (l1 l2)^n C(-n, n-k) d^(k-2n), B_k = (l1 l2)^n C(-n, n-k) (-d)^(k-2n), d = l2 - l1,
               with Q(k, x) = e^-x sum_{j<k} x^j / j! (integer k). Its terms alternate in sign and
               can exceed the result by thousands of orders of magnitude (alpha near 1/2), so it is
               evaluated at a precision of 40 digits plus the measured cancellation, and again with
               30 more digits; the two must agree to 1e-30 relative.
  mixture      the positive series sum_f NB(f; n, c) Q(2n + f, s / b) (b = min(alpha, 1-alpha),
               c = b / max(alpha, 1-alpha)), at 60 digits, with the exact upward recurrences for
               both factors; summed past the mode until the geometric bound on the rest is below
               1e-55 of the sum. It must agree with the closed form to 1e-40 relative.
alpha in {0, 1} is Gamma(n, 1) and alpha = 1/2 is Gamma(2n, 1) scaled by 1/2 (mpmath.gammainc).
All inputs (alpha, s) are Python floats used as their exact binary values, as the Java side does.
"""

import datetime
import math
import os
import platform
import sys

import mpmath
from mpmath import mp, mpf

OUT_DIGITS = 25
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.normpath(os.path.join(HERE, "..", "resources", "stats", "hypoexp-references.csv"))

# (name, n, alpha, s) for vLLM's dual-key goldens: n = num_scored_tokens, s = score, alpha = detection alpha
GOLDEN_CASES = [
    ("dual-key-gumbel-philox-key0-cw4-alpha0.1", 64, 0.1, 241.81126265648692),
    ("dual-key-gumbel-philox-key42-cw4-alpha-mismatch", 64, 0.2, 215.24386344560963),
    ("dual-key-gumbel-philox-keymax-cw4-alpha0.4", 64, 0.4, 177.98266424643373),
    ("dual-key-gumbel-philox-key7-cw4-near-threshold", 8, 0.1, 17.2829982488662),
    ("dual-key-gumbel-philox-repeated-cw1", 13, 0.1, 23.896456918277963),
    ("dual-key-gumbel-philox-repeated-cw4-all", 47, 0.1, 82.86886159792212),
]


def q_integer(n, x):
    """[Q(k, x) for k = 1..n], Q(k, x) = e^-x sum_{j<k} x^j / j!."""
    out = []
    ex = mp.exp(-x)
    acc = mpf(0)
    term = mpf(1)
    for j in range(n):
        acc += term
        out.append(acc * ex)
        term = term * x / (j + 1)
    return out


def closed_form(n, alpha, s, dps):
    with mp.workdps(dps):
        l1 = 1 / (1 - mpf(alpha))
        l2 = 1 / mpf(alpha)
        s = mpf(s)
        d = l2 - l1
        q1 = q_integer(n, l1 * s)
        q2 = q_integer(n, l2 * s)
        pre = (l1 * l2) ** n
        total = mpf(0)
        biggest = mpf(0)
        for k in range(1, n + 1):
            j = n - k
            cj = (-1) ** j * mp.binomial(n + j - 1, j)
            t1 = pre * cj * d ** (k - 2 * n) * l1 ** (-k) * q1[k - 1]
            t2 = pre * cj * (-d) ** (k - 2 * n) * l2 ** (-k) * q2[k - 1]
            biggest = max(biggest, abs(t1), abs(t2))
            total += t1 + t2
        return total, biggest


def mixture(n, alpha, s, dps=60):
    with mp.workdps(dps):
        w1 = 1 - mpf(alpha)
        a = max(w1, mpf(alpha))
        b = min(w1, mpf(alpha))
        c = b / a
        y = mpf(s) / b
        k = 2 * n
        w = c ** n
        q = mp.gammainc(k, y, mp.inf, regularized=True)
        p = mp.exp(-y + k * mp.log(y) - mp.loggamma(k + 1))  # Poisson pmf at k: Q(k+1) = Q(k) + p
        eps = mpf(10) ** (-55)
        total = mpf(0)
        f = 0
        prev = None
        while True:
            term = w * q
            total += term
            wr = mpf(n + f) / (f + 1) * (1 - c)
            r = wr * (q + p) / q
            if prev is not None and term < prev and r < 1 and term * r / (1 - r) < eps * total:
                return total
            prev = term
            w *= wr
            q += p
            p = p * y / (k + 1)
            k += 1
            f += 1


def reference(n, alpha, s):
    """ln P(S >= s) as an mpf, checked by two methods."""
    if alpha in (0.0, 1.0):
        with mp.workdps(60):
            return mp.log(mp.gammainc(n, mpf(s), mp.inf, regularized=True))
    if alpha == 0.5:
        with mp.workdps(60):
            return mp.log(mp.gammainc(2 * n, 2 * mpf(s), mp.inf, regularized=True))
    m = mixture(n, alpha, s)
    # cancellation estimate at low precision, then the real evaluation
    _, big = closed_form(n, alpha, s, 30)
    digits = int(mpmath.log10(big / m)) if big > m else 0
    dps = 40 + max(0, digits)
    c1, _ = closed_form(n, alpha, s, dps)
    c2, _ = closed_form(n, alpha, s, dps + 30)
    with mp.workdps(60):
        if abs(c1 - c2) > mpf(10) ** -30 * abs(c2):
            raise SystemExit(f"closed form unstable: n={n} alpha={alpha} s={s}")
        if abs(c2 - m) > mpf(10) ** -40 * abs(m):
            raise SystemExit(f"closed form {c2} and mixture {m} disagree: n={n} alpha={alpha} s={s}")
        return mp.log(m)


def grid():
    cases = []
    for n in (1, 2, 3, 5, 8, 13, 21, 47, 64, 100, 250, 1000):
        for alpha in (0.01, 0.1, 0.25, 0.4, 0.49, 0.5, 0.6, 0.9, 0.0, 1.0):
            if n >= 250 and alpha == 0.01:
                continue  # the mixture needs ~100 n terms at 60 digits: kept to one case below
            for m in (0.5, 1.0, 1.3, 2.0, 5.0, 20.0):
                cases.append(("grid", n, alpha, float(n * m)))
    cases.append(("large", 1000, 0.01, 1300.0))
    cases.append(("large", 3000, 0.1, 3300.0))
    cases.append(("large", 3000, 0.1, 6000.0))
    cases.append(("large", 3000, 0.3, 3300.0))
    return cases


def main():
    rows = []
    for name, n, alpha, s in GOLDEN_CASES + grid():
        ln = reference(n, alpha, s)
        rows.append((name, n, repr(alpha), repr(s), mpmath.nstr(ln, OUT_DIGITS, min_fixed=-mp.inf, max_fixed=mp.inf)))
        print(name, n, alpha, s, rows[-1][-1], file=sys.stderr)
    with open(OUT, "w", encoding="ascii") as f:
        f.write("# Reference values of ln P(S >= s), S = sum_{i<=n} ((1-alpha) E_i + alpha E'_i), E, E' iid Exp(1)\n")
        f.write(f"# tool: mpmath {mpmath.__version__}, Python {platform.python_version()} ({sys.executable})\n")
        f.write("# method: closed form (partial fractions, adaptive precision, two precisions) and the positive\n")
        f.write("#   negative-binomial mixture (60 digits) must agree to 1e-40; see the script's docstring\n")
        f.write(f"# date: {datetime.date.today().isoformat()}\n")
        f.write("# command (from the repository root): python3 watermark-core/core/src/test/python/gen_hypoexp_references.py\n")
        f.write("case,n,alpha,s,ln_upper\n")
        for r in rows:
            f.write(",".join(str(x) for x in r) + "\n")


if __name__ == "__main__":
    main()
