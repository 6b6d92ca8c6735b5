"""CartPole-v1 steps per second with random actions, in Gymnasium (a single env, and
SyncVectorEnv with 8 copies) and in envpool (8 envs on the machine's cores).

Each loop samples a random action per step the way a Gymnasium user does
(env.action_space.sample()) and resets finished episodes.

    python cartpole_gym.py [--smoke]
"""
import os
import sys
import time

import gymnasium as gym
import numpy as np

smoke = "--smoke" in sys.argv
steps = 2_000 if smoke else 200_000
reps = 1 if smoke else 3


def best_rate(run):
    rates = []
    for _ in range(reps):
        start = time.perf_counter()
        done = run()
        rates.append(done / (time.perf_counter() - start))
    return max(rates)


def single():
    env = gym.make("CartPole-v1")
    env.reset(seed=0)
    env.action_space.seed(0)
    for _ in range(steps):
        _, _, terminated, truncated, _ = env.step(env.action_space.sample())
        if terminated or truncated:
            env.reset()
    return steps


def sync_vector(n=8):
    envs = gym.vector.SyncVectorEnv([lambda: gym.make("CartPole-v1") for _ in range(n)])
    envs.reset(seed=0)
    envs.action_space.seed(0)
    for _ in range(steps // n):
        envs.step(envs.action_space.sample())  # finished copies reset themselves
    return (steps // n) * n


def envpool_vector(n=8):
    import envpool

    envs = envpool.make_gymnasium("CartPole-v1", num_envs=n, batch_size=n, num_threads=os.cpu_count() or 2, seed=0)
    envs.reset()
    rng = np.random.default_rng(0)
    for _ in range(steps // n):
        envs.step(rng.integers(0, 2, size=n))
    return (steps // n) * n


print(f"# gymnasium {gym.__version__}, numpy {np.__version__}, {steps} steps x {reps} reps (best)")
print(f"RESULT gym_single_steps_per_s {best_rate(single):.6g} steps/s")
print(f"RESULT gym_sync_vector8_steps_per_s {best_rate(sync_vector):.6g} steps/s")
try:
    print(f"RESULT envpool8_steps_per_s {best_rate(envpool_vector):.6g} steps/s")
except Exception as error:  # envpool does not install everywhere
    print(f"# envpool unavailable: {error}")
