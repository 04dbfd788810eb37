#!/usr/bin/env python3
# Merges `medtraverse-cli eval cfrt --json` files of the same findings run on consecutive seed chunks
# (docs/traversal.md): flips and per-seed values concatenated, gains and identity weighted by seeds,
# cosine mean and s.d. pooled.   tools/merge_cfrt.py OUT.json CHUNK.json [CHUNK.json ...]
import json, math, sys
if len(sys.argv) < 3:
    sys.exit('usage: merge_cfrt.py OUT.json CHUNK.json [CHUNK.json ...]')
def main():
    files = sys.argv[2:]
    merged = None
    for f in files:
        d = json.load(open(f))
        if merged is None:
            merged = {k: d[k] for k in ('model', 'steps', 'guidance', 'frames', 'threads')}
            merged['results'] = {}
        for r in d['results']:
            m = merged['results'].setdefault(r['finding'], {'finding': r['finding'], 'neutral_prompt': r['neutral_prompt'],
                 'attribute_prompt': r['attribute_prompt'], 'others': r['others'], 'swaps': r['swaps'], 'chunks': []})
            m['chunks'].append(r)
    rows = []
    for name, m in merged['results'].items():
        ch = m.pop('chunks')
        seeds = sum((c['seeds'] for c in ch), [])
        n = len(seeds)
        fs = sum((c['flips_swapped'] for c in ch), []); fb = sum((c['flips_bezier'] for c in ch), [])
        m['seeds'] = seeds; m['flips_swapped'] = fs; m['flips_bezier'] = fb
        m['cfrt_swapped'] = sum(fs) / n; m['cfrt_bezier'] = sum(fb) / n
        m['mean_target_gain_swapped'] = sum(c['mean_target_gain_swapped'] * len(c['seeds']) for c in ch) / n
        m['mean_target_gain_bezier'] = sum(c['mean_target_gain_bezier'] * len(c['seeds']) for c in ch) / n
        K = len(m['swaps']); cm = []; cs = []
        for k in range(K):
            s1 = sum(len(c['seeds']) * c['cosine_mean'][k] for c in ch)
            s2 = sum((len(c['seeds']) - 1) * c['cosine_std'][k] ** 2 + len(c['seeds']) * c['cosine_mean'][k] ** 2 for c in ch)
            mean = s1 / n; cm.append(mean); cs.append(math.sqrt(max(0, (s2 - n * mean * mean) / (n - 1))))
        m['cosine_mean'] = cm; m['cosine_std'] = cs
        if all('identity' in c for c in ch):
            ps = sum((c['identity']['per_seed_swapped'] for c in ch), []); pb = sum((c['identity']['per_seed_bezier'] for c in ch), [])
            fac = {}
            for f in ch[0]['identity']['per_factor']:
                fac[f] = {k: sum(c['identity']['per_factor'][f][k] * len(c['seeds']) for c in ch) / n for k in ('swapped', 'bezier')}
            m['identity'] = {'units': ch[0]['identity']['units'], 'swapped': sum(ps) / n, 'bezier': sum(pb) / n,
                             'per_seed_swapped': ps, 'per_seed_bezier': pb, 'per_factor': fac}
        m['seconds_per_seed'] = sum(c['seconds_per_seed'] * len(c['seeds']) for c in ch) / n
        m['chunks'] = [f"{c['seeds'][0]}-{c['seeds'][-1]}" for c in ch]
        rows.append(m)
    merged['results'] = rows
    json.dump(merged, open(sys.argv[1], 'w'), indent=2)
    for m in rows:
        idn = m.get('identity', {})
        top = sorted(idn.get('per_factor', {}).items(), key=lambda kv: -kv[1]['swapped'])[:3]
        print(f"{m['finding']:18} n={len(m['seeds']):3} cfrt {m['cfrt_swapped']:.3f}/{m['cfrt_bezier']:.3f} gain {m['mean_target_gain_swapped']:.3f}/{m['mean_target_gain_bezier']:.3f} "
              f"id {idn.get('swapped', float('nan')):.3f}/{idn.get('bezier', float('nan')):.3f} top {[(k, round(v['swapped'],2)) for k,v in top]}")
        print('   cos', ' '.join(f"{a:.3f}±{b:.3f}" for a, b in zip(m['cosine_mean'], m['cosine_std'])))


if __name__ == "__main__":
    main()
