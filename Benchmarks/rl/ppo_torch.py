"""PPO on CartPole-v1 in PyTorch on Gymnasium, one file in the CleanRL manner, with CleanRL's
ppo.py settings (4 envs x 128 steps, 4 epochs x 4 minibatches, lr 2.5e-4 annealed, gamma 0.99,
GAE lambda 0.95, clip 0.2, entropy 0.01, value 0.5, grad norm 0.5) and the algorithm exactly
as Pavlov's twin (stdlib/ppo.pav) runs it, so the two sides do the same work:

- separate 64-64 tanh MLPs for policy and value, orthogonal weights (gain sqrt 2, heads 0.01
  and 1), zero biases; one Adam (eps 1e-5) over both;
- same-step autoreset; an episode cut by the time limit bootstraps from V(final observation)
  (SB3's handling; CleanRL treats it as an ending);
- SB3's linear schedule: lr scaled by the budget fraction left after each rollout;
- advantages standardized per minibatch (unbiased std + 1e-8), unclipped value loss.

    python ppo_torch.py [--seed N] [--steps N] [--threads N] [--smoke]

Prints CURVE timesteps mean_return (mean of the last 100 episodes) per iteration and
    RESULT impl=torch seed=S steps=N train_s=T final_return=F eval_mean=M eval_std=D
train_s times building the networks and training (imports and env creation excluded, as on the
Pavlov side); final_return is the mean of the last 20 training episodes.
"""
import argparse
import time

import gymnasium as gym
import numpy as np
import torch
from torch import nn

parser = argparse.ArgumentParser()
parser.add_argument("--seed", type=int, default=0)
parser.add_argument("--steps", type=int, default=100_352)
parser.add_argument("--threads", type=int, default=1)
parser.add_argument("--smoke", action="store_true")
options = parser.parse_args()
total_steps = 4_096 if options.smoke else options.steps
torch.set_num_threads(options.threads)
torch.manual_seed(options.seed)

N_ENVS, N_STEPS, EPOCHS, BATCH = 4, 128, 4, 128
LR, GAMMA, LAMBDA, CLIP, ENT, VF, MAX_NORM = 2.5e-4, 0.99, 0.95, 0.2, 0.01, 0.5, 0.5


def mlp(inputs, outputs, head_gain):
    layers = [nn.Linear(inputs, 64), nn.Tanh(), nn.Linear(64, 64), nn.Tanh(), nn.Linear(64, outputs)]
    for layer, gain in zip(layers[::2], [np.sqrt(2), np.sqrt(2), head_gain]):
        nn.init.orthogonal_(layer.weight, gain)
        nn.init.zeros_(layer.bias)
    return nn.Sequential(*layers)


envs = gym.vector.SyncVectorEnv([lambda: gym.make("CartPole-v1") for _ in range(N_ENVS)],
                                autoreset_mode=gym.vector.AutoresetMode.SAME_STEP)
obs_size = envs.single_observation_space.shape[0]
n_actions = envs.single_action_space.n

start = time.perf_counter()
policy = mlp(obs_size, n_actions, 0.01)
value = mlp(obs_size, 1, 1.0)
optimizer = torch.optim.Adam(list(policy.parameters()) + list(value.parameters()), lr=LR, eps=1e-5)

rows = N_ENVS * N_STEPS
iterations = total_steps // rows
observations = torch.zeros((N_STEPS, N_ENVS, obs_size))
actions = torch.zeros((N_STEPS, N_ENVS), dtype=torch.long)
log_probs = torch.zeros((N_STEPS, N_ENVS))
values = torch.zeros((N_STEPS, N_ENVS))
rewards = torch.zeros((N_STEPS, N_ENVS))
terminated = torch.zeros((N_STEPS, N_ENVS))
truncated = torch.zeros((N_STEPS, N_ENVS))

obs, _ = envs.reset(seed=[options.seed + i for i in range(N_ENVS)])
obs = torch.as_tensor(obs, dtype=torch.float32)
running = np.zeros(N_ENVS)
finished = []
timesteps = 0
for iteration in range(iterations):
    # Play N_STEPS steps of every copy.
    for t in range(N_STEPS):
        with torch.no_grad():
            dist = torch.distributions.Categorical(logits=policy(obs))
            action = dist.sample()
            observations[t], actions[t], log_probs[t] = obs, action, dist.log_prob(action)
            values[t] = value(obs).flatten()
        next_obs, reward, term, trunc, info = envs.step(action.numpy())
        reward = reward.astype(np.float32)
        running += reward
        for i in np.flatnonzero(term | trunc):
            finished.append(running[i])
            running[i] = 0
        cut = trunc & ~term
        if cut.any():  # bootstrap the time-limited episodes from V(final observation)
            final = torch.as_tensor(np.stack([info["final_obs"][i] if cut[i] else next_obs[i] for i in range(N_ENVS)]),
                                    dtype=torch.float32)
            with torch.no_grad():
                reward = reward + GAMMA * cut * value(final).flatten().numpy()
        rewards[t] = torch.as_tensor(reward)
        terminated[t] = torch.as_tensor(term, dtype=torch.float32)
        truncated[t] = torch.as_tensor(trunc, dtype=torch.float32)
        obs = torch.as_tensor(next_obs, dtype=torch.float32)
    timesteps += rows
    left = 1 - (iteration + 1) / iterations
    for group in optimizer.param_groups:
        group["lr"] = LR * left

    # GAE(lambda), nothing crosses an episode end.
    with torch.no_grad():
        last_value = value(obs).flatten()
        advantages = torch.zeros((N_STEPS, N_ENVS))
        carry = torch.zeros(N_ENVS)
        for t in reversed(range(N_STEPS)):
            done = torch.maximum(terminated[t], truncated[t])
            next_value = last_value if t == N_STEPS - 1 else values[t + 1]
            delta = rewards[t] + GAMMA * next_value * (1 - done) - values[t]
            carry = delta + GAMMA * LAMBDA * (1 - done) * carry
            advantages[t] = carry
        returns = advantages + values

    b_obs, b_actions = observations.reshape(rows, obs_size), actions.reshape(rows)
    b_log_probs, b_advantages, b_returns = log_probs.reshape(rows), advantages.reshape(rows), returns.reshape(rows)
    for epoch in range(EPOCHS):
        order = torch.randperm(rows)
        for begin in range(0, rows, BATCH):
            idx = order[begin:begin + BATCH]
            dist = torch.distributions.Categorical(logits=policy(b_obs[idx]))
            ratio = torch.exp(dist.log_prob(b_actions[idx]) - b_log_probs[idx])
            adv = b_advantages[idx]
            adv = (adv - adv.mean()) / (adv.std() + 1e-8)
            policy_loss = torch.max(-adv * ratio, -adv * torch.clamp(ratio, 1 - CLIP, 1 + CLIP)).mean()
            value_loss = ((value(b_obs[idx]).flatten() - b_returns[idx]) ** 2).mean()
            loss = policy_loss - ENT * dist.entropy().mean() + VF * value_loss
            optimizer.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(optimizer.param_groups[0]["params"], MAX_NORM)
            optimizer.step()
    print(f"CURVE {timesteps} {np.mean(finished[-100:]) if finished else float('nan')}")
train_s = time.perf_counter() - start

# Deterministic evaluation: the most likely action, 20 episodes.
env = gym.make("CartPole-v1")
scores = []
for k in range(20):
    state, _ = env.reset(seed=10_000 + options.seed * 100 + k)
    total, done = 0.0, False
    while not done:
        with torch.no_grad():
            action = int(policy(torch.as_tensor(state, dtype=torch.float32)).argmax())
        state, reward, term, trunc, _ = env.step(action)
        total += reward
        done = term or trunc
    scores.append(total)
print(f"RESULT impl=torch seed={options.seed} steps={timesteps} train_s={train_s} "
      f"final_return={np.mean(finished[-20:])} eval_mean={np.mean(scores)} eval_std={np.std(scores)}")
