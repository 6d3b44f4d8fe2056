#!/usr/bin/env python3
# Reads a chain spec (`plexus-node build-spec --chain dev`) on stdin and writes it to stdout with
# N more funded accounts in its genesis, so that `benchmark storage` measures reads and writes on
# a state of realistic size rather than on a dev chain's ~1,000 keys.
#
#   plexus-node build-spec --chain dev | scripts/storage-state.py 100000 > spec.json
#
# Account i is blake2b-256("plexus-storage-state" || i as u32 LE): deterministic, so two runs
# (RocksDB and ParityDb) measure the same keys, and unrelated to any key anybody holds.
import hashlib
import json
import struct
import sys

ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def base58(data: bytes) -> str:
    n = int.from_bytes(data, "big")
    out = ""
    while n:
        n, r = divmod(n, 58)
        out = ALPHABET[r] + out
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + out


def ss58(public: bytes, prefix: int = 42) -> str:
    payload = bytes([prefix]) + public
    checksum = hashlib.blake2b(b"SS58PRE" + payload, digest_size=64).digest()[:2]
    return base58(payload + checksum)


def main() -> None:
    if len(sys.argv) != 2 or not sys.argv[1].isdigit():
        sys.exit("usage: storage-state.py ACCOUNTS < spec.json > spec-with-accounts.json")
    count = int(sys.argv[1])
    spec = json.load(sys.stdin)
    patch = spec["genesis"]["runtimeGenesis"]["patch"]
    balances = patch.setdefault("balances", {}).setdefault("balances", [])
    # Well above the existential deposit, so every account exists; small beside the dev
    # accounts' funds, so the total issuance stays far from overflowing.
    amount = 10**15
    for i in range(count):
        public = hashlib.blake2b(b"plexus-storage-state" + struct.pack("<I", i), digest_size=32).digest()
        balances.append([ss58(public), amount])
    json.dump(spec, sys.stdout)


if __name__ == "__main__":
    main()
