//! Signed transactions (LEDGER.md §2): the payload, the signing hash, the signed form, the
//! transaction hash, sender recovery, the CREATE address, and the checks that reject a
//! transaction before it runs.

use super::keys::address_of;
use super::rlp::{self, ListBuilder, RlpError};
use assent_stdlib::primitives::{Address, Hash, keccak256, keccak256_concat};
use k256::ecdsa::{RecoveryId, Signature as EcdsaSignature, SigningKey, VerifyingKey};
use secp256k1::ecdsa::RecoverableSignature;
use secp256k1::{Message, Secp256k1, VerifyOnly};
use std::fmt;
use std::sync::OnceLock;

/// The byte prefixed to `rlp(payload)` before hashing it for signing, so that a signature
/// over an Assent transaction can never be replayed as an Ethereum one.
pub const SIGNING_PREFIX: u8 = 0x41;

/// What a sender signs: the seven fields of the payload.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Transaction {
    pub chain_id: u64,
    pub nonce: u64,
    pub gas_limit: u64,
    /// The called contract; `None` for a deployment.
    pub to: Option<Address>,
    /// The action called; empty for a deployment (which runs `init`).
    pub method: String,
    /// A JSON object, parameter name → value; empty meaning `{}`.
    pub args: String,
    /// The compiled module of a deployment; empty for a call.
    pub code: Vec<u8>,
}

/// An ECDSA signature over the signing hash, `s` in the lower half of the group order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Signature {
    pub y_parity: u8,
    pub r: [u8; 32],
    pub s: [u8; 32],
}

/// A transaction with its signature, the exact bytes it travels as, and their hash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedTransaction {
    tx: Transaction,
    signature: Signature,
    encoded: Vec<u8>,
    hash: Hash,
}

/// A signed transaction whose sender is recovered, with the contract it addresses: `to` for
/// a call, the CREATE address for a deployment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedTransaction {
    pub signed: SignedTransaction,
    pub sender: Address,
    pub contract: Address,
}

/// Why a transaction is refused before execution. Each rule of LEDGER.md §2 has its own
/// variant; [`TxError::code`] gives the JSON-RPC error code of §6.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TxError {
    /// 1001: the bytes are not a canonical signed transaction.
    Decode(DecodeError),
    /// 1002
    WrongChainId { expected: u64, got: u64 },
    /// 1003: the signature does not recover a key.
    BadSignature(&'static str),
    /// 1003: `s` is in the upper half of the group order.
    HighS,
    /// 1004
    WrongNonce { expected: u64, got: u64 },
    /// 1005
    GasLimitTooHigh { gas_limit: u64, block_limit: u64 },
    /// 1005: the gas limit does not cover the base cost and the bytes of the transaction
    /// (LEDGER.md §5, paid before it runs).
    GasLimitTooLow { gas_limit: u64, required: u64 },
    /// 1005: the transaction would take the sum of the block's gas limits past the block
    /// gas limit. A producer leaves it for the next block; in a block received or replayed
    /// it makes the block invalid.
    BlockGasExceeded {
        gas_limit: u64,
        remaining: u64,
        block_limit: u64,
    },
    /// 1006
    NoContract(Address),
    /// 1007
    NoSuchAction { contract: Address, method: String },
    /// 1008
    ArgsMismatch(String),
    /// 1009
    WrongShape(&'static str),
    /// 1010
    ModuleRefused(String),
    /// Not a rule of the transaction: the host failed while running it (a storage fault,
    /// an instance it could not get). It is left out of the block and dropped from the
    /// mempool, so that it cannot stop the chain (LEDGER.md §2); as an RPC answer, -32603.
    HostFault(String),
}

/// Why bytes do not decode as a signed transaction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DecodeError {
    Rlp(RlpError),
    /// `method` or `args` is not UTF-8.
    InvalidUtf8(&'static str),
}

impl TxError {
    /// The stable JSON-RPC error code (LEDGER.md §6).
    pub fn code(&self) -> i64 {
        match self {
            TxError::Decode(_) => 1001,
            TxError::WrongChainId { .. } => 1002,
            TxError::BadSignature(_) | TxError::HighS => 1003,
            TxError::WrongNonce { .. } => 1004,
            TxError::GasLimitTooHigh { .. }
            | TxError::GasLimitTooLow { .. }
            | TxError::BlockGasExceeded { .. } => 1005,
            TxError::NoContract(_) => 1006,
            TxError::NoSuchAction { .. } => 1007,
            TxError::ArgsMismatch(_) => 1008,
            TxError::WrongShape(_) => 1009,
            TxError::ModuleRefused(_) => 1010,
            TxError::HostFault(_) => -32603,
        }
    }
}

impl fmt::Display for TxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TxError::Decode(DecodeError::Rlp(error)) => {
                write!(f, "transaction does not decode: {error}")
            }
            TxError::Decode(DecodeError::InvalidUtf8(field)) => {
                write!(f, "transaction does not decode: `{field}` is not UTF-8")
            }
            TxError::WrongChainId { expected, got } => {
                write!(f, "wrong chain id {got}: this chain is {expected}")
            }
            TxError::BadSignature(reason) => write!(f, "invalid signature: {reason}"),
            TxError::HighS => f.write_str(
                "invalid signature: `s` is in the upper half of the curve order (sign with low-s)",
            ),
            TxError::WrongNonce { expected, got } => {
                write!(
                    f,
                    "wrong nonce {got}: the sender's next nonce is {expected}"
                )
            }
            TxError::GasLimitTooHigh {
                gas_limit,
                block_limit,
            } => write!(
                f,
                "gas limit {gas_limit} exceeds the block gas limit {block_limit}"
            ),
            TxError::GasLimitTooLow {
                gas_limit,
                required,
            } => write!(
                f,
                "gas limit {gas_limit} does not cover the transaction's base and byte cost {required}"
            ),
            TxError::BlockGasExceeded {
                gas_limit,
                remaining,
                block_limit,
            } => write!(
                f,
                "gas limit {gas_limit} exceeds the {remaining} left of the block gas limit {block_limit}"
            ),
            TxError::NoContract(address) => write!(f, "no contract at `{address}`"),
            TxError::NoSuchAction { contract, method } => {
                write!(f, "contract `{contract}` has no action `{method}`")
            }
            TxError::ArgsMismatch(message) => {
                write!(f, "arguments do not match the ABI: {message}")
            }
            TxError::WrongShape(message) => write!(f, "malformed transaction: {message}"),
            TxError::ModuleRefused(message) => {
                write!(f, "the module is refused by the validator: {message}")
            }
            TxError::HostFault(message) => {
                write!(
                    f,
                    "the node failed while running the transaction: {message}"
                )
            }
        }
    }
}

impl std::error::Error for TxError {}

impl From<RlpError> for TxError {
    fn from(error: RlpError) -> Self {
        TxError::Decode(DecodeError::Rlp(error))
    }
}

impl Transaction {
    /// `rlp(payload)`: the seven payload fields as a list.
    pub fn payload_rlp(&self) -> Vec<u8> {
        self.fields().finish()
    }

    fn fields(&self) -> ListBuilder {
        ListBuilder::new()
            .u64(self.chain_id)
            .u64(self.nonce)
            .u64(self.gas_limit)
            .bytes(self.to.as_ref().map(|to| &to.0[..]).unwrap_or_default())
            .bytes(self.method.as_bytes())
            .bytes(self.args.as_bytes())
            .bytes(&self.code)
    }

    /// `keccak256(0x41 ‖ rlp(payload))`, the prehash the sender signs.
    pub fn signing_hash(&self) -> Hash {
        keccak256_concat(&[&[SIGNING_PREFIX], &self.payload_rlp()])
    }

    /// Whether this is a deployment (no `to`).
    pub fn is_deployment(&self) -> bool {
        self.to.is_none()
    }

    /// The shape rule: a deployment has no `to`, no `method` and some `code`; a call has a
    /// `to`, a `method` and no `code`.
    ///
    /// # Errors
    /// [`TxError::WrongShape`] naming the field that breaks it.
    pub fn check_shape(&self) -> Result<(), TxError> {
        match self.to {
            None if !self.method.is_empty() => Err(TxError::WrongShape(
                "a deployment (empty `to`) must have an empty `method`",
            )),
            None if self.code.is_empty() => Err(TxError::WrongShape(
                "a deployment (empty `to`) must carry the module in `code`",
            )),
            Some(_) if self.method.is_empty() => {
                Err(TxError::WrongShape("a call must name a `method`"))
            }
            Some(_) if !self.code.is_empty() => {
                Err(TxError::WrongShape("a call must have empty `code`"))
            }
            _ => Ok(()),
        }
    }

    /// Signs with `key` (RFC 6979, low-s).
    ///
    /// # Errors
    /// Only if the signing primitive fails, which it does not for a valid key.
    pub fn sign(self, key: &SigningKey) -> Result<SignedTransaction, TxError> {
        let signature = sign_prehash(key, &self.signing_hash())?;
        Ok(SignedTransaction::new(self, signature))
    }
}

/// Signs a 32-byte prehash as is (it is not hashed again): RFC 6979 nonce, low-s.
///
/// # Errors
/// Only if the signing primitive fails, which it does not for a valid key.
pub fn sign_prehash(key: &SigningKey, prehash: &Hash) -> Result<Signature, TxError> {
    let (signature, recovery) = key
        .sign_prehash_recoverable(prehash.as_bytes())
        .map_err(|_| TxError::BadSignature("signing failed"))?;
    // k256 already signs low-s; normalising again keeps that a checked fact here.
    let (signature, recovery) = match signature.normalize_s() {
        Some(normalized) => (
            normalized,
            RecoveryId::new(!recovery.is_y_odd(), recovery.is_x_reduced()),
        ),
        None => (signature, recovery),
    };
    let (r, s) = signature.split_bytes();
    Ok(Signature {
        y_parity: u8::from(recovery.is_y_odd()),
        r: r.into(),
        s: s.into(),
    })
}

/// The address whose key made `signature` over `prehash`; high-s is refused.
///
/// # Errors
/// [`TxError::HighS`], or [`TxError::BadSignature`] when no key is recovered.
pub fn recover_prehash(prehash: &Hash, signature: &Signature) -> Result<Address, TxError> {
    let ecdsa = EcdsaSignature::from_scalars(signature.r, signature.s)
        .map_err(|_| TxError::BadSignature("`r` or `s` is zero or not below the order"))?;
    if ecdsa.normalize_s().is_some() {
        return Err(TxError::HighS);
    }
    if signature.y_parity > 1 {
        return Err(TxError::BadSignature("`y_parity` must be 0 or 1"));
    }
    recover_point(prehash, signature).ok_or(TxError::BadSignature("no public key recovers from it"))
}

/// The public key `r⁻¹(s·R − z·G)` of SEC 1 §4.1.6, as an address, computed by
/// libsecp256k1 (the library Bitcoin Core and most Ethereum clients use): here about four
/// times as fast as k256's own recovery and twice the k256 arithmetic it replaced.
/// Recovery is most of what admitting a transaction costs, and every validator of a
/// network recovers every transaction. `r` and `s` were checked above
/// (in range, low `s`), so this fails only when no point recovers, as k256 does; a
/// property test checks both agree on random inputs. Like k256's
/// `VerifyingKey::recover_from_prehash` it does not verify the signature again with the
/// key it found, which cannot fail: substituting the recovered key into the verification
/// equation gives back `R`, whose x is `r` by construction. The rare `x = r + n` case
/// (probability about 2⁻¹²⁸) is not representable with `y_parity` alone and is not
/// recovered, as in Ethereum.
fn recover_point(prehash: &Hash, signature: &Signature) -> Option<Address> {
    static CONTEXT: OnceLock<Secp256k1<VerifyOnly>> = OnceLock::new();
    let context = CONTEXT.get_or_init(Secp256k1::verification_only);
    let compact = [signature.r, signature.s].concat();
    let id = secp256k1::ecdsa::RecoveryId::try_from(i32::from(signature.y_parity)).ok()?;
    let recoverable = RecoverableSignature::from_compact(&compact, id).ok()?;
    let key = context
        .recover_ecdsa(Message::from_digest(prehash.0), &recoverable)
        .ok()?;
    let point = key.serialize_uncompressed();
    let hash = keccak256(point.get(1..)?);
    Address::from_slice(hash.as_bytes().get(12..)?)
}

/// Recovery through k256's own `VerifyingKey::recover_from_prehash` (recover, then
/// verify): the reference the faster [`recover_prehash`] is tested and benchmarked against.
///
/// # Errors
/// As [`recover_prehash`].
pub fn recover_prehash_k256(prehash: &Hash, signature: &Signature) -> Result<Address, TxError> {
    let ecdsa = EcdsaSignature::from_scalars(signature.r, signature.s)
        .map_err(|_| TxError::BadSignature("`r` or `s` is zero or not below the order"))?;
    if ecdsa.normalize_s().is_some() {
        return Err(TxError::HighS);
    }
    if signature.y_parity > 1 {
        return Err(TxError::BadSignature("`y_parity` must be 0 or 1"));
    }
    let recovery = RecoveryId::new(signature.y_parity == 1, false);
    let key = VerifyingKey::recover_from_prehash(prehash.as_bytes(), &ecdsa, recovery)
        .map_err(|_| TxError::BadSignature("no public key recovers from it"))?;
    Ok(address_of(&key))
}

impl SignedTransaction {
    /// Assembles and encodes a signed transaction from its parts (no checks).
    pub fn new(tx: Transaction, signature: Signature) -> SignedTransaction {
        let encoded = tx
            .fields()
            .u64(u64::from(signature.y_parity))
            .uint(&signature.r)
            .uint(&signature.s)
            .finish();
        let hash = keccak256(&encoded);
        SignedTransaction {
            tx,
            signature,
            encoded,
            hash,
        }
    }

    /// Decodes `signed_tx` strictly: canonical RLP, exactly ten items, integers in 64 bits,
    /// `r` and `s` in 256, `method` and `args` in UTF-8, `to` empty or 20 bytes. The
    /// signature is checked by [`SignedTransaction::recover`], the shape rule by
    /// [`Transaction::check_shape`].
    ///
    /// # Errors
    /// [`TxError::Decode`] or [`TxError::WrongShape`].
    pub fn decode(bytes: &[u8]) -> Result<SignedTransaction, TxError> {
        let item = rlp::decode(bytes)?;
        let [
            chain_id,
            nonce,
            gas_limit,
            to,
            method,
            args,
            code,
            y_parity,
            r,
            s,
        ] = item.items_exact::<10>()?;
        let to = match to.bytes()? {
            [] => None,
            bytes => Some(Address::from_slice(bytes).ok_or(TxError::WrongShape(
                "`to` must be a 20-byte address, or empty for a deployment",
            ))?),
        };
        let tx = Transaction {
            chain_id: chain_id.u64()?,
            nonce: nonce.u64()?,
            gas_limit: gas_limit.u64()?,
            to,
            method: utf8(method.bytes()?, "method")?,
            args: utf8(args.bytes()?, "args")?,
            code: code.bytes()?.to_vec(),
        };
        let y_parity = match y_parity.u64()? {
            0 => 0,
            1 => 1,
            _ => return Err(TxError::BadSignature("`y_parity` must be 0 or 1")),
        };
        let signature = Signature {
            y_parity,
            r: r.u256()?,
            s: s.u256()?,
        };
        Ok(SignedTransaction {
            tx,
            signature,
            encoded: bytes.to_vec(),
            hash: keccak256(bytes),
        })
    }

    /// The payload.
    pub fn tx(&self) -> &Transaction {
        &self.tx
    }

    /// The signature.
    pub fn signature(&self) -> &Signature {
        &self.signature
    }

    /// The bytes of `signed_tx`, exactly as received.
    pub fn encoded(&self) -> &[u8] {
        &self.encoded
    }

    /// `keccak256(signed_tx)`.
    pub fn hash(&self) -> Hash {
        self.hash
    }

    /// Recovers the sender from the signature, rejecting high-s.
    ///
    /// # Errors
    /// [`TxError::HighS`], or [`TxError::BadSignature`] when no key is recovered.
    pub fn recover_sender(&self) -> Result<Address, TxError> {
        recover_prehash(&self.tx.signing_hash(), &self.signature)
    }

    /// Recovers the sender and resolves the addressed contract.
    ///
    /// # Errors
    /// As [`SignedTransaction::recover_sender`].
    pub fn recover(self) -> Result<VerifiedTransaction, TxError> {
        let sender = self.recover_sender()?;
        let contract = match self.tx.to {
            Some(to) => to,
            None => create_address(&sender, self.tx.nonce),
        };
        Ok(VerifiedTransaction {
            signed: self,
            sender,
            contract,
        })
    }
}

fn utf8(bytes: &[u8], field: &'static str) -> Result<String, TxError> {
    String::from_utf8(bytes.to_vec()).map_err(|_| TxError::Decode(DecodeError::InvalidUtf8(field)))
}

/// The address of a contract deployed by `sender` with `nonce`:
/// `keccak256(rlp([sender, nonce]))[12..]`, Ethereum's CREATE rule.
pub fn create_address(sender: &Address, nonce: u64) -> Address {
    let encoded = ListBuilder::new().bytes(&sender.0).u64(nonce).finish();
    let hash = keccak256(&encoded);
    let mut address = [0u8; 20];
    address.copy_from_slice(hash.as_bytes().get(12..).unwrap_or(&[0; 20]));
    Address(address)
}

/// Decodes, checks the chain id of, and recovers the senders of many raw transactions in
/// parallel, one thread per
/// available core, each taking a contiguous share; results keep the input order.
pub fn recover_all(raw: &[Vec<u8>], chain_id: u64) -> Vec<Result<VerifiedTransaction, TxError>> {
    let threads = std::thread::available_parallelism()
        .map(usize::from)
        .unwrap_or(1)
        .min(raw.len().max(1));
    let verify = |bytes: &Vec<u8>| {
        let signed = SignedTransaction::decode(bytes)?;
        if signed.tx.chain_id != chain_id {
            return Err(TxError::WrongChainId {
                expected: chain_id,
                got: signed.tx.chain_id,
            });
        }
        signed.recover()
    };
    if threads <= 1 || raw.len() < 8 {
        return raw.iter().map(verify).collect();
    }
    let chunk = raw.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = raw
            .chunks(chunk)
            .map(|share| scope.spawn(move || share.iter().map(verify).collect::<Vec<_>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|handle| {
                handle.join().unwrap_or_else(|_| {
                    // A panicking worker is a bug in the crypto library; report it per tx
                    // rather than bringing the node down.
                    vec![Err(TxError::BadSignature("signature recovery failed")); chunk]
                })
            })
            .take(raw.len())
            .collect()
    })
}

/// Transactions per unit of work handed to a recovery thread by [`recover_each`].
const RECOVERY_CHUNK: usize = 32;

/// Decodes, checks the chain id of, and recovers the senders of `raw` on one worker thread
/// per core, and calls `handle(index, result)` on the calling thread in input order as
/// results arrive, so that the caller's sequential work overlaps the recovery of later
/// transactions. Stops at the first error `handle` returns.
///
/// # Errors
/// The first error of `handle`.
pub fn recover_each<E>(
    raw: &[Vec<u8>],
    chain_id: u64,
    mut handle: impl FnMut(usize, Result<VerifiedTransaction, TxError>) -> Result<(), E>,
) -> Result<(), E> {
    let threads = std::thread::available_parallelism()
        .map(usize::from)
        .unwrap_or(1);
    if threads <= 1 || raw.len() < 2 * RECOVERY_CHUNK {
        for (index, bytes) in raw.iter().enumerate() {
            handle(index, verify_raw(bytes, chain_id))?;
        }
        return Ok(());
    }
    let chunks = raw.len().div_ceil(RECOVERY_CHUNK);
    let next_chunk = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|scope| {
        let (sender, receiver) = std::sync::mpsc::channel();
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                let sender = sender.clone();
                let next_chunk = &next_chunk;
                scope.spawn(move || {
                    loop {
                        let chunk = next_chunk.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(share) = raw.chunks(RECOVERY_CHUNK).nth(chunk) else {
                            break;
                        };
                        let results: Vec<_> = share
                            .iter()
                            .map(|bytes| verify_raw(bytes, chain_id))
                            .collect();
                        if sender.send((chunk, results)).is_err() {
                            break;
                        }
                    }
                })
            })
            .collect();
        drop(sender);
        let mut ready = std::collections::BTreeMap::new();
        let mut wanted = 0;
        let mut outcome = Ok(());
        'receive: for (chunk, results) in receiver.iter() {
            ready.insert(chunk, results);
            while let Some(results) = ready.remove(&wanted) {
                for (offset, result) in results.into_iter().enumerate() {
                    if let Err(error) = handle(wanted * RECOVERY_CHUNK + offset, result) {
                        outcome = Err(error);
                        break 'receive;
                    }
                }
                wanted += 1;
            }
        }
        drop(receiver);
        // Join explicitly: a worker that panicked (a bug in the crypto library) must not
        // bring the node down; its chunks are recovered here instead.
        for worker in workers {
            let _ = worker.join();
        }
        outcome?;
        while wanted < chunks {
            let share = raw.chunks(RECOVERY_CHUNK).nth(wanted).unwrap_or_default();
            let results = ready.remove(&wanted).unwrap_or_else(|| {
                share
                    .iter()
                    .map(|bytes| verify_raw(bytes, chain_id))
                    .collect()
            });
            for (offset, result) in results.into_iter().enumerate() {
                handle(wanted * RECOVERY_CHUNK + offset, result)?;
            }
            wanted += 1;
        }
        Ok(())
    })
}

/// Decode, chain id, signature: the checks that need nothing but the bytes (a node makes
/// them off its block-producing thread).
///
/// # Errors
/// [`TxError::Decode`], [`TxError::WrongShape`] (a `to` of the wrong length),
/// [`TxError::WrongChainId`], [`TxError::BadSignature`] or [`TxError::HighS`].
pub fn verify_raw(bytes: &[u8], chain_id: u64) -> Result<VerifiedTransaction, TxError> {
    let signed = SignedTransaction::decode(bytes)?;
    if signed.tx.chain_id != chain_id {
        return Err(TxError::WrongChainId {
            expected: chain_id,
            got: signed.tx.chain_id,
        });
    }
    signed.recover()
}
