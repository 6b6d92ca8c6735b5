"""Training and cached generation throughput of a tiny GPT with PyTorch on the CPU (2 threads).

Model: token + learned position embeddings; per block LayerNorm -> causal multi-head
self-attention (one qkv Linear d->3d, output projection d->d) -> residual, LayerNorm ->
MLP d->4d GELU ->d -> residual; final LayerNorm; lm head Linear d->vocab (not tied).
vocab 64, d 128, 4 layers, 4 heads, context 64. Attention is written out by hand
(q k^T / sqrt(hd), causal mask, softmax, times v), not with a fused kernel.

Training: batch 32, AdamW lr 3e-4 weight_decay 0.01, next-token cross-entropy on random
token ids. RESULT gpt_train_tokens_per_s = batch * context * steps / seconds.

Generation: batch 1, a 1-token prompt, 63 more tokens chosen greedily (argmax), eval mode,
no_grad, with an explicit key/value cache (past k and v concatenated per layer).
RESULT gpt_generate_tokens_per_s = 63 / seconds per generation.
"""

import math

import torch
from torch import nn
from torch.nn import functional as F

from benchlib import median_time, spread, note, parse_args, result

VOCAB, D, LAYERS, HEADS, CONTEXT, BATCH = 64, 128, 4, 4, 64, 32
GENERATE = CONTEXT - 1


class Block(nn.Module):
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
        """x: (B, T, d). past: None or (k, v), each (B, heads, P, hd). Returns (x, (k, v)) with k, v covering P + T positions."""
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
    def __init__(self):
        super().__init__()
        self.tokens = nn.Embedding(VOCAB, D)
        self.positions = nn.Embedding(CONTEXT, D)
        self.blocks = nn.ModuleList(Block(D, HEADS) for _ in range(LAYERS))
        self.ln = nn.LayerNorm(D)
        self.head = nn.Linear(D, VOCAB)

    def forward(self, ids, cache=None):
        """ids: (B, T) token ids. cache: None or a list of per-layer (k, v). Returns (logits (B, T, vocab), new cache)."""
        start = 0 if cache is None else cache[0][0].shape[2]
        positions = torch.arange(start, start + ids.shape[1])
        x = self.tokens(ids) + self.positions(positions)
        new_cache = []
        for i, block in enumerate(self.blocks):
            x, kv = block(x, None if cache is None else cache[i])
            new_cache.append(kv)
        return self.head(self.ln(x)), new_cache


@torch.no_grad()
def generate(model, prompt, count):
    """Greedy decoding with a key/value cache: the prompt once, then one token per step."""
    logits, cache = model(prompt)
    out = [prompt]
    for i in range(count):
        token = logits[:, -1, :].argmax(dim=-1, keepdim=True)  # (B, 1)
        out.append(token)
        if i + 1 < count:  # the last token needs no forward pass
            logits, cache = model(token, cache)
    return torch.cat(out, dim=1)


@torch.no_grad()
def generate_uncached(model, prompt, count):
    """The same without a cache (whole sequence each step): used once to check the cached path."""
    ids = prompt
    for _ in range(count):
        logits, _ = model(ids)
        ids = torch.cat((ids, logits[:, -1, :].argmax(dim=-1, keepdim=True)), dim=1)
    return ids


def main():
    args = parse_args(__doc__.splitlines()[0])
    torch.set_num_threads(2)
    torch.manual_seed(0)
    if args.smoke:
        train_steps, train_reps, gen_reps = 1, 1, 1
    else:
        train_steps, train_reps, gen_reps = 8, 5, 30

    model = GPT()
    params = sum(p.numel() for p in model.parameters())
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-4, weight_decay=0.01)
    data = torch.randint(0, VOCAB, (BATCH, CONTEXT + 1))
    inputs, targets = data[:, :-1], data[:, 1:]

    losses = []

    def train():
        for _ in range(train_steps):
            optimizer.zero_grad()
            logits, _ = model(inputs)
            loss = F.cross_entropy(logits.reshape(-1, VOCAB), targets.reshape(-1))
            loss.backward()
            optimizer.step()
            losses.append(loss.item())

    model.train()
    seconds, times = median_time(train, train_reps, warmup=1)
    note(f"torch {torch.__version__}, {torch.get_num_threads()} threads, {params} parameters; "
         f"train {train_steps} steps x {train_reps} reps, loss {losses[0]:.4f} -> {losses[-1]:.4f}; "
         f"tokens/s per rep {spread(times, BATCH * CONTEXT * train_steps)}")
    result("gpt_train_tokens_per_s", BATCH * CONTEXT * train_steps / seconds, "tokens/s")

    model.eval()
    prompt = torch.zeros(1, 1, dtype=torch.long)
    cached = generate(model, prompt, GENERATE)
    assert cached.shape == (1, CONTEXT)
    if not torch.equal(cached, generate_uncached(model, prompt, GENERATE)):
        note("warning: cached and uncached greedy generation differ")
    seconds, times = median_time(lambda: generate(model, prompt, GENERATE), gen_reps, warmup=2)
    note(f"generate {GENERATE} tokens x {gen_reps} reps; tokens/s per rep {spread(times, GENERATE)}; "
         f"first tokens {cached[0, :12].tolist()}")
    result("gpt_generate_tokens_per_s", GENERATE / seconds, "tokens/s")


if __name__ == "__main__":
    main()
