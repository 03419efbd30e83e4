"""Train the mlp experiment's model with PyTorch and print its timings as JSON.

The model, data, batch size, learning rate and epoch count match `scripts/bench.ts`:
Dense(64, relu) then Dense(10) with softmax cross-entropy, plain SGD, all 60,000
Fashion-MNIST training images read from the same IDX files. The thread count is
PyTorch's default.

Usage: python3 scripts/bench_torch.py DATA_DIR [--epochs N] [--batch-size N]
       [--learning-rate X] [--hidden N] [--seed N] [--optimizer sgd|adam]
"""

import argparse
import gzip
import json
import os
import time

import numpy as np
import torch
from torch import nn


def read_idx(path: str, header_bytes: int) -> np.ndarray:
    """Return the data bytes of an IDX file, gunzipping it when it starts with 0x1f8b."""
    with open(path, "rb") as file:
        content = file.read()
    if content[:2] == b"\x1f\x8b":
        content = gzip.decompress(content)
    return np.frombuffer(content, dtype=np.uint8, offset=header_bytes)


def find_file(data_dir: str, name: str) -> str:
    for candidate in (os.path.join(data_dir, name), os.path.join(data_dir, name + ".gz")):
        if os.path.exists(candidate):
            return candidate
    raise FileNotFoundError(f"{name}[.gz] not found in {data_dir}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("data_dir")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--learning-rate", type=float, default=0.01)
    parser.add_argument("--hidden", type=int, default=64)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--optimizer", choices=["sgd", "adam"], default="sgd")
    args = parser.parse_args()

    start = time.perf_counter()
    images = read_idx(find_file(args.data_dir, "train-images-idx3-ubyte"), 16)
    labels = read_idx(find_file(args.data_dir, "train-labels-idx1-ubyte"), 8)
    x = torch.from_numpy(images.reshape(-1, 784).astype(np.float32) / 255)
    y = torch.from_numpy(labels.astype(np.int64))
    load_seconds = time.perf_counter() - start

    torch.manual_seed(args.seed)
    model = nn.Sequential(nn.Linear(784, args.hidden), nn.ReLU(), nn.Linear(args.hidden, 10))
    # Glorot-uniform kernels and zero biases, as in the tfjs model (PyTorch's default differs).
    for layer in (model[0], model[2]):
        nn.init.xavier_uniform_(layer.weight)
        nn.init.zeros_(layer.bias)
    # CrossEntropyLoss applies log-softmax itself, so the model ends at the logits.
    loss_function = nn.CrossEntropyLoss()
    if args.optimizer == "adam":
        # Keras's defaults, as in the tfjs experiment.
        optimizer = torch.optim.Adam(model.parameters(), lr=args.learning_rate, betas=(0.9, 0.999), eps=1e-7)
    else:
        optimizer = torch.optim.SGD(model.parameters(), lr=args.learning_rate)

    epochs = []
    for epoch in range(1, args.epochs + 1):
        epoch_start = time.perf_counter()
        order = torch.randperm(len(x))
        loss_sum = 0.0
        for batch_start in range(0, len(x), args.batch_size):
            indices = order[batch_start : batch_start + args.batch_size]
            optimizer.zero_grad()
            loss = loss_function(model(x[indices]), y[indices])
            loss.backward()
            optimizer.step()
            loss_sum += loss.item() * len(indices)
        epochs.append(
            {
                "epoch": epoch,
                "loss": loss_sum / len(x),
                "seconds": time.perf_counter() - epoch_start,
            }
        )

    print(
        json.dumps(
            {
                "torch": torch.__version__,
                "threads": torch.get_num_threads(),
                "loadSeconds": load_seconds,
                "epochs": epochs,
            }
        )
    )


if __name__ == "__main__":
    main()
