# Tabular Q-learning with epsilon-greedy on a 4x4 deterministic gridworld, in plain code.
# States 0..15 row by row; start 0, goal 15. Actions: 0 up, 1 down, 2 left, 3 right
# (a move into a wall stays put). Reward 1 on reaching the goal, else 0. An episode ends
# at the goal or after 100 steps. 200,000 environment steps in total.
# Prints the number of episodes (depends on the RNG) and the length of the learned greedy
# path from start to goal (6 if learning worked; -1 if it does not reach the goal).
import random


def step(s, a):
    row = s // 4
    col = s % 4
    if a == 0:
        if row > 0:
            row -= 1
    elif a == 1:
        if row < 3:
            row += 1
    elif a == 2:
        if col > 0:
            col -= 1
    else:
        if col < 3:
            col += 1
    return row * 4 + col


# An action with the largest value, ties broken uniformly at random (so that the
# all-zero table of the first episodes does not pin the agent to one action).
def greedy(values):
    best = 0
    ties = 1
    for a in range(1, 4):
        if values[a] > values[best]:
            best = a
            ties = 1
        elif values[a] == values[best]:
            ties += 1
            if random.randrange(ties) == 0:
                best = a
    return best


random.seed(0)
epsilon = 0.1
alpha = 0.5
gamma = 0.95
goal = 15
max_steps = 200000
q = []
for s in range(16):
    q.append([0.0, 0.0, 0.0, 0.0])

steps = 0
episodes = 0
while steps < max_steps:
    s = 0
    t = 0
    while t < 100 and steps < max_steps:
        a = 0
        if random.random() < epsilon:
            a = random.randrange(4)
        else:
            a = greedy(q[s])
        s2 = step(s, a)
        reward = 0.0
        target = 0.0
        if s2 == goal:
            reward = 1.0
            target = reward
        else:
            target = reward + gamma * max(q[s2])
        q[s][a] += alpha * (target - q[s][a])
        s = s2
        steps += 1
        t += 1
        if s == goal:
            break
    episodes += 1

s = 0
path = 0
while s != goal and path < 100:
    s = step(s, greedy(q[s]))
    path += 1
if s != goal:
    path = -1
print(episodes, path)
