"""Off-policy evaluation: Pavlov's `ope` against the Open Bandit Pipeline (obp 0.5.7) on the same
synthetic logged data, side by side in one run.

obp's SyntheticBanditDataset logs rounds with a linear behaviour policy; the evaluation policy is
epsilon-greedy on the expected rewards and the reward model obp's RegressionModel (logistic
regression, cross-fitted). The arrays go to a JSON file that Benchmarks/ope/ope.pav reads, so
both sides estimate from the same numbers. Point estimates must agree to 1e-6; the intervals are
both percentile bootstraps, drawn from different random generators, so they agree only roughly.

    Benchmarks/.venv/bin/python Benchmarks/ope/compare_obp.py [--rounds N] [--seeds 0,1,2] [--smoke]
"""
import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time

import numpy as np
from sklearn.linear_model import LogisticRegression

from obp.dataset import SyntheticBanditDataset, linear_behavior_policy, logistic_reward_function
from obp.ope import (DirectMethod, DoublyRobust, InverseProbabilityWeighting, OffPolicyEvaluation,
                     RegressionModel, SelfNormalizedInverseProbabilityWeighting)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
NAMES = {"dm": "dm", "ipw": "ips", "snipw": "snips", "dr": "dr"}  # obp's names → Pavlov's


def cpu_model():
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor()


def one_seed(seed, rounds, bootstrap, pavlov):
    dataset = SyntheticBanditDataset(n_actions=10, dim_context=5, reward_type="binary",
                                     reward_function=logistic_reward_function,
                                     behavior_policy_function=linear_behavior_policy, random_state=seed)
    feedback = dataset.obtain_batch_bandit_feedback(n_rounds=rounds)
    expected = feedback["expected_reward"]
    # Epsilon-greedy on the true expected rewards (ε = 0.3), as obp's examples do.
    greedy = np.zeros_like(expected)
    greedy[np.arange(rounds), expected.argmax(1)] = 1
    target = (0.7 * greedy + 0.3 / expected.shape[1])[:, :, None]
    model = RegressionModel(n_actions=dataset.n_actions, base_model=LogisticRegression(random_state=seed))
    q_hat = model.fit_predict(context=feedback["context"], action=feedback["action"], reward=feedback["reward"],
                              n_folds=3, random_state=seed)
    estimators = [DirectMethod(), InverseProbabilityWeighting(), SelfNormalizedInverseProbabilityWeighting(), DoublyRobust()]
    ope = OffPolicyEvaluation(bandit_feedback=feedback, ope_estimators=estimators)
    t0 = time.perf_counter()
    values = ope.estimate_policy_values(action_dist=target, estimated_rewards_by_reg_model=q_hat)
    intervals = ope.estimate_intervals(action_dist=target, estimated_rewards_by_reg_model=q_hat,
                                       n_bootstrap_samples=bootstrap, random_state=seed)
    obp_seconds = time.perf_counter() - t0
    truth = dataset.calc_ground_truth_policy_value(expected_reward=expected, action_dist=target)

    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump({"rewards": feedback["reward"].tolist(), "actions": feedback["action"].tolist(),
                   "pscores": feedback["pscore"].tolist(), "target_probs": target[:, :, 0].tolist(),
                   "q_hat": q_hat[:, :, 0].tolist(), "bootstrap": bootstrap}, f)
        path = f.name
    try:
        out = subprocess.run([pavlov, "run", os.path.join(ROOT, "Benchmarks/ope/ope.pav"), path],
                             capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(path)
    line = next(l for l in out.splitlines() if l.startswith("RESULT "))
    result = json.loads(line[len("RESULT "):])
    rows = []
    for obp_name, name in NAMES.items():
        ours = result["estimates"][name]
        interval = intervals[obp_name]
        rows.append({"estimator": name, "obp": values[obp_name], "pavlov": ours["value"],
                     "diff": abs(values[obp_name] - ours["value"]),
                     "obp_interval": [interval["95.0% CI (lower)"], interval["95.0% CI (upper)"]],
                     "pavlov_interval": [ours["low"], ours["high"]]})
    return {"seed": seed, "truth": truth, "rows": rows, "obp_seconds": obp_seconds, "pavlov_seconds": result["seconds"]}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=10000)
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--bootstrap", type=int, default=1000)
    parser.add_argument("--smoke", action="store_true", help="1,000 rounds, one seed, 100 resamples")
    parser.add_argument("--pavlov", default=os.path.join(ROOT, ".build/release/pavlov"))
    a = parser.parse_args()
    seeds = [int(s) for s in a.seeds.split(",")]
    if a.smoke:
        a.rounds, seeds, a.bootstrap = 1000, seeds[:1], 100
    print(f"# off-policy evaluation: pavlov ope vs obp 0.5.7, {a.rounds} rounds, 10 actions, "
          f"{a.bootstrap} bootstrap resamples; CPU {cpu_model()}, {os.cpu_count()} cores")
    worst = 0.0
    for seed in seeds:
        r = one_seed(seed, a.rounds, a.bootstrap, a.pavlov)
        print(f"\nseed {seed}: true value {r['truth']:.6f}; estimation + intervals took obp {r['obp_seconds']:.3f} s, "
              f"pavlov {r['pavlov_seconds']:.3f} s (ratio {r['obp_seconds'] / max(r['pavlov_seconds'], 1e-9):.1f}×)")
        print(f"{'estimator':<10}{'obp':>12}{'pavlov':>12}{'|diff|':>10}   {'obp 95% interval':<22}{'pavlov 95% interval':<22}")
        for row in r["rows"]:
            lo, hi = row["obp_interval"]; plo, phi = row["pavlov_interval"]
            print(f"{row['estimator']:<10}{row['obp']:>12.6f}{row['pavlov']:>12.6f}{row['diff']:>10.1e}   "
                  f"[{lo:.4f}, {hi:.4f}]       [{plo:.4f}, {phi:.4f}]")
            worst = max(worst, row["diff"])
    ok = worst <= 1e-6
    print(f"\nlargest |obp − pavlov| over every estimate: {worst:.2e} (target ≤ 1e-6: {'met' if ok else 'MISSED'})")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
