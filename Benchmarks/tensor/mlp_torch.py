"""Training steps per second of a tiny MLP with PyTorch on the CPU (2 threads).

Network 4-64-64-2 with tanh between layers (nn.Linear default init), batch 64,
input randn(64, 4), target randn(64, 2), MSE loss, Adam lr 1e-3. One step is
zero_grad, forward, loss, backward, optimizer.step. RESULT mlp_steps_per_s.
At this size the time is almost all per-operation overhead, not arithmetic.
"""

import torch
from torch import nn

from benchlib import median_time, spread, note, parse_args, result


def main():
    args = parse_args(__doc__.splitlines()[0])
    torch.set_num_threads(2)
    torch.manual_seed(0)
    steps, reps, warmup = (20, 1, 1) if args.smoke else (2000, 7, 1)

    model = nn.Sequential(nn.Linear(4, 64), nn.Tanh(), nn.Linear(64, 64), nn.Tanh(), nn.Linear(64, 2))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.MSELoss()
    x = torch.randn(64, 4)
    y = torch.randn(64, 2)

    def train(count):
        for _ in range(count):
            optimizer.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            optimizer.step()
        return loss

    first = loss_fn(model(x), y).item()
    seconds, times = median_time(lambda: train(steps), reps, warmup=warmup)
    last = loss_fn(model(x), y).item()
    note(f"torch {torch.__version__}, {torch.get_num_threads()} threads, {steps} steps x {reps} reps; loss {first:.4f} -> {last:.4g}; steps/s per rep {spread(times, steps)}")
    result("mlp_steps_per_s", steps / seconds, "steps/s")


if __name__ == "__main__":
    main()
