"""Reads Pavlov's TensorBoard event files with TensorBoard's own reader and checks them against
the run folder they came from. Run by `bash scripts/dev.sh test` (which installs tensorboard
into .build/tb-venv):

    python check_events.py PAVLOV_BINARY

Prints one line per check and exits 1 on the first mismatch.
"""
import glob
import json
import os
import subprocess
import sys
import tempfile

from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
from tensorboard.plugins.hparams import plugin_data_pb2

pavlov = sys.argv[1]
work = tempfile.mkdtemp(prefix="pavlov-tb-")


def fail(message):
    print("FAIL tensorboard:", message)
    sys.exit(1)


def load(folder):
    acc = EventAccumulator(folder, size_guidance={"scalars": 0, "tensors": 0})
    acc.Reload()
    return acc


# 1. pavlov train: every metrics.jsonl number is a train/NAME scalar at its timestep.
run = os.path.join(work, "run")
subprocess.run([pavlov, "train", "--algo", "PPO", "--env", "CartPole-v1", "--stop", "iterations=3",
                "--config", "n_envs=2", "--config", "n_steps=64", "--eval-episodes", "1", "--out", run],
               check=True, stdout=subprocess.DEVNULL)
if len(glob.glob(os.path.join(run, "events.out.tfevents.*"))) != 1:
    fail("pavlov train wrote no event file (or several)")
acc = load(run)
rows = [json.loads(line) for line in open(os.path.join(run, "metrics.jsonl"))]
for name in ["mean_return", "policy_loss", "value_loss", "entropy", "approx_kl"]:
    events = acc.Scalars("train/" + name)
    got = [(e.step, e.value) for e in events]
    want = [(row["timesteps"], row[name]) for row in rows]
    if [s for s, _ in got] != [s for s, _ in want]:
        fail(f"train/{name} steps {[s for s, _ in got]} != {[s for s, _ in want]}")
    for (_, a), (_, b) in zip(got, want):
        if abs(a - b) > 1e-6 * max(1.0, abs(b)):
            fail(f"train/{name}: {a} != {b}")
print(f"ok   tensorboard reads pavlov train's scalars ({len(acc.Tags()['scalars'])} tags x {len(rows)} iterations)")

content = acc.PluginTagToContent("hparams")["_hparams_/session_start_info"]
hparams = plugin_data_pb2.HParamsPluginData.FromString(content).session_start_info.hparams
if hparams["algorithm"].string_value != "ppo" or hparams["n_steps"].number_value != 64 or hparams["lr"].number_value != 3e-4:
    fail(f"hyperparameters read back as {dict(hparams)}")
text = acc.Tensors("config")[0].tensor_proto.string_val[0].decode()
if json.loads(text.strip("`\n")) != json.load(open(os.path.join(run, "config.json"))):
    fail("the config text differs from config.json")
print("ok   tensorboard reads the hyperparameters and the config text")

# 2. agent.train(logdir:): two calls continue one file.
logdir = os.path.join(work, "logs")
script = f'let a = dqn("CartPole-v1", seed: 0)\nfor k in range(2) {{ a.train(steps: 200, logdir: {json.dumps(logdir)}, progress: false) }}\n'
subprocess.run([pavlov, "-e", script], check=True)
files = glob.glob(os.path.join(logdir, "events.out.tfevents.*"))
if len(files) != 1:
    fail(f"agent.train(logdir:) twice wrote {len(files)} event files, expected 1")
steps = [e.step for e in load(logdir).Scalars("train/exploration_rate")]
if steps != list(range(4, 401, 4)):
    fail(f"train/exploration_rate steps {steps[:5]}...{steps[-3:]}, expected 4, 8, ..., 400")
print("ok   tensorboard reads agent.train(logdir:) across two calls")
