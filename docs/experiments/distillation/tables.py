#!/usr/bin/env python3
"""Condensed Markdown tables for docs/experiments/distillation.md, computed from the committed
results JSON files written by `hallmark distill` (docs/experiments/distillation/<config>/<config>.json).

Usage: python3 docs/experiments/distillation/tables.py [ngram|attribution|controls|neural|null-gumbel|beyond-bound ...]
Standard library only. Every number in the doc's tables is printed by this script.
"""
import json
import math
import os
import statistics
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def load(name):
    with open(os.path.join(HERE, name, name + '.json')) as f:
        return json.load(f)


def med(v):
    return statistics.median(v) if v else float('nan')


def first(row):
    """log10 p of the first harvesting account's own test (fixed in advance)."""
    x = row['account_log10_p'][0]
    return 0.0 if x is None else x


def fmt(x):
    return 'n/a' if x is None or (isinstance(x, float) and math.isnan(x)) else '%.1f' % x


def groups(rows, keys):
    out = {}
    for r in rows:
        out.setdefault(tuple(r[k] for k in keys), []).append(r)
    return out


def ngram(res):
    rows = res['rows']
    budgets = sorted({r['budget'] for r in rows})
    g = groups(rows, ['run', 'rho', 'filter', 'budget'])
    for run in ['kgw-ngram', 'gumbel-ngram']:
        rr = [r for r in rows if r['run'] == run]
        if not rr:
            continue
        rhos = sorted({r['rho'] for r in rr})
        filters = list(dict.fromkeys(r['filter'] for r in rr))
        for b in [1000000, 3000000]:
            print('\n#### `%s`: median log10 p (account test) vs rho, %s student tokens read (budget)\n' % (run, f'{b:,}'))
            print('| rho | watermarked train tokens | ' + ' | '.join('filter `%s`' % f for f in filters) + ' |')
            print('|---' * (len(filters) + 2) + '|')
            for rho in rhos:
                wm = med([r['watermarked_tokens'] for r in g.get((run, rho, 'off', b), [])])
                cells = []
                for f in filters:
                    xs = [first(r) for r in g.get((run, rho, f, b), [])]
                    cells.append('%s [%s, %s]' % (fmt(med(xs)), fmt(min(xs)), fmt(max(xs))) if xs else 'n/a')
                print('| %g%% | %s | %s |' % (100 * rho, f'{int(wm):,}', ' | '.join(cells)))
        print('\n#### `%s`: median log10 p (account test) vs student tokens read\n' % run)
        print('| rho | filter | ' + ' | '.join(f'{b:,}' for b in budgets) + ' |')
        print('|---' * (len(budgets) + 2) + '|')
        for rho in rhos:
            for f in ['off', 'served-all', 'served-top-1000']:
                cells = [fmt(med([first(r) for r in g.get((run, rho, f, b), [])])) for b in budgets]
                print('| %g%% | %s | %s |' % (100 * rho, f, ' | '.join(cells)))
    other = [r for r in rows if r['run'] not in ('kgw-ngram', 'gumbel-ngram')]
    if other:
        print('\n#### Context width vs n-gram order (rho 5% and 100%, 1 seed, filter off / served-all)\n')
        print('| run | scheme | student order | rho | budget | log10 p (off) | log10 p (served-all) | statistic (off) |')
        print('|---|---|---|---|---|---|---|---|')
        og = groups(other, ['run', 'rho', 'budget', 'filter'])
        for run in dict.fromkeys(r['run'] for r in other):
            x = [r for r in other if r['run'] == run][0]
            order = {'kgw-ngram-order1': 1}.get(run, 3)
            for rho in sorted({r['rho'] for r in other if r['run'] == run}):
                for b in [300000, 3000000]:
                    off = og.get((run, rho, b, 'off'), [])
                    srv = og.get((run, rho, b, 'served-all'), [])
                    if not off:
                        continue
                    print('| %s | `%s` | %d | %g%% | %s | %s | %s | %.4f |' % (
                        run, x['scheme'], order, 100 * rho, f'{b:,}', fmt(first(off[0])),
                        fmt(first(srv[0])) if srv else 'n/a', off[0]['account_statistic'][0]))
    cal = res.get('calibration', {})
    if cal:
        print('\n#### Never-deployed keys on the same students (calibration)\n')
        print('| run, filter | p-values | KS p | p <= 0.01 | p <= 0.05 |')
        print('|---|---|---|---|---|')
        for k, u in cal.items():
            print('| %s | %d | %.3f | %d | %d |' % (k.replace('|', ', '), u['n'], u['ks_p_value'],
                                                   u['rejections'][0]['count'], u['rejections'][1]['count']))


def attribution(res):
    rows = res['rows']
    g = groups(rows, ['run', 'rho', 'filter', 'budget'])
    print('\n| run (k) | rho | filter | tokens read | harvesters found | trials with a false accusation (decoder) '
          '| innocent max positive groups (threshold) | harvester account test log10 p (median) '
          '| scan best account harvested | scan log10 p (median) |')
    print('|---|---|---|---|---|---|---|---|---|---|')
    for (run, rho, f, b), rs in g.items():
        if f not in ('off', 'served-all'):
            continue
        found = sum(r['found'] for r in rs)
        harv = sum(r['harvesters'] for r in rs)
        fa = sum(1 for r in rs if r['false_accused'] > 0)
        inn = max(r['innocent_max_positive_groups'] for r in rs)
        sb = sum(1 for r in rs if r['scan_best_account'] in r['harvesting_accounts'])
        print('| %s (%d) | %g%% | %s | %s | %d/%d | %d/%d | %d (%d) | %s | %d/%d | %s |' % (
            run, rs[0]['harvesters'], 100 * rho, f, f"{b:,}", found, harv, fa, len(rs), inn,
            rs[0]['threshold'], fmt(med([first(r) for r in rs])), sb, len(rs),
            fmt(med([r['scan_log10_p'] for r in rs]))))
    tot = len(rows)
    print('\nAll rows (every filter and budget): %d measurements, %d with a false accusation; accused accounts '
          'in total: %d, of which harvesters: %d.' % (
              tot, sum(1 for r in rows if r['false_accused'] > 0), sum(len(r['accused']) for r in rows),
              sum(r['found'] for r in rows)))
    bad = [r for r in rows if r['scan_best_account'] not in r['harvesting_accounts']
           and r['scan_log10_p'] <= math.log10(res['lab']['alpha'])]
    print('\nRows where the lab-wide scan is significant at alpha but its best account did not harvest: %d' % len(bad))
    for r in bad:
        print('  %s rho=%g seed=%d filter=%s budget=%d: best account %d (shares %d groups with the harvesters), '
              'scan log10 p %.2f, accused %s' % (
                  r['run'], r['rho'], r['seed'], r['filter'], r['budget'], r['scan_best_account'],
                  len(shared_groups(r['scan_best_account'], r['harvesting_accounts'])), r['scan_log10_p'],
                  r['accused']))
    exposed(res)


def exposed(res):
    """The most-exposed innocent's own account test (global-null test only, never an accusation)."""
    rows = res['rows']
    if 'exposed_innocent' not in rows[0]:
        return
    print('\n| run (k) | rho | tokens read | most-exposed innocent (shared groups of 16) | its own test log10 p: '
          'median [min] | own test <= 1e-3 | own test <= 1e-3 / 24,000 | accused by the decoder |')
    print('|---|---|---|---|---|---|---|---|')
    for (run, rho, f, b), rs in groups(rows, ['run', 'rho', 'filter', 'budget']).items():
        if f != 'off':
            continue
        lp = [r['exposed_innocent_log10_p'] for r in rs]
        bonf = math.log10(1e-3 / res['config']['lab']['accounts'])
        print('| %s (%d) | %g%% | %s | %d (%d) | %s [%s] | %d/%d | %d/%d | %d/%d |' % (
            run, rs[0]['harvesters'], 100 * rho, f"{b:,}", rs[0]['exposed_innocent'],
            rs[0]['exposed_innocent_shared_groups'], fmt(med(lp)), fmt(min(lp)), sum(1 for v in lp if v <= -3),
            len(lp), sum(1 for v in lp if v <= bonf), len(lp), sum(1 for r in rs if r['exposed_innocent_accused']),
            len(rs)))
    print('\nAll rows: the most-exposed innocent\'s own test <= 1e-3 in %d of %d measurements (smallest log10 p '
          '%.1f); accused in %d.' % (sum(1 for r in rows if r['exposed_innocent_log10_p'] <= -3), len(rows),
                                     min(r['exposed_innocent_log10_p'] for r in rows),
                                     sum(1 for r in rows if r['exposed_innocent_accused'])))


def shared_groups(a, harvesters, q=31, length=16):
    def cw(x):
        d0, d1, d2 = x % q, (x // q) % q, (x // q // q) % q
        return [(d0 + d1 * i + d2 * i * i) % q for i in range(length)]
    w = cw(a)
    return sorted({i for h in harvesters for i in range(length) if cw(h)[i] == w[i]})


def controls(res):
    for run, fl in res['null_checks'].items():
        print('\n#### `%s` (null trials, one fresh never-deployed master key per trial)\n' % run)
        print('| filter | test | trials | KS p | p <= 0.01 [95% CI] | p <= 0.05 [95% CI] | p <= 0.1 [95% CI] '
              '| trials with an accusation |')
        print('|---|---|---|---|---|---|---|---|')
        for f, x in fl.items():
            for t in ['account_test', 'scan', 'distilled']:
                u = x[t]
                rej = ['%d (%.3f-%.3f)' % (y['count'], y['ci95_lower'], y['ci95_upper']) for y in u['rejections'][:3]]
                print('| %s | %s | %d | %s | %s | %s |' % (
                    f, t, u['n'], '%.3f' % u['ks_p_value'] if t == 'account_test' else '(conservative)',
                    ' | '.join(rej), ('%d/%d' % (x['trials_with_false_accusations'], x['trials']))
                    if t == 'account_test' else ''))
    rows = [r for r in res['rows'] if r['master'] == 'lab']
    if rows:
        print('\n#### Lab key on students of the unwatermarked teacher\n')
        print('| run | rho | filter | tokens read | account log10 p of the 4 accounts (median over seeds) '
              '| scan log10 p | group test log10 p | accused |')
        print('|---|---|---|---|---|---|---|---|')
        g = groups(rows, ['run', 'rho', 'filter', 'budget'])
        for (run, rho, f, b), rs in g.items():
            if f not in ('off', 'served-all'):
                continue
            accp = [med([r['account_log10_p'][i] or 0 for r in rs]) for i in range(len(rs[0]['account_log10_p']))]
            print('| %s | %g%% | %s | %s | %s | %s | %s | %d |' % (
                run, 100 * rho, f, f"{b:,}", ', '.join(fmt(x) for x in accp),
                fmt(med([r['scan_log10_p'] for r in rs])), fmt(med([r['distilled_log10_p'] for r in rs])),
                sum(len(r['accused']) for r in rs)))
    cal = res.get('calibration', {})
    for k, u in cal.items():
        print('calibration %s: n=%d KS p=%.3f rej@0.01=%d rej@0.05=%d' % (
            k, u['n'], u['ks_p_value'], u['rejections'][0]['count'], u['rejections'][1]['count']))


def neural(res):
    print('\n| run | filter | tokens read | distinct tuples | student final loss | account test log10 p (per seed) '
          '| statistic (per seed) | group test log10 p (per seed) | harvester found / false accusations |')
    print('|---|---|---|---|---|---|---|---|---|')
    for (run, f, b), rs in groups(res['rows'], ['run', 'filter', 'budget']).items():
        if f not in ('off', 'served-all'):
            continue
        rs = sorted(rs, key=lambda r: r['seed'])
        print('| %s | %s | %s | %s | %s | %s | %s | %s | %d/%d / %d |' % (
            run, f, f"{int(med([r['tokens_read'] for r in rs])):,}", f"{int(med([r['tuples_scored'] for r in rs])):,}",
            ', '.join('%.3f' % r.get('student_final_loss', float('nan')) for r in rs),
            ', '.join(fmt(first(r)) for r in rs), ', '.join('%.4f' % r['account_statistic'][0] for r in rs),
            ', '.join(fmt(r['distilled_log10_p']) for r in rs), sum(r['found'] for r in rs),
            sum(r['harvesters'] for r in rs) if rs[0]['corpus'] != 'plain' else 0,
            sum(r['false_accused'] for r in rs)))
    for k, u in res.get('calibration', {}).items():
        print('calibration %s: n=%d KS p=%.3f; p <= 0.01 / 0.05 / 0.1: %s' % (
            k, u['n'], u['ks_p_value'], ' / '.join('%d (%.3f-%.3f)' % (y['count'], y['ci95_lower'], y['ci95_upper'])
                                                   for y in u['rejections'][:3])))


def null_gumbel(res):
    """The lab key on the Gumbel rho = 0 students vs 200 never-deployed keys on the same text."""
    import csv
    cal = {}
    with open(os.path.join(HERE, 'null-gumbel', 'null-gumbel-calibration.csv')) as f:
        for row in csv.DictReader(f):
            cal.setdefault((row['filter'], int(row['trial'])), []).append(float(row['log10_p']))
    print('\n| seed | filter | tokens read | lab key log10 p | never-deployed keys (of 200) at or below it '
          '| smallest never-deployed log10 p |')
    print('|---|---|---|---|---|---|')
    for r in res['rows']:
        v = cal[(r['filter'], r['seed'])] if r['budget'] == max(x['budget'] for x in res['rows']) else None
        lab = first(r)
        print('| %d | %s | %s | %.2f | %s | %s |' % (
            r['seed'], r['filter'], f"{r['tokens_read']:,}", lab,
            '%d' % sum(1 for y in v if y <= lab) if v else '(calibration at the largest budget only)',
            '%.2f' % min(v) if v else ''))
    for k, u in res['calibration'].items():
        print('calibration %s: n=%d KS p=%.3f; p <= 0.01 / 0.05 / 0.1: %s' % (
            k, u['n'], u['ks_p_value'], ' / '.join('%d (%.3f-%.3f)' % (y['count'], y['ci95_lower'], y['ci95_upper'])
                                                   for y in u['rejections'][:3])))


def beyond_bound(res):
    """The attribution students decoded with a smaller coalition bound d (k > d is beyond it)."""
    lab = res['lab']
    print('\nDecoder with coalition bound d = %d (threshold %d of 16 groups), alpha = %g:' % (
        lab['coalition_bound'], lab['threshold'], lab['alpha']))
    print('\n| run (k) | rho | filter | tokens read | harvesters found | trials with a false accusation '
          '| innocent accounts accused (total) | innocent max positive groups |')
    print('|---|---|---|---|---|---|---|---|')
    for (run, rho, f, b), rs in groups(res['rows'], ['run', 'rho', 'filter', 'budget']).items():
        print('| %s (%d) | %g%% | %s | %s | %d/%d | %d/%d | %d | %d |' % (
            run, rs[0]['harvesters'], 100 * rho, f, f"{b:,}", sum(r['found'] for r in rs),
            sum(r['harvesters'] for r in rs), sum(1 for r in rs if r['false_accused'] > 0), len(rs),
            sum(r['false_accused'] for r in rs), max(r['innocent_max_positive_groups'] for r in rs)))


if __name__ == '__main__':
    for name in sys.argv[1:] or ['ngram', 'attribution', 'controls', 'neural', 'null-gumbel', 'beyond-bound']:
        path = os.path.join(HERE, name, name + '.json')
        if not os.path.exists(path):
            print('(%s: no results yet)' % name)
            continue
        print('\n### %s\n' % name)
        globals()[name.replace('-', '_')](load(name))
