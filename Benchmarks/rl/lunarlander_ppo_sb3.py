"""PPO on LunarLander-v3 with Stable-Baselines3 and RL Zoo's tuned settings (16 envs, n_steps
1024, batch 64, 4 epochs, GAE lambda 0.98, gamma 0.999, entropy 0.01, MlpPolicy 64-64 tanh),
1M steps, then a deterministic 10-episode evaluation: the peer of
`pavlov train --algo PPO --env LunarLander-v3` with the same settings (run_lunarlander.sh).

    python lunarlander_ppo_sb3.py [--seed N] [--steps N] [--threads N]

Prints one line:
    RESULT impl=sb3 seed=S steps=N train_s=T eval_mean=M eval_std=D
train_s is the wall-clock of building the model and model.learn.
"""
import argparse
import time

import torch
from stable_baselines3 import PPO
from stable_baselines3.common.env_util import make_vec_env
from stable_baselines3.common.evaluation import evaluate_policy

parser = argparse.ArgumentParser()
parser.add_argument("--seed", type=int, default=0)
parser.add_argument("--steps", type=int, default=1_000_000)
parser.add_argument("--threads", type=int, default=1)
options = parser.parse_args()
torch.set_num_threads(options.threads)

env = make_vec_env("LunarLander-v3", n_envs=16, seed=options.seed)
start = time.perf_counter()
model = PPO("MlpPolicy", env, n_steps=1024, batch_size=64, gae_lambda=0.98, gamma=0.999, n_epochs=4,
            ent_coef=0.01, seed=options.seed, device="cpu", verbose=0)
model.learn(total_timesteps=options.steps)
train_s = time.perf_counter() - start
mean, std = evaluate_policy(model, make_vec_env("LunarLander-v3", n_envs=1, seed=options.seed + 1000),
                            n_eval_episodes=10, deterministic=True)
print(f"RESULT impl=sb3 seed={options.seed} steps={options.steps} train_s={train_s:.2f} eval_mean={mean:.1f} eval_std={std:.1f}")
