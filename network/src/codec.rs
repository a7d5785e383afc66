//! The wire format of everything validators send each other, and of the engine's
//! write-ahead log: Borsh (the encoding Malachite's types implement), through one codec.
//!
//! A message that does not decode — truncated, trailing bytes, an unknown variant — is an
//! error the engine drops the message for; nothing a peer sends can panic a validator.

use assent_node::consensus::context::{
    Address, BlockId, Height, LedgerContext, ProposalPart, Signature,
};
use borsh::{BorshDeserialize, BorshSerialize};
use bytes::Bytes;
use malachitebft_app_channel::app::types::codec::{Codec, HasEncodedLen};
use malachitebft_app_channel::app::types::core::{
    ExtendedCommitCertificate, ExtendedCommitSignature, PolkaCertificate, Round, ValidatorProof,
};
use malachitebft_app_channel::app::types::streaming::StreamMessage;
use malachitebft_app_channel::app::types::sync::{RawDecidedValue, Request, Response, Status};
use malachitebft_app_channel::app::types::{ProposedValue, SignedConsensusMsg};
use malachitebft_core_consensus::LivenessMsg;
use malachitebft_sync::ValueResponse;

/// Borsh for every consensus, sync and log message of the ledger's context.
#[derive(Clone, Copy, Debug, Default)]
pub struct BorshCodec;

fn decode<T: BorshDeserialize>(bytes: &[u8]) -> Result<T, std::io::Error> {
    borsh::from_slice(bytes)
}

fn encode<T: BorshSerialize>(value: &T) -> Result<Bytes, std::io::Error> {
    borsh::to_vec(value).map(Bytes::from)
}

macro_rules! borsh_codec {
    ($($ty:ty),* $(,)?) => {$(
        impl Codec<$ty> for BorshCodec {
            type Error = std::io::Error;

            fn decode(&self, bytes: Bytes) -> Result<$ty, Self::Error> {
                decode(&bytes)
            }

            fn encode(&self, value: &$ty) -> Result<Bytes, Self::Error> {
                encode(value)
            }
        }
    )*};
}

borsh_codec!(
    ProposalPart,
    SignedConsensusMsg<LedgerContext>,
    LivenessMsg<LedgerContext>,
    StreamMessage<ProposalPart>,
    Status<LedgerContext>,
    Request<LedgerContext>,
    ProposedValue<LedgerContext>,
    PolkaCertificate<LedgerContext>,
);

/// A sync answer: decided blocks with their certificates. Vote extensions are not used,
/// so a certificate travels as its precommits alone.
#[derive(BorshSerialize, BorshDeserialize)]
struct WireResponse {
    start_height: Height,
    values: Vec<WireDecided>,
}

#[derive(BorshSerialize, BorshDeserialize)]
struct WireDecided {
    value_bytes: Vec<u8>,
    height: Height,
    round: Round,
    value_id: BlockId,
    signatures: Vec<(Address, Signature)>,
}

impl WireResponse {
    fn of(response: &Response<LedgerContext>) -> WireResponse {
        let Response::ValueResponse(response) = response;
        WireResponse {
            start_height: response.start_height,
            values: response
                .values
                .iter()
                .map(|value| WireDecided {
                    value_bytes: value.value_bytes.to_vec(),
                    height: value.certificate.height,
                    round: value.certificate.round,
                    value_id: value.certificate.value_id,
                    signatures: value
                        .certificate
                        .commit_signatures
                        .iter()
                        .map(|signature| (signature.address, signature.signature))
                        .collect(),
                })
                .collect(),
        }
    }

    fn into_response(self) -> Response<LedgerContext> {
        Response::ValueResponse(ValueResponse::new(
            self.start_height,
            self.values
                .into_iter()
                .map(|value| {
                    RawDecidedValue::new(
                        Bytes::from(value.value_bytes),
                        decided_certificate(
                            value.height,
                            value.round,
                            value.value_id,
                            value.signatures,
                        ),
                    )
                })
                .collect(),
        ))
    }
}

/// Malachite's certificate of a decided block from its precommits (no vote extensions).
pub fn decided_certificate(
    height: Height,
    round: Round,
    value_id: BlockId,
    signatures: Vec<(Address, Signature)>,
) -> ExtendedCommitCertificate<LedgerContext> {
    ExtendedCommitCertificate {
        height,
        round,
        value_id,
        commit_signatures: signatures
            .into_iter()
            .map(|(address, signature)| ExtendedCommitSignature {
                address,
                signature,
                extension: None,
            })
            .collect(),
    }
}

impl Codec<Response<LedgerContext>> for BorshCodec {
    type Error = std::io::Error;

    fn decode(&self, bytes: Bytes) -> Result<Response<LedgerContext>, Self::Error> {
        decode::<WireResponse>(&bytes).map(WireResponse::into_response)
    }

    fn encode(&self, response: &Response<LedgerContext>) -> Result<Bytes, Self::Error> {
        encode(&WireResponse::of(response))
    }
}

impl HasEncodedLen<Response<LedgerContext>> for BorshCodec {
    fn encoded_len(&self, response: &Response<LedgerContext>) -> Result<usize, std::io::Error> {
        borsh::object_length(&WireResponse::of(response))
    }
}

/// A validator's proof binding its network identity to its consensus key:
/// `(public_key, peer_id, signature)`.
impl Codec<ValidatorProof<LedgerContext>> for BorshCodec {
    type Error = std::io::Error;

    fn decode(&self, bytes: Bytes) -> Result<ValidatorProof<LedgerContext>, Self::Error> {
        let (public_key, peer_id, signature): (Vec<u8>, Vec<u8>, Signature) = decode(&bytes)?;
        Ok(ValidatorProof::new(public_key, peer_id, signature))
    }

    fn encode(&self, proof: &ValidatorProof<LedgerContext>) -> Result<Bytes, Self::Error> {
        encode(&(&proof.public_key, &proof.peer_id, &proof.signature))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use assent_node::consensus::context::Block;
    use malachitebft_app_channel::app::streaming::{StreamContent, StreamId};

    #[test]
    fn a_proposal_part_round_trips_and_garbage_is_an_error() {
        let part = ProposalPart {
            height: Height(3),
            round: Round::new(1),
            pol_round: Round::Nil,
            proposer: Address([7; 32]),
            block: Block {
                header: vec![1, 2, 3],
                time: 9,
                transactions: vec![vec![4, 5], vec![]],
            },
            signature: Signature([8; 64]),
        };
        let message = StreamMessage::new(
            StreamId::new(Bytes::from_static(b"id")),
            0,
            StreamContent::Data(part),
        );
        let bytes = BorshCodec.encode(&message).unwrap();
        let back: StreamMessage<ProposalPart> = BorshCodec.decode(bytes.clone()).unwrap();
        assert_eq!(back, message);
        for cut in 0..bytes.len() {
            let short: Result<StreamMessage<ProposalPart>, _> =
                BorshCodec.decode(bytes.slice(..cut));
            assert!(short.is_err(), "{cut} bytes decoded");
        }
        let mut longer = bytes.to_vec();
        longer.push(0);
        let long: Result<StreamMessage<ProposalPart>, _> = BorshCodec.decode(Bytes::from(longer));
        assert!(long.is_err());
    }
}
