"""DQN on CartPole-v1 with Stable-Baselines3 and RL Zoo's tuned hyperparameters
(hyperparams/dqn.yml: 50k steps, lr 2.3e-3, batch 64, buffer 100k, learning_starts 1000,
gamma 0.99, target_update_interval 10, train_freq 256, gradient_steps 128, exploration
fraction 0.16 to eps 0.04, MlpPolicy 256-256 ReLU), then a deterministic 20-episode evaluation.

    python dqn_sb3.py [--seed N] [--steps N] [--threads N] [--smoke]

Prints one line:
    RESULT impl=sb3 seed=S steps=N train_s=T eval_mean=M eval_std=D peak_rss_mb=R

train_s is the wall-clock of building the model and model.learn (imports and env creation
excluded, as on the Pavlov side); SB3 finishes its last 256-step rollout, so it takes 50,176
steps where Pavlov takes exactly 50,000. peak_rss_mb is the process's peak resident memory
(VmHWM) at the end. --threads sets torch.set_num_threads (default 1; see run_dqn.sh).
"""
import argparse
import time

import torch
from stable_baselines3 import DQN
from stable_baselines3.common.env_util import make_vec_env
from stable_baselines3.common.evaluation import evaluate_policy

parser = argparse.ArgumentParser()
parser.add_argument("--seed", type=int, default=0)
parser.add_argument("--steps", type=int, default=50_000)
parser.add_argument("--threads", type=int, default=1)
parser.add_argument("--smoke", action="store_true")
options = parser.parse_args()
steps = 3_000 if options.smoke else options.steps
torch.set_num_threads(options.threads)


def peak_rss_mb():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


env = make_vec_env("CartPole-v1", n_envs=1, seed=options.seed)
start = time.perf_counter()
model = DQN("MlpPolicy", env, learning_rate=2.3e-3, batch_size=64, buffer_size=100_000, learning_starts=1000,
            gamma=0.99, target_update_interval=10, train_freq=256, gradient_steps=128, exploration_fraction=0.16,
            exploration_final_eps=0.04, policy_kwargs=dict(net_arch=[256, 256]), seed=options.seed,
            device="cpu", verbose=0)
model.learn(total_timesteps=steps)
train_s = time.perf_counter() - start

eval_env = make_vec_env("CartPole-v1", n_envs=1, seed=10_000 + options.seed)
mean, std = evaluate_policy(model, eval_env, n_eval_episodes=20, deterministic=True)
print(f"RESULT impl=sb3 seed={options.seed} steps={model.num_timesteps} train_s={train_s:.3f} "
      f"eval_mean={mean:.1f} eval_std={std:.1f} peak_rss_mb={peak_rss_mb():.1f}")
