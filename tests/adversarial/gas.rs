//! Gas bounds time and memory: comparison, hashing, recovery and memory bombs.
