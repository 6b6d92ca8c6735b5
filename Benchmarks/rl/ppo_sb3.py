"""PPO on CartPole-v1 with Stable-Baselines3 and RL Zoo's tuned hyperparameters (8 envs,
n_steps 32, batch 256, 20 epochs, GAE lambda 0.8, gamma 0.98, lr and clip range linear from
1e-3 and 0.2, MlpPolicy 64-64 tanh), then a deterministic 20-episode evaluation.

    python ppo_sb3.py [--seed N] [--steps N] [--threads N] [--smoke]

Prints one line:
    RESULT impl=sb3 seed=S steps=N train_s=T eval_mean=M eval_std=D peak_rss_mb=R

train_s is the wall-clock of building the model and model.learn (imports and env creation
excluded, as on the Pavlov side); peak_rss_mb is the process's peak resident memory (VmHWM)
at the end. --threads sets torch.set_num_threads (default 1, the Pavlov side then gets
OPENBLAS_NUM_THREADS=1; see run_ppo.sh).
"""
import argparse
import time

import torch
from stable_baselines3 import PPO
from stable_baselines3.common.env_util import make_vec_env
from stable_baselines3.common.evaluation import evaluate_policy

parser = argparse.ArgumentParser()
parser.add_argument("--seed", type=int, default=0)
parser.add_argument("--steps", type=int, default=100_000)
parser.add_argument("--threads", type=int, default=1)
parser.add_argument("--smoke", action="store_true")
options = parser.parse_args()
steps = 4_096 if options.smoke else options.steps
torch.set_num_threads(options.threads)


def linear(initial):
    return lambda progress_remaining: progress_remaining * initial


def peak_rss_mb():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


env = make_vec_env("CartPole-v1", n_envs=8, seed=options.seed)
start = time.perf_counter()
model = PPO("MlpPolicy", env, n_steps=32, batch_size=256, gae_lambda=0.8, gamma=0.98, n_epochs=20,
            ent_coef=0.0, learning_rate=linear(1e-3), clip_range=linear(0.2), seed=options.seed,
            device="cpu", verbose=0)
model.learn(total_timesteps=steps)
train_s = time.perf_counter() - start

eval_env = make_vec_env("CartPole-v1", n_envs=1, seed=10_000 + options.seed)
mean, std = evaluate_policy(model, eval_env, n_eval_episodes=20, deterministic=True)
print(f"RESULT impl=sb3 seed={options.seed} steps={model.num_timesteps} train_s={train_s:.3f} "
      f"eval_mean={mean:.1f} eval_std={std:.1f} peak_rss_mb={peak_rss_mb():.1f}")
