#!/usr/bin/env python3
"""Markdown tables of docs/experiments/distillation.md for the filter-null and attacks configs (issue 17).

    python3 docs/experiments/distillation/issue17_tables.py filter-null docs/experiments/distillation/filter-null/filter-null.json
    python3 docs/experiments/distillation/issue17_tables.py attacks docs/experiments/distillation/attacks/attacks.json [BUDGET]
"""
import json
import statistics as st
import sys
from collections import defaultdict


def filter_null(r):
    rows = r['rows']
    print('| run | filter | exact? | trials | account test p <= 1e-3 (limit) | p <= 1e-2 (limit) | p <= 0.05 (limit) '
          '| KS p | mean statistic | median tuples | group test p <= 1e-2 (limit) | trials with a false accusation |')
    print('|---|---|---|---|---|---|---|---|---|---|---|---|')
    for run, fl in r['null_checks'].items():
        for f, v in fl.items():
            a = v['account_test']
            rej = {x['level']: x for x in a['rejections']}
            d = {x['level']: x for x in v['distilled']['rejections']}
            xs = [y for y in rows if y['run'] == run and y['filter'] == f]
            stat = st.mean(y['account_statistic'][0] for y in xs)
            tup = st.median(y['tuples_scored'] for y in xs)

            def c(level, table=rej):
                x = table[level]
                over = ' **OVER**' if x['count'] > x['band99_upper'] else ''
                return '%d%s (<= %d)' % (x['count'], over, x['band99_upper'])

            exact = 'no (heuristic)' if f.startswith('served') else 'yes'
            print('| %s | %s | %s | %d | %s | %s | %s | %.3f | %.4f | %d | %s | %d/%d |' % (
                run, f, exact, a['n'], c(0.001), c(0.01), c(0.05), a['ks_p_value'], stat, tup, c(0.01, d),
                v['trials_with_false_accusations'], v['trials']))


def attacks(r, budget):
    g = defaultdict(list)
    for x in r['rows']:
        if x['budget'] == budget:
            g[(x['run'].split('-')[0], x['rho'], x['filter'], x['attack'])].append(x)
    base = {}
    for (sch, rho, f, att), xs in g.items():
        if att == 'none':
            base[(sch, rho)] = st.mean(y['student_perplexity'] for y in xs)

    def order(k):
        sch, rho, f, att = k
        kind, _, s = att.partition(':')
        return (sch, f, rho, ['none', 'paraphrase', 'neutralize'].index(kind), float(s or 0))

    print('| scheme | filter | rho | attack | held-out ppl (vs none) | within 10%? | account test log10 p (2 seeds) '
          '| group test log10 p | harvesters accused | false accusations |')
    print('|---|---|---|---|---|---|---|---|---|---|')
    for k in sorted(g, key=order):
        xs = g[k]
        sch, rho, f, att = k
        ppl = st.mean(y['student_perplexity'] for y in xs)
        rel = ppl / base[(sch, rho)] - 1
        lp = ', '.join('%.1f' % min(y['account_log10_p']) for y in xs)
        dl = ', '.join('%.1f' % y['distilled_log10_p'] for y in xs)
        found = sum(y['found'] for y in xs)
        harv = sum(len(y['harvesting_accounts']) for y in xs)
        fa = sum(y['false_accused'] for y in xs)
        print('| %s | %s | %g | %s | %.1f (%+.1f%%) | %s | %s | %s | %d/%d | %d |' % (
            sch, f, rho, att, ppl, 100 * rel, 'yes' if rel <= 0.10 else 'no', lp, dl, found, harv, fa))


if __name__ == '__main__':
    data = json.load(open(sys.argv[2]))
    if sys.argv[1] == 'filter-null':
        filter_null(data)
    else:
        attacks(data, int(sys.argv[3]) if len(sys.argv) > 3 else 100000)
