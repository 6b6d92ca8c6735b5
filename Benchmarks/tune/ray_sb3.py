"""The peer of examples/tune_ppo.pav: Ray Tune running the same search and scheduler over
Stable-Baselines3's PPO on CartPole-v1 — 64 configs of lr (loguniform 1e-4..3e-3), clip
(0.1/0.2/0.3), ent_coef (0/0.001/0.01) and n_steps (16/32/64), RL Zoo's other settings (8 envs,
batch 256, 20 epochs, gamma 0.98, GAE lambda 0.8, 64-64 tanh); ASHA on mean_return (the last
100 training episodes) with time_attr timesteps, max_t 100k, grace 10k, reduction factor 3;
a deterministic 10-episode evaluation every 10 rollouts, and a trial ends once it reaches 475.
Two trials at once, one CPU and one torch thread each.

    python ray_sb3.py [--samples N] [--max-t N] [--concurrent N]

Prints one line:
    RESULT impl=ray_sb3 trials=N first_solved_s=S total_s=T solved_trials=K
first_solved_s is the wall time from the sweep's start until the first trial's evaluation
reached 475 (nan if none did); total_s the whole sweep (Ray's own startup included, as the
user waits for it too).
"""
import argparse
import math
import os
import tempfile
import time

parser = argparse.ArgumentParser()
parser.add_argument("--samples", type=int, default=64)
parser.add_argument("--max-t", type=int, default=100_000)
parser.add_argument("--concurrent", type=int, default=2)
parser.add_argument("--seed", type=int, default=0)
options = parser.parse_args()

start = time.time()
import ray
from ray import train, tune
from ray.tune.schedulers import ASHAScheduler
from ray.tune.search.basic_variant import BasicVariantGenerator


def trial(config):
    import torch
    from stable_baselines3 import PPO
    from stable_baselines3.common.callbacks import BaseCallback
    from stable_baselines3.common.env_util import make_vec_env
    from stable_baselines3.common.evaluation import evaluate_policy
    import gymnasium

    torch.set_num_threads(1)
    env = make_vec_env("CartPole-v1", n_envs=8, seed=0)
    eval_env = gymnasium.make("CartPole-v1")
    model = PPO("MlpPolicy", env, n_steps=config["n_steps"], batch_size=256, n_epochs=20, gamma=0.98,
                gae_lambda=0.8, learning_rate=config["lr"], clip_range=config["clip"], ent_coef=config["ent_coef"],
                seed=0, device="cpu", verbose=0)

    class Report(BaseCallback):
        rollouts = 0

        def _on_step(self):
            return True

        def _on_rollout_end(self):
            self.rollouts += 1
            buffer = self.model.ep_info_buffer
            metrics = {"timesteps": self.num_timesteps,
                       "mean_return": sum(e["r"] for e in buffer) / len(buffer) if buffer else 0.0}
            if self.rollouts % 10 == 0:
                mean, _ = evaluate_policy(self.model, eval_env, n_eval_episodes=10, deterministic=True)
                metrics["eval_mean_return"] = float(mean)
                if mean >= 475:
                    metrics["solved_at"] = time.time()
            train.report(metrics)

    model.learn(total_timesteps=options.max_t * 10, callback=Report())


space = {
    "lr": tune.loguniform(1e-4, 3e-3),
    "clip": tune.choice([0.1, 0.2, 0.3]),
    "ent_coef": tune.choice([0.0, 0.001, 0.01]),
    "n_steps": tune.choice([16, 32, 64]),
}


class SolvedOrMaxT(tune.Stopper):
    """A trial ends once its evaluation reaches 475 (ASHA ends it at max_t)."""

    def __call__(self, trial_id, result):
        return result.get("eval_mean_return", 0.0) >= 475

    def stop_all(self):
        return False


ray.init(address="local", num_cpus=options.concurrent, include_dashboard=False, log_to_driver=False, logging_level="ERROR")
storage = tempfile.mkdtemp(prefix="ray-sb3-")
tuner = tune.Tuner(
    tune.with_resources(trial, {"cpu": 1}),
    param_space=space,
    tune_config=tune.TuneConfig(
        num_samples=options.samples, metric="mean_return", mode="max", max_concurrent_trials=options.concurrent,
        search_alg=BasicVariantGenerator(random_state=options.seed),
        scheduler=ASHAScheduler(time_attr="timesteps", max_t=options.max_t, grace_period=options.max_t // 10, reduction_factor=3)),
    run_config=train.RunConfig(stop=SolvedOrMaxT(), storage_path=storage, verbose=0),
)
results = tuner.fit()
total = time.time() - start
solved = [r.metrics_dataframe["solved_at"].dropna().min() for r in results
          if r.metrics_dataframe is not None and "solved_at" in r.metrics_dataframe]
solved = [s for s in solved if not math.isnan(s)]
first = min(solved) - start if solved else float("nan")
print(f"RESULT impl=ray_sb3 trials={len(results)} first_solved_s={first:.1f} total_s={total:.1f} solved_trials={len(solved)}")
