//! No transaction halts the chain; admission is bounded (mempool caps, block gas, bytes).
