"""One PPO-RLHF iteration on tiny GPTs with PyTorch on the CPU (2 threads): generate, score, update.

This is the PyTorch peer of Benchmarks/rlhf/ppo_lm.pav; the Pavlov side must do the same work.

Models (all the same GPT shape, as Benchmarks/tensor/gpt_torch.py but smaller, and with no bias
in the lm head): token + learned position embeddings; per block LayerNorm -> causal multi-head
self-attention (one qkv Linear d->3d, output projection d->d, attention written out by hand:
q k^T / sqrt(hd), causal mask, softmax, times v) -> residual, LayerNorm -> MLP Linear d->4d,
GELU (exact, erf form: torch's default, as gpt_torch.py), Linear 4d->d -> residual; final
LayerNorm. vocab 48, d 64, 2 layers, 4 heads, context 64. No dropout anywhere (so train and eval
mode compute the same thing). PyTorch default initialisation.
  - policy: the GPT with an lm head Linear(d, vocab, bias=False) and a value head Linear(d, 1)
    (with bias), both reading the final (post-LayerNorm) hidden states;
  - reference: a frozen copy of the policy's GPT (trunk + lm head, no value head), taken once at
    the start, before any update;
  - reward model: a separate GPT trunk of the same size (its own random weights, no lm head)
    whose scalar head Linear(d, 1) (with bias) reads the final hidden state of the last token.
The reference and the reward model never change; the policy and its Adam state carry over from
one iteration to the next.

One iteration, with P = 12 prompt tokens, R = 32 response tokens, B = 64 rows:
 1. generate (eval mode, no_grad): B prompts of P token ids drawn uniformly from [0, vocab);
    the policy samples R new tokens per row at temperature 1 (softmax of the logits,
    torch.multinomial), with an explicit key/value cache: one forward of the P prompt tokens,
    then one cached forward per sampled token (R - 1 of them; the last token needs none). No
    stopping: every row gets R tokens. Sequences are P + R = 44 tokens.
 2. score (no_grad): one forward of the policy on the (B, 44) sequences giving the log-probs of
    the R generated tokens (log_softmax of the logits at positions P-1 ... P+R-2, gathered at
    the tokens at P ... P+R-1) and the values at the same positions P-1 ... P+R-2 (the value of
    the state before each response token); one forward of the reference for its log-probs
    (same positions); one forward of the reward model for the score (hidden state at the last
    position, P+R-1). The lm and value heads are applied only to those R positions.
 3. rewards and advantages (no_grad): reward_t = -beta * (logp_t - ref_logp_t) with beta = 0.05
    (the k1 KL estimator) for t = 0 ... R-1, plus the score added at t = R-1. GAE with
    gamma = 1, lambda = 0.95 over the R positions (value after the last token = 0):
    delta_t = reward_t + gamma V_{t+1} - V_t, A_t = delta_t + gamma lambda A_{t+1}.
    returns = A + V (before whitening). Then A is whitened over all B * R entries:
    (A - mean) / (std + 1e-8), std with Bessel's correction (torch.std's default).
 4. update (train mode): 4 epochs; each epoch a fresh random permutation of the B rows, cut into
    4 minibatches of 16 rows. Per minibatch: one forward of the policy on the (16, 44)
    sequences, new log-probs and values at the R response positions as in 2;
      ratio = exp(new_logp - old_logp)
      pg_loss = mean(max(-A * ratio, -A * clamp(ratio, 1 - 0.2, 1 + 0.2)))
      v_clipped = old_v + clamp(new_v - old_v, -0.2, 0.2)
      vf_loss = 0.5 * mean(max((new_v - returns)^2, (v_clipped - returns)^2))
      loss = pg_loss + 0.1 * vf_loss          (means over all 16 * R tokens)
    zero_grad, backward, clip the global grad norm of all policy parameters to 1.0, Adam step
    (lr 1e-5, betas (0.9, 0.999), eps 1e-8, no weight decay).

Timing: torch.set_num_threads(2), torch.manual_seed(0); one warm-up iteration, then 5 timed
iterations, each phase timed with time.perf_counter (phase 3 counts as part of "score").
  RESULT ppo_lm_tokens_per_s  = B * R / median seconds per iteration   (tokens/s, higher is better)
  RESULT ppo_lm_generate_s    = median seconds of phase 1              (s, lower is better)
  RESULT ppo_lm_score_s       = median seconds of phases 2 and 3       (s, lower is better)
  RESULT ppo_lm_update_s      = median seconds of phase 4              (s, lower is better)

--smoke (or `smoke`): one tiny iteration, no warm-up, to check that the script works: B = 8,
R = 8, 1 epoch of 2 minibatches of 4 rows; the numbers mean little.
"""

import copy
import math
import os
import statistics
import sys
import time

import torch
from torch import nn
from torch.nn import functional as F

# Reuse the tensor benchmarks' helpers (RESULT/# line format) rather than copying them.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tensor"))
from benchlib import note, result  # noqa: E402

VOCAB, D, LAYERS, HEADS, CONTEXT = 48, 64, 2, 4, 64
PROMPT = 12
BETA, GAMMA, LAM = 0.05, 1.0, 0.95
CLIP_RATIO, CLIP_VALUE, VF_COEF, MAX_GRAD_NORM = 0.2, 0.2, 0.1, 1.0
LR, ADAM_EPS = 1e-5, 1e-8

FULL = dict(batch=64, response=32, epochs=4, minibatch=16, warmup=1, reps=5)
SMOKE = dict(batch=8, response=8, epochs=1, minibatch=4, warmup=0, reps=1)


# ---------------------------------------------------------------------------------------------
# Models
# ---------------------------------------------------------------------------------------------

class Block(nn.Module):
    """Pre-LayerNorm transformer block with hand-written causal attention and an optional KV cache."""

    def __init__(self, d, heads):
        super().__init__()
        self.heads = heads
        self.ln1 = nn.LayerNorm(d)
        self.qkv = nn.Linear(d, 3 * d)
        self.proj = nn.Linear(d, d)
        self.ln2 = nn.LayerNorm(d)
        self.fc = nn.Linear(d, 4 * d)
        self.out = nn.Linear(4 * d, d)

    def forward(self, x, past=None):
        """x: (B, T, d). past: None or (k, v), each (B, heads, P, hd). Returns (x, (k, v)) over P + T positions."""
        b, t, d = x.shape
        hd = d // self.heads
        q, k, v = self.qkv(self.ln1(x)).split(d, dim=2)
        q = q.view(b, t, self.heads, hd).transpose(1, 2)
        k = k.view(b, t, self.heads, hd).transpose(1, 2)
        v = v.view(b, t, self.heads, hd).transpose(1, 2)
        if past is not None:
            k = torch.cat((past[0], k), dim=2)
            v = torch.cat((past[1], v), dim=2)
        total = k.shape[2]
        scores = (q @ k.transpose(-2, -1)) / math.sqrt(hd)  # (B, heads, T, P + T)
        if t > 1:
            # Query i (at position P + i) sees keys 0 ... P + i.
            mask = torch.ones(t, total, dtype=torch.bool).tril(diagonal=total - t)
            scores = scores.masked_fill(~mask, float("-inf"))
        attention = F.softmax(scores, dim=-1) @ v  # (B, heads, T, hd)
        x = x + self.proj(attention.transpose(1, 2).reshape(b, t, d))
        x = x + self.out(F.gelu(self.fc(self.ln2(x))))
        return x, (k, v)


class GPT(nn.Module):
    """Embeddings, blocks and the final LayerNorm; with lm_head=True also an lm head (no bias)."""

    def __init__(self, lm_head=True):
        super().__init__()
        self.tokens = nn.Embedding(VOCAB, D)
        self.positions = nn.Embedding(CONTEXT, D)
        self.blocks = nn.ModuleList(Block(D, HEADS) for _ in range(LAYERS))
        self.ln = nn.LayerNorm(D)
        self.head = nn.Linear(D, VOCAB, bias=False) if lm_head else None

    def forward(self, ids, cache=None):
        """ids: (B, T). cache: None or per-layer (k, v). Returns (final hidden states (B, T, d), new cache)."""
        start = 0 if cache is None else cache[0][0].shape[2]
        x = self.tokens(ids) + self.positions(torch.arange(start, start + ids.shape[1]))
        new_cache = []
        for i, block in enumerate(self.blocks):
            x, kv = block(x, None if cache is None else cache[i])
            new_cache.append(kv)
        return self.ln(x), new_cache


class Policy(nn.Module):
    """The GPT plus a value head on the final hidden states."""

    def __init__(self):
        super().__init__()
        self.gpt = GPT()
        self.value = nn.Linear(D, 1)


class RewardModel(nn.Module):
    """A separate GPT trunk whose scalar head reads the final hidden state of the last token."""

    def __init__(self):
        super().__init__()
        self.gpt = GPT(lm_head=False)
        self.score = nn.Linear(D, 1)

    def forward(self, ids):
        hidden, _ = self.gpt(ids)
        return self.score(hidden[:, -1]).squeeze(-1)  # (B,)


def response_logprobs(gpt, hidden, sequences, response):
    """Log-probs of the response tokens: the lm head on the `response` positions that predict them."""
    logits = gpt.head(hidden[:, PROMPT - 1:PROMPT - 1 + response])  # (B, R, vocab)
    targets = sequences[:, PROMPT:PROMPT + response].unsqueeze(-1)
    return F.log_softmax(logits, dim=-1).gather(-1, targets).squeeze(-1)  # (B, R)


def policy_forward(policy, sequences, response):
    """One forward of the policy on the whole sequences: (log-probs, values), each (B, R)."""
    hidden, _ = policy.gpt(sequences)
    logprobs = response_logprobs(policy.gpt, hidden, sequences, response)
    values = policy.value(hidden[:, PROMPT - 1:PROMPT - 1 + response]).squeeze(-1)
    return logprobs, values


# ---------------------------------------------------------------------------------------------
# Phase 1: generation
# ---------------------------------------------------------------------------------------------

@torch.no_grad()
def generate(gpt, prompts, count):
    """Temperature-1 sampling with a key/value cache: the prompt once, then one cached step per new token."""
    hidden, cache = gpt(prompts)
    out = [prompts]
    for i in range(count):
        probs = F.softmax(gpt.head(hidden[:, -1]), dim=-1)  # temperature 1
        token = torch.multinomial(probs, 1)  # (B, 1)
        out.append(token)
        if i + 1 < count:  # the last token needs no forward pass
            hidden, cache = gpt(token, cache)
    return torch.cat(out, dim=1)  # (B, P + count)


# ---------------------------------------------------------------------------------------------
# Phases 2 and 3: scoring, rewards, GAE
# ---------------------------------------------------------------------------------------------

@torch.no_grad()
def score(policy, reference, reward_model, sequences, response):
    logprobs, values = policy_forward(policy, sequences, response)
    ref_hidden, _ = reference(sequences)
    ref_logprobs = response_logprobs(reference, ref_hidden, sequences, response)
    scores = reward_model(sequences)

    # Per-token KL penalty (k1 estimator), the reward model's score on the last token.
    kl = logprobs - ref_logprobs
    rewards = -BETA * kl
    rewards[:, -1] += scores

    # GAE backwards over the response positions; the value after the last token is 0.
    advantages = torch.zeros_like(rewards)
    last = torch.zeros(rewards.shape[0])
    for t in reversed(range(response)):
        next_value = values[:, t + 1] if t + 1 < response else torch.zeros(rewards.shape[0])
        delta = rewards[:, t] + GAMMA * next_value - values[:, t]
        last = delta + GAMMA * LAM * last
        advantages[:, t] = last
    returns = advantages + values
    advantages = (advantages - advantages.mean()) / (advantages.std() + 1e-8)
    return dict(logprobs=logprobs, values=values, returns=returns, advantages=advantages,
                scores=scores, kl=kl)


# ---------------------------------------------------------------------------------------------
# Phase 4: PPO update
# ---------------------------------------------------------------------------------------------

def update(policy, optimizer, sequences, batch, epochs, minibatch, response):
    rows = sequences.shape[0]
    stats = []
    for _ in range(epochs):
        order = torch.randperm(rows)
        for start in range(0, rows, minibatch):
            index = order[start:start + minibatch]
            old_logprobs, old_values = batch["logprobs"][index], batch["values"][index]
            advantages, returns = batch["advantages"][index], batch["returns"][index]

            logprobs, values = policy_forward(policy, sequences[index], response)

            # Clipped surrogate.
            ratio = torch.exp(logprobs - old_logprobs)
            pg_loss = torch.max(-advantages * ratio,
                                -advantages * ratio.clamp(1 - CLIP_RATIO, 1 + CLIP_RATIO)).mean()
            # Clipped value loss.
            v_clipped = old_values + (values - old_values).clamp(-CLIP_VALUE, CLIP_VALUE)
            vf_loss = 0.5 * torch.max((values - returns) ** 2, (v_clipped - returns) ** 2).mean()
            loss = pg_loss + VF_COEF * vf_loss

            optimizer.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(policy.parameters(), MAX_GRAD_NORM)
            optimizer.step()
            stats.append((loss.item(), pg_loss.item(), vf_loss.item()))
    return stats


# ---------------------------------------------------------------------------------------------
# Driver
# ---------------------------------------------------------------------------------------------

@torch.no_grad()
def check_cache(policy, response):
    """Once, untimed: log-probs taken during cached generation must match a full forward's."""
    prompts = torch.randint(0, VOCAB, (4, PROMPT))
    hidden, cache = policy.gpt(prompts)
    out, cached = [prompts], []
    for i in range(response):
        logp = F.log_softmax(policy.gpt.head(hidden[:, -1]), dim=-1)
        token = torch.multinomial(logp.exp(), 1)
        out.append(token)
        cached.append(logp.gather(-1, token))
        if i + 1 < response:
            hidden, cache = policy.gpt(token, cache)
    sequences = torch.cat(out, dim=1)
    full, _ = policy_forward(policy, sequences, response)
    difference = (full - torch.cat(cached, dim=1)).abs().max().item()
    if difference > 1e-4:
        note(f"warning: cached and full-forward log-probs differ by {difference:.3g}")
    return difference


def main():
    smoke = "--smoke" in sys.argv[1:] or "smoke" in sys.argv[1:]
    unknown = [a for a in sys.argv[1:] if a not in ("--smoke", "smoke")]
    if unknown:
        sys.exit(f"usage: {sys.argv[0]} [--smoke]   (unknown arguments: {' '.join(unknown)})")
    cfg = SMOKE if smoke else FULL
    batch_size, response = cfg["batch"], cfg["response"]
    assert PROMPT + response <= CONTEXT and batch_size % cfg["minibatch"] == 0

    torch.set_num_threads(2)
    torch.manual_seed(0)
    policy = Policy()
    reference = copy.deepcopy(policy.gpt).requires_grad_(False).eval()
    reward_model = RewardModel().requires_grad_(False).eval()
    optimizer = torch.optim.Adam(policy.parameters(), lr=LR, eps=ADAM_EPS)
    params = sum(p.numel() for p in policy.parameters())
    cache_difference = check_cache(policy, response)

    def iteration():
        """One PPO-RLHF iteration; returns the seconds of each phase and some statistics."""
        t0 = time.perf_counter()
        policy.eval()
        prompts = torch.randint(0, VOCAB, (batch_size, PROMPT))
        sequences = generate(policy.gpt, prompts, response)
        t1 = time.perf_counter()
        batch = score(policy, reference, reward_model, sequences, response)
        t2 = time.perf_counter()
        policy.train()
        stats = update(policy, optimizer, sequences, batch, cfg["epochs"], cfg["minibatch"], response)
        t3 = time.perf_counter()
        info = dict(score=batch["scores"].mean().item(), kl=batch["kl"].sum(1).mean().item(),
                    loss=stats[-1][0])
        return (t1 - t0, t2 - t1, t3 - t2), info

    for _ in range(cfg["warmup"]):
        iteration()
    phases, infos = [], []
    for _ in range(cfg["reps"]):
        times, info = iteration()
        phases.append(times)
        infos.append(info)

    totals = [sum(p) for p in phases]
    generate_s, score_s, update_s = (statistics.median(p[i] for p in phases) for i in range(3))
    tokens = batch_size * response
    note(f"torch {torch.__version__}, {torch.get_num_threads()} threads, policy {params} parameters; "
         f"batch {batch_size}, prompt {PROMPT}, response {response}, {cfg['epochs']} epochs x "
         f"{batch_size // cfg['minibatch']} minibatches of {cfg['minibatch']}; "
         f"{cfg['warmup']} warm-up + {cfg['reps']} timed iterations{' (smoke)' if smoke else ''}")
    note(f"cached vs full-forward log-prob max difference {cache_difference:.2g}")
    note(f"seconds per iteration {', '.join(f'{t:.3f}' for t in totals)}; "
         f"tokens/s per iteration {min(tokens / t for t in totals):.4g}..{max(tokens / t for t in totals):.4g}")
    note("generate/score/update seconds per iteration: " + "; ".join(
        "/".join(f"{t:.3f}" for t in p) for p in phases))
    note("per iteration: " + "; ".join(
        f"score {i['score']:+.3f} kl {i['kl']:+.4f} loss {i['loss']:+.4f}" for i in infos))
    result("ppo_lm_tokens_per_s", tokens / statistics.median(totals), "tokens/s")
    result("ppo_lm_generate_s", generate_s, "s")
    result("ppo_lm_score_s", score_s, "s")
    result("ppo_lm_update_s", update_s, "s")


if __name__ == "__main__":
    main()
