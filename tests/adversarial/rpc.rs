//! Bounded and fair RPC: log floods, connection floods, slow clients.
