//! The ledger's [`Context`] for Malachite (the Tendermint algorithm in Rust): what a height,
//! a validator, a block value, a proposal and a vote are, and how votes are signed.
//!
//! - A validator's address is its Ed25519 consensus public key (32 bytes, as in the
//!   genesis file); the set is the genesis file's, in its order.
//! - The value is a [`Block`]: the header the proposer executed (whose hash is the value's
//!   id, what votes name and certificates sign) with the block's time and transactions, so
//!   a validator re-executes the transactions and compares the header.
//! - Votes sign `0x43 ‖ rlp([chain_id, height, round, kind, block_hash])` (kind 1 prevote,
//!   2 precommit; a nil vote has an empty `block_hash`), so that a block's precommits form
//!   the commit certificate of [`super::certificate`] as they are. A proposal signs
//!   `0x43 ‖ rlp([chain_id, height, round, 0, block_hash, pol_round + 1])` (0: none).
//! - The proposer of a round goes round the set: validator `(height + round) mod n`.
//! - Every type a peer sends has a Borsh encoding, the embedded engine's wire format.

use std::fmt;

use assent_ledger::Hash;
use assent_ledger::block::Header;
use assent_ledger::rlp::ListBuilder;
use async_trait::async_trait;
use malachitebft_core_types::{
    self as core, CommitCertificate, LinearTimeouts, NilOrVal, Round, SignedMessage, SigningScheme,
    ValidatorProof, VoteExtensionScope, VoteType,
};
use malachitebft_signing::{Error as SigningError, Signer, VerificationResult, Verifier};

use super::certificate::{self, Certificate, CommitSignature, VOTE_PREFIX, VoteKind};
use super::genesis::Genesis;
use super::keys::{ValidatorKey, verify};

/// A block height (the ledger's block number; genesis is 0, the first decided block 1).
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    borsh::BorshSerialize,
    borsh::BorshDeserialize,
)]
pub struct Height(pub u64);

impl fmt::Display for Height {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl core::Height for Height {
    const ZERO: Self = Height(0);
    const INITIAL: Self = Height(1);

    fn increment_by(&self, n: u64) -> Self {
        Height(self.0.saturating_add(n))
    }

    fn decrement_by(&self, n: u64) -> Option<Self> {
        self.0.checked_sub(n).map(Height)
    }

    fn as_u64(&self) -> u64 {
        self.0
    }
}

/// A validator's address: its Ed25519 public key.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    borsh::BorshSerialize,
    borsh::BorshDeserialize,
)]
pub struct Address(pub [u8; 32]);

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&assent_ledger::primitives::encode_hex(&self.0))
    }
}

impl core::Address for Address {}

/// The id of a [`Block`]: its header hash.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct BlockId(pub Hash);

impl borsh::BorshSerialize for BlockId {
    fn serialize<W: borsh::io::Write>(&self, writer: &mut W) -> borsh::io::Result<()> {
        self.0.0.serialize(writer)
    }
}

impl borsh::BorshDeserialize for BlockId {
    fn deserialize_reader<R: borsh::io::Read>(reader: &mut R) -> borsh::io::Result<Self> {
        <[u8; 32]>::deserialize_reader(reader).map(|bytes| BlockId(Hash(bytes)))
    }
}

impl fmt::Display for BlockId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// The value consensus decides: a block as its proposer executed it.
#[derive(
    Clone, Debug, PartialEq, Eq, PartialOrd, Ord, borsh::BorshSerialize, borsh::BorshDeserialize,
)]
pub struct Block {
    /// `rlp(header)`; the id is its Keccak-256.
    pub header: Vec<u8>,
    pub time: u64,
    /// The signed transactions, in order.
    pub transactions: Vec<Vec<u8>>,
}

impl Block {
    pub fn new(header: &Header, time: u64, transactions: Vec<Vec<u8>>) -> Block {
        Block {
            header: header.encode(),
            time,
            transactions,
        }
    }

    /// The header, if the bytes are one.
    pub fn header(&self) -> Option<Header> {
        Header::decode(&self.header).ok()
    }
}

impl core::Value for Block {
    type Id = BlockId;

    fn id(&self) -> BlockId {
        BlockId(assent_ledger::keccak256(&self.header))
    }
}

/// A piece of a streamed proposal: the whole block in one part (blocks are bounded by the
/// block gas limit and the transaction count).
#[derive(Clone, Debug, PartialEq, Eq, borsh::BorshSerialize, borsh::BorshDeserialize)]
pub struct ProposalPart {
    pub height: Height,
    pub round: Round,
    /// The round the proposer locked on the block in (nil for a block new in this round).
    pub pol_round: Round,
    pub proposer: Address,
    pub block: Block,
    /// The proposer's signature of the block for this height
    /// ([`LedgerContext::part_bytes`]): a part its claimed proposer did not sign is
    /// dropped before its block is executed or kept, so no peer can fill a validator's
    /// room for proposals with blocks of its own.
    pub signature: Signature,
}

impl core::ProposalPart<LedgerContext> for ProposalPart {
    fn is_first(&self) -> bool {
        true
    }

    fn is_last(&self) -> bool {
        true
    }
}

/// A proposal: a block for a height and round.
#[derive(Clone, Debug, PartialEq, Eq, borsh::BorshSerialize, borsh::BorshDeserialize)]
pub struct Proposal {
    pub height: Height,
    pub round: Round,
    pub block: Block,
    pub pol_round: Round,
    pub proposer: Address,
}

impl core::Proposal<LedgerContext> for Proposal {
    fn height(&self) -> Height {
        self.height
    }
    fn round(&self) -> Round {
        self.round
    }
    fn value(&self) -> &Block {
        &self.block
    }
    fn take_value(self) -> Block {
        self.block
    }
    fn pol_round(&self) -> Round {
        self.pol_round
    }
    fn validator_address(&self) -> &Address {
        &self.proposer
    }
}

/// A prevote or precommit.
#[derive(Clone, Debug, PartialEq, Eq, borsh::BorshSerialize, borsh::BorshDeserialize)]
pub struct Vote {
    pub kind: VoteType,
    pub height: Height,
    pub round: Round,
    pub block: NilOrVal<BlockId>,
    pub voter: Address,
}

impl core::Vote<LedgerContext> for Vote {
    fn height(&self) -> Height {
        self.height
    }
    fn round(&self) -> Round {
        self.round
    }
    fn value(&self) -> &NilOrVal<BlockId> {
        &self.block
    }
    fn take_value(self) -> NilOrVal<BlockId> {
        self.block
    }
    fn vote_type(&self) -> VoteType {
        self.kind
    }
    fn validator_address(&self) -> &Address {
        &self.voter
    }
    fn extension(&self) -> Option<&core::SignedExtension<LedgerContext>> {
        None
    }
    fn take_extension(&mut self) -> Option<core::SignedExtension<LedgerContext>> {
        None
    }
    fn extend(self, _extension: core::SignedExtension<LedgerContext>) -> Self {
        // Vote extensions are disabled.
        self
    }
}

/// A validator of the set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Validator {
    pub address: Address,
    pub power: u64,
}

impl core::Validator<LedgerContext> for Validator {
    fn address(&self) -> &Address {
        &self.address
    }
    fn public_key(&self) -> &[u8; 32] {
        &self.address.0
    }
    fn voting_power(&self) -> u64 {
        self.power
    }
}

/// The validator set: the genesis file's, in its order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidatorSet {
    pub validators: Vec<Validator>,
}

impl ValidatorSet {
    pub fn from_genesis(genesis: &Genesis) -> ValidatorSet {
        ValidatorSet {
            validators: genesis
                .validators
                .iter()
                .map(|validator| Validator {
                    address: Address(validator.public_key),
                    power: validator.power,
                })
                .collect(),
        }
    }
}

impl core::ValidatorSet<LedgerContext> for ValidatorSet {
    fn count(&self) -> usize {
        self.validators.len()
    }
    fn total_voting_power(&self) -> u64 {
        self.validators.iter().fold(0u64, |total, validator| {
            total.saturating_add(validator.power)
        })
    }
    fn get_by_address(&self, address: &Address) -> Option<&Validator> {
        self.validators
            .iter()
            .find(|validator| validator.address == *address)
    }
    fn get_by_index(&self, index: usize) -> Option<&Validator> {
        self.validators.get(index)
    }
}

/// An Ed25519 signature, ordered by its bytes.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    borsh::BorshSerialize,
    borsh::BorshDeserialize,
)]
pub struct Signature(pub [u8; 64]);

/// Ed25519 over the exact bytes of a vote or proposal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ed25519;

/// A signature or key of the wrong length.
#[derive(Clone, Copy, Debug)]
pub struct WrongLength;

impl fmt::Display for WrongLength {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("wrong length for an Ed25519 key or signature")
    }
}

impl SigningScheme for Ed25519 {
    type DecodingError = WrongLength;
    type Signature = Signature;
    type PublicKey = [u8; 32];
    type PrivateKey = ValidatorKey;

    fn decode_signature(bytes: &[u8]) -> Result<Signature, WrongLength> {
        <[u8; 64]>::try_from(bytes)
            .map(Signature)
            .map_err(|_| WrongLength)
    }
    fn encode_signature(signature: &Signature) -> Vec<u8> {
        signature.0.to_vec()
    }
    fn decode_public_key(bytes: &[u8]) -> Result<[u8; 32], WrongLength> {
        <[u8; 32]>::try_from(bytes).map_err(|_| WrongLength)
    }
    fn encode_public_key(public_key: &[u8; 32]) -> Vec<u8> {
        public_key.to_vec()
    }
}

/// The ledger's consensus context: the chain id every signature is bound to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LedgerContext {
    pub chain_id: u64,
}

impl core::Context for LedgerContext {
    type Address = Address;
    type Height = Height;
    type ProposalPart = ProposalPart;
    type Proposal = Proposal;
    type Validator = Validator;
    type ValidatorSet = ValidatorSet;
    type Timeouts = LinearTimeouts;
    type Value = Block;
    type Vote = Vote;
    type Extension = ();
    type SigningScheme = Ed25519;

    fn select_proposer<'a>(
        &self,
        validator_set: &'a ValidatorSet,
        height: Height,
        round: Round,
    ) -> &'a Validator {
        let count = validator_set.validators.len().max(1) as u64;
        let round = u64::from(round.as_u32().unwrap_or(0));
        let index = height.0.wrapping_add(round) % count;
        let index = usize::try_from(index).unwrap_or(0);
        // INVARIANT: a genesis has at least one validator ([`Genesis::check`]) and
        // `index < count`; the first is the fallback an empty set cannot reach.
        #[allow(clippy::indexing_slicing)]
        &validator_set.validators[index.min(validator_set.validators.len().saturating_sub(1))]
    }

    fn new_proposal(
        &self,
        height: Height,
        round: Round,
        block: Block,
        pol_round: Round,
        proposer: Address,
    ) -> Proposal {
        Proposal {
            height,
            round,
            block,
            pol_round,
            proposer,
        }
    }

    fn new_prevote(
        &self,
        height: Height,
        round: Round,
        block: NilOrVal<BlockId>,
        voter: Address,
    ) -> Vote {
        Vote {
            kind: VoteType::Prevote,
            height,
            round,
            block,
            voter,
        }
    }

    fn new_precommit(
        &self,
        height: Height,
        round: Round,
        block: NilOrVal<BlockId>,
        voter: Address,
    ) -> Vote {
        Vote {
            kind: VoteType::Precommit,
            height,
            round,
            block,
            voter,
        }
    }
}

/// A round as the signed bytes carry it (the nil round never is signed as a vote's).
fn round_number(round: Round) -> u64 {
    u64::from(round.as_u32().unwrap_or(0))
}

impl LedgerContext {
    /// The bytes a vote signs.
    pub fn vote_bytes(&self, vote: &Vote) -> Vec<u8> {
        let kind = match vote.kind {
            VoteType::Prevote => VoteKind::Prevote,
            VoteType::Precommit => VoteKind::Precommit,
        };
        match vote.block {
            NilOrVal::Val(BlockId(hash)) => certificate::vote_bytes(
                self.chain_id,
                vote.height.0,
                round_number(vote.round),
                kind,
                &hash,
            ),
            NilOrVal::Nil => prefixed(
                ListBuilder::new()
                    .u64(self.chain_id)
                    .u64(vote.height.0)
                    .u64(round_number(vote.round))
                    .u64(kind as u64)
                    .bytes(&[]),
            ),
        }
    }

    /// The bytes a proposer signs for the block it streams at `height`. Not the round: a
    /// validator restreaming another's block in a later round passes its signature on.
    pub fn part_bytes(&self, height: Height, block: &BlockId) -> Vec<u8> {
        prefixed(
            ListBuilder::new()
                .u64(self.chain_id)
                .bytes(b"proposal part")
                .u64(height.0)
                .bytes(&block.0.0),
        )
    }

    /// Whether `part` carries its claimed proposer's signature of its block.
    pub fn part_signed(&self, part: &ProposalPart) -> bool {
        let bytes = self.part_bytes(part.height, &core::Value::id(&part.block));
        verify(&part.proposer.0, &bytes, &part.signature.0)
    }

    /// The bytes a proposal signs.
    pub fn proposal_bytes(&self, proposal: &Proposal) -> Vec<u8> {
        let pol_round = proposal
            .pol_round
            .as_u32()
            .map_or(0, |round| u64::from(round).saturating_add(1));
        prefixed(
            ListBuilder::new()
                .u64(self.chain_id)
                .u64(proposal.height.0)
                .u64(round_number(proposal.round))
                .u64(0)
                .bytes(&core::Value::id(&proposal.block).0.0)
                .u64(pol_round),
        )
    }

    /// Malachite's commit certificate of a decided block in the network's own form
    /// (`assent_getCommit`).
    pub fn certificate(
        &self,
        validators: &ValidatorSet,
        decided: &CommitCertificate<LedgerContext>,
    ) -> Certificate {
        Certificate {
            height: decided.height.0,
            round: round_number(decided.round),
            block_hash: decided.value_id.0,
            signatures: decided
                .commit_signatures
                .iter()
                .filter(|signature| {
                    core::ValidatorSet::get_by_address(validators, &signature.address).is_some()
                })
                .map(|signature| CommitSignature {
                    public_key: signature.address.0,
                    signature: signature.signature.0,
                })
                .collect(),
        }
    }
}

fn prefixed(list: ListBuilder) -> Vec<u8> {
    let list = list.finish();
    let mut bytes = Vec::with_capacity(list.len().saturating_add(1));
    bytes.push(VOTE_PREFIX);
    bytes.extend_from_slice(&list);
    bytes
}

/// A validator's signer and every validator's verifier of votes and proposals.
#[derive(Clone, Debug)]
pub struct LedgerSigner {
    pub context: LedgerContext,
    pub key: ValidatorKey,
}

/// The bytes a validator signs to bind its network identity to its consensus key.
fn proof_bytes(public_key: &[u8], peer_id: &[u8]) -> Vec<u8> {
    prefixed(
        ListBuilder::new()
            .bytes(b"validator proof")
            .bytes(public_key)
            .bytes(peer_id),
    )
}

#[async_trait]
impl Signer<LedgerContext> for LedgerSigner {
    async fn sign_vote(
        &self,
        vote: Vote,
    ) -> Result<SignedMessage<LedgerContext, Vote>, SigningError> {
        let signature = Signature(self.key.sign(&self.context.vote_bytes(&vote)));
        Ok(SignedMessage::new(vote, signature))
    }

    async fn sign_proposal(
        &self,
        proposal: Proposal,
    ) -> Result<SignedMessage<LedgerContext, Proposal>, SigningError> {
        let signature = Signature(self.key.sign(&self.context.proposal_bytes(&proposal)));
        Ok(SignedMessage::new(proposal, signature))
    }

    async fn sign_vote_extension(
        &self,
        _scope: VoteExtensionScope<LedgerContext>,
        extension: (),
    ) -> Result<SignedMessage<LedgerContext, ()>, SigningError> {
        // Vote extensions are disabled; nothing asks for one.
        Ok(SignedMessage::new(extension, Signature([0; 64])))
    }

    async fn sign_validator_proof(
        &self,
        public_key: Vec<u8>,
        peer_id: Vec<u8>,
    ) -> Result<ValidatorProof<LedgerContext>, SigningError> {
        let signature = Signature(self.key.sign(&proof_bytes(&public_key, &peer_id)));
        Ok(ValidatorProof::new(public_key, peer_id, signature))
    }
}

#[async_trait]
impl Verifier<LedgerContext> for LedgerSigner {
    async fn verify_signed_vote(
        &self,
        vote: &Vote,
        signature: &Signature,
        public_key: &[u8; 32],
    ) -> Result<VerificationResult, SigningError> {
        Ok(VerificationResult::from_bool(verify(
            public_key,
            &self.context.vote_bytes(vote),
            &signature.0,
        )))
    }

    async fn verify_signed_proposal(
        &self,
        proposal: &Proposal,
        signature: &Signature,
        public_key: &[u8; 32],
    ) -> Result<VerificationResult, SigningError> {
        Ok(VerificationResult::from_bool(verify(
            public_key,
            &self.context.proposal_bytes(proposal),
            &signature.0,
        )))
    }

    async fn verify_signed_vote_extension(
        &self,
        _scope: &VoteExtensionScope<LedgerContext>,
        _extension: &(),
        _signature: &Signature,
        _public_key: &[u8; 32],
    ) -> Result<VerificationResult, SigningError> {
        // Vote extensions are disabled: none is ever valid.
        Ok(VerificationResult::Invalid)
    }

    async fn verify_validator_proof(
        &self,
        proof: &ValidatorProof<LedgerContext>,
    ) -> Result<VerificationResult, SigningError> {
        let Ok(public_key) = <[u8; 32]>::try_from(proof.public_key.as_slice()) else {
            return Ok(VerificationResult::Invalid);
        };
        Ok(VerificationResult::from_bool(verify(
            &public_key,
            &proof_bytes(&proof.public_key, &proof.peer_id),
            &proof.signature.0,
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use malachitebft_core_types::{Context as _, Value as _};

    use crate::consensus::fixtures::{genesis, keys};

    fn header() -> Header {
        crate::consensus::fixtures::header(1)
    }

    fn block_on<T>(future: impl std::future::Future<Output = T>) -> T {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(future)
    }

    #[test]
    fn malachite_precommits_make_a_certificate_any_ed25519_library_checks() {
        let keys = keys();
        let genesis = genesis(&keys);
        let context = LedgerContext { chain_id: 7 };
        let validators = ValidatorSet::from_genesis(&genesis);
        let header = header();
        let block = Block::new(&header, header.time, Vec::new());
        assert_eq!(block.id(), BlockId(header.hash()));

        // Three of four validators precommit the block through Malachite's signer trait.
        let precommits: Vec<_> = keys[..3]
            .iter()
            .map(|key| {
                let signer = LedgerSigner {
                    context,
                    key: key.clone(),
                };
                let vote = context.new_precommit(
                    Height(1),
                    Round::new(0),
                    NilOrVal::Val(block.id()),
                    Address(key.public_key()),
                );
                block_on(signer.sign_vote(vote)).unwrap()
            })
            .collect();
        // Every validator verifies each.
        let verifier = LedgerSigner {
            context,
            key: keys[3].clone(),
        };
        for precommit in &precommits {
            let valid = block_on(verifier.verify_signed_vote(
                &precommit.message,
                &precommit.signature,
                &precommit.message.voter.0,
            ))
            .unwrap();
            assert!(valid.is_valid());
        }
        let decided = CommitCertificate::new(Height(1), Round::new(0), block.id(), precommits);
        let certificate = context.certificate(&validators, &decided);
        assert_eq!(certificate.verify(&genesis, &header), Ok(3));

        // A prevote's signature is not a precommit's.
        let signer = LedgerSigner {
            context,
            key: keys[0].clone(),
        };
        let prevote = context.new_prevote(
            Height(1),
            Round::new(0),
            NilOrVal::Val(block.id()),
            Address(keys[0].public_key()),
        );
        let signed = block_on(signer.sign_vote(prevote)).unwrap();
        let mut forged = certificate.clone();
        forged.signatures[0].signature = signed.signature.0;
        assert!(forged.verify(&genesis, &header).is_err());
        // Another chain's precommits do not verify here.
        let other = LedgerContext { chain_id: 8 };
        let vote = other.new_precommit(
            Height(1),
            Round::new(0),
            NilOrVal::Val(block.id()),
            Address(keys[0].public_key()),
        );
        assert!(
            block_on(
                verifier.verify_signed_vote(
                    &vote,
                    &block_on(
                        LedgerSigner {
                            context: other,
                            key: keys[0].clone()
                        }
                        .sign_vote(vote.clone())
                    )
                    .unwrap()
                    .signature,
                    &keys[0].public_key(),
                )
            )
            .unwrap()
            .is_invalid()
        );
    }

    #[test]
    fn a_proposal_part_counts_only_with_its_proposers_signature_of_its_block_and_height() {
        let keys = keys();
        let context = LedgerContext { chain_id: 7 };
        let header = header();
        let block = Block::new(&header, header.time, vec![vec![1, 2, 3]]);
        let sign = |key: &ValidatorKey, height: u64, block: &Block| {
            Signature(key.sign(&context.part_bytes(Height(height), &block.id())))
        };
        let part = ProposalPart {
            height: Height(1),
            round: Round::new(0),
            pol_round: Round::Nil,
            proposer: Address(keys[1].public_key()),
            block: block.clone(),
            signature: sign(&keys[1], 1, &block),
        };
        assert!(context.part_signed(&part));
        // Restreamed in a later round by another validator: the signature still holds.
        let restreamed = ProposalPart {
            round: Round::new(2),
            pol_round: Round::new(0),
            ..part.clone()
        };
        assert!(context.part_signed(&restreamed));
        let other = Block::new(
            &Header {
                gas_used: header.gas_used.saturating_add(1),
                ..header.clone()
            },
            header.time,
            Vec::new(),
        );
        let forged = [
            // Another validator's signature of the same block.
            ProposalPart {
                signature: sign(&keys[2], 1, &block),
                ..part.clone()
            },
            // Claimed by a validator that did not sign it.
            ProposalPart {
                proposer: Address(keys[2].public_key()),
                ..part.clone()
            },
            // The proposer's signature of another height.
            ProposalPart {
                signature: sign(&keys[1], 2, &block),
                ..part.clone()
            },
            // The signature moved onto another block.
            ProposalPart {
                block: other,
                ..part.clone()
            },
            // Another chain's signature.
            ProposalPart {
                signature: Signature(
                    keys[1].sign(&LedgerContext { chain_id: 8 }.part_bytes(Height(1), &block.id())),
                ),
                ..part.clone()
            },
            ProposalPart {
                signature: Signature([0; 64]),
                ..part
            },
        ];
        for part in &forged {
            assert!(!context.part_signed(part), "{part:?}");
        }
    }

    #[test]
    fn proposals_and_proposers() {
        let keys = keys();
        let genesis = genesis(&keys);
        let context = LedgerContext { chain_id: 7 };
        let validators = ValidatorSet::from_genesis(&genesis);
        // The proposer goes round the set with the height and the round.
        let proposer = |height, round| {
            context
                .select_proposer(&validators, Height(height), Round::new(round))
                .address
        };
        assert_eq!(proposer(1, 0), validators.validators[1].address);
        assert_eq!(proposer(1, 1), validators.validators[2].address);
        assert_eq!(proposer(4, 0), validators.validators[0].address);

        let header = header();
        let signer = LedgerSigner {
            context,
            key: keys[1].clone(),
        };
        let proposal = context.new_proposal(
            Height(1),
            Round::new(0),
            Block::new(&header, header.time, vec![vec![1, 2, 3]]),
            Round::Nil,
            Address(keys[1].public_key()),
        );
        let signed = block_on(signer.sign_proposal(proposal.clone())).unwrap();
        let check = |proposal: &Proposal| {
            block_on(signer.verify_signed_proposal(
                proposal,
                &signed.signature,
                &keys[1].public_key(),
            ))
            .unwrap()
            .is_valid()
        };
        assert!(check(&proposal));
        let mut changed = proposal;
        changed.block.transactions.push(vec![4]);
        // The signature covers the header (the id), not the transactions: a validator
        // re-executes them and compares the header.
        assert!(check(&changed));
        changed.block.header[1] ^= 1;
        assert!(!check(&changed));
    }
}
