//! Untrusted inputs at the edges: hex, money and percent bounds, receipts' positions, ABI docs.
