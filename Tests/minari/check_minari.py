"""Minari interop, both ways, with the real `minari` package (0.5.4):
1. Pavlov's record_episodes writes three datasets; minari.load_dataset reads them, and every array
   equals what Pavlov logged (dtypes as Minari's own writer makes them: float32 boxes, int64
   discrete values, float64 rewards, bool flags).
2. minari.create_dataset_from_buffers writes a dataset; Pavlov's load_dataset reads it, and every
   array equals what Python wrote.

    python check_minari.py PAVLOV_BINARY WORK_FOLDER
"""
import json
import os
import subprocess
import sys
import warnings

import numpy as np

pavlov, work = sys.argv[1], sys.argv[2]
here = os.path.dirname(os.path.abspath(__file__))
os.environ["MINARI_DATASETS_PATH"] = work
warnings.simplefilter("ignore", UserWarning)  # minari's advice to name an author and a permalink
import gymnasium as gym  # noqa: E402
import minari  # noqa: E402
from minari.data_collector import EpisodeBuffer  # noqa: E402

failures = []


def check(condition, what):
    if not condition:
        failures.append(what)


subprocess.run([pavlov, "run", os.path.join(here, "record.pav"), work], check=True)
expected_types = {"cartpole": (np.float32, np.int64), "pendulum": (np.float32, np.float32), "frozenlake": (np.int64, np.int64),
                  "hazards": (np.int64, np.int64)}
for name, (obs_type, act_type) in expected_types.items():
    logged = json.load(open(os.path.join(work, f"{name}.json")))
    ds = minari.load_dataset(f"pavlov/{name}-v0")
    check(ds.total_episodes == len(logged["episodes"]), f"{name}: total_episodes")
    check(ds.total_steps == logged["total_steps"], f"{name}: total_steps")
    for ep, want in zip(ds.iterate_episodes(), logged["episodes"]):
        check(ep.observations.dtype == obs_type and ep.actions.dtype == act_type, f"{name}: dtypes {ep.observations.dtype} {ep.actions.dtype}")
        check(ep.rewards.dtype == np.float64 and ep.terminations.dtype == np.bool_, f"{name}: reward/flag dtypes")
        check(np.array_equal(ep.observations, np.asarray(want["observations"], obs_type)), f"{name} episode {ep.id}: observations")
        check(np.array_equal(ep.actions, np.asarray(want["actions"], act_type)), f"{name} episode {ep.id}: actions")
        check(np.array_equal(ep.rewards, np.asarray(want["rewards"])), f"{name} episode {ep.id}: rewards")
        check(np.array_equal(ep.terminations, np.asarray(want["terminations"])), f"{name} episode {ep.id}: terminations")
        check(np.array_equal(ep.truncations, np.asarray(want["truncations"])), f"{name} episode {ep.id}: truncations")
        if want["costs"] is None:
            check("cost" not in ep.infos, f"{name} episode {ep.id}: no costs were logged")
        else:  # the reset's info first, as Minari's own collector logs infos
            check(np.array_equal(ep.infos["cost"], np.asarray([0.0] + want["costs"])), f"{name} episode {ep.id}: infos cost")
    check(len(ds.observation_space.shape or ()) >= 0 and ds.action_space is not None, f"{name}: spaces")
print(f"   minari read Pavlov's datasets: {sorted(minari.list_local_datasets())}")

# Minari writes, Pavlov reads.
rng = np.random.default_rng(0)
env = gym.make("CartPole-v1")
buffers = []
for i, steps in enumerate([4, 7]):
    buffers.append(EpisodeBuffer(id=i, seed=100 + i, observations=rng.normal(size=(steps + 1, 4)).astype(np.float32),
                                 actions=rng.integers(0, 2, steps).astype(np.int64), rewards=rng.normal(size=steps),
                                 terminations=np.arange(steps) == steps - 1, truncations=np.zeros(steps, bool),
                                 infos={"cost": np.concatenate([[0.0], rng.integers(0, 3, steps).astype(np.float64)])}))
minari.create_dataset_from_buffers("python/cartpole-v0", buffer=buffers, env=env, algorithm_name="check_minari")
out = os.path.join(work, "python.json")
subprocess.run([pavlov, "run", os.path.join(here, "read.pav"), os.path.join(work, "python/cartpole-v0"), out], check=True)
got = json.load(open(out))
check(got["id"] == "python/cartpole-v0" and got["total_steps"] == 11 and got["transitions"] == 11, "python dataset totals")
for buffer, ep in zip(buffers, got["episodes"]):
    check(np.array_equal(np.asarray(ep["observations"], np.float32), buffer.observations), f"python episode {buffer.id}: observations")
    check(np.array_equal(np.asarray(ep["actions"]), buffer.actions), f"python episode {buffer.id}: actions")
    check(np.array_equal(np.asarray(ep["rewards"]), buffer.rewards), f"python episode {buffer.id}: rewards")
    check(np.array_equal(np.asarray(ep["terminations"]), buffer.terminations), f"python episode {buffer.id}: terminations")
    check(ep["seed"] == buffer.seed, f"python episode {buffer.id}: seed")
    check(np.array_equal(np.asarray(ep["costs"]), buffer.infos["cost"][1:]), f"python episode {buffer.id}: costs (infos cost after the reset's)")
print("   Pavlov read minari's dataset python/cartpole-v0: 2 episodes, 11 steps")

for f in failures:
    print("FAIL", f)
sys.exit(1 if failures else 0)
