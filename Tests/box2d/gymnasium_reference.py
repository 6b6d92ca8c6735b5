"""Episode statistics of Gymnasium's Box2D environments, the reference for Pavlov's parity test
(Tests/PavlovGymTests/Box2DParityTests.swift). Box2D is 2.3 under Gymnasium (pybox2d) and 2.4 in
Pavlov (Debian's libbox2d), so the two agree in distribution, not step by step.

Run (writes gymnasium_reference.json beside this file):
    python -m venv .venv-box2d && .venv-box2d/bin/pip install gymnasium==1.4.0 box2d==2.3.10 numpy
    .venv-box2d/bin/python Tests/box2d/gymnasium_reference.py
"""
import json
import math
import os
import platform

import gymnasium as gym
import numpy as np
from gymnasium.envs.box2d.lunar_lander import heuristic

RUNS = [
    ("LunarLander-v3", "random", 4000),
    ("LunarLanderContinuous-v3", "random", 4000),
    ("LunarLander-v3", "heuristic", 1000),
    ("LunarLanderContinuous-v3", "heuristic", 1000),
    ("BipedalWalker-v3", "random", 1500),
    ("BipedalWalkerHardcore-v3", "random", 1500),
]


def episodes(env_id, policy, count):
    env = gym.make(env_id)
    env.action_space.seed(0)
    returns, lengths = [], []
    for episode in range(count):
        obs, _ = env.reset(seed=episode)
        total, steps = 0.0, 0
        while True:
            action = heuristic(env, obs) if policy == "heuristic" else env.action_space.sample()
            obs, reward, terminated, truncated, _ = env.step(action)
            total += float(reward)
            steps += 1
            if terminated or truncated:
                break
        returns.append(total)
        lengths.append(steps)
    def summary(values):
        values = np.asarray(values, dtype=np.float64)
        return {"mean": float(values.mean()), "standard_error": float(values.std(ddof=1) / math.sqrt(len(values)))}
    return {"env": env_id, "policy": policy, "episodes": count, "return": summary(returns), "length": summary(lengths)}


def main():
    results = []
    for env_id, policy, count in RUNS:
        result = episodes(env_id, policy, count)
        print(f"{env_id:26} {policy:9} return {result['return']['mean']:8.2f} ± {result['return']['standard_error']:.2f}"
              f"  length {result['length']['mean']:7.1f} ± {result['length']['standard_error']:.1f}", flush=True)
        results.append(result)
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "gymnasium_reference.json")
    with open(out, "w") as f:
        json.dump({"gymnasium": gym.__version__, "python": platform.python_version(), "runs": results}, f, indent=1)
        f.write("\n")
    print("wrote", out)


if __name__ == "__main__":
    main()
