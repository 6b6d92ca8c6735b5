"""SAC or TD3 on Pendulum-v1 with Stable-Baselines3 and RL Zoo's settings, the peers of
examples/pendulum_sac.pav and examples/pendulum_td3.pav: 20k steps, then a deterministic
10-episode evaluation.

    python offpolicy_sb3.py --algo sac|td3 [--seed N] [--steps N] [--threads N]

Prints one line:
    RESULT impl=sb3 algo=A seed=S steps=N train_s=T eval_mean=M eval_std=D
train_s is the wall-clock of building the model and model.learn.
"""
import argparse
import time

import numpy as np
import torch
from stable_baselines3 import SAC, TD3
from stable_baselines3.common.env_util import make_vec_env
from stable_baselines3.common.evaluation import evaluate_policy
from stable_baselines3.common.noise import NormalActionNoise

parser = argparse.ArgumentParser()
parser.add_argument("--algo", choices=["sac", "td3"], default="sac")
parser.add_argument("--seed", type=int, default=0)
parser.add_argument("--steps", type=int, default=20_000)
parser.add_argument("--threads", type=int, default=1)
options = parser.parse_args()
torch.set_num_threads(options.threads)

env = make_vec_env("Pendulum-v1", n_envs=1, seed=options.seed)
start = time.perf_counter()
if options.algo == "sac":
    model = SAC("MlpPolicy", env, learning_rate=1e-3, seed=options.seed, device="cpu", verbose=0)
else:
    noise = NormalActionNoise(mean=np.zeros(1), sigma=0.1 * np.ones(1))
    model = TD3("MlpPolicy", env, gamma=0.98, buffer_size=200_000, learning_starts=10_000, action_noise=noise,
                learning_rate=1e-3, seed=options.seed, device="cpu", verbose=0)
model.learn(total_timesteps=options.steps)
train_s = time.perf_counter() - start
mean, std = evaluate_policy(model, model.get_env(), n_eval_episodes=10, deterministic=True)
print(f"RESULT impl=sb3 algo={options.algo} seed={options.seed} steps={options.steps} train_s={train_s:.2f} eval_mean={mean:.1f} eval_std={std:.1f}")
