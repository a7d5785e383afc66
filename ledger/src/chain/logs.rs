//! Event search: [`Chain::logs`] and what it takes and gives.

use super::Chain;
use crate::error::LedgerError;
use crate::receipt::{Event, Receipt};
use crate::store::{EventLocation, Store};
use assent_stdlib::primitives::{Address, Hash};
use serde_json::Value;

/// Which events [`Chain::logs`] returns.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LogFilter {
    pub contract: Option<Address>,
    pub event: Option<String>,
    /// Field name → the JSON value it must equal.
    pub fields: Vec<(String, Value)>,
    pub from_block: Option<u64>,
    pub to_block: Option<u64>,
    /// Where a previous page stopped ([`LogPage::next`]): the search starts there.
    pub resume: Option<EventLocation>,
}

/// One matching event with where it happened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogEntry {
    pub block: u64,
    pub tx_hash: Hash,
    pub tx_index: u32,
    /// The event's index in its transaction's receipt.
    pub event_index: u32,
    pub event: Event,
}

/// What one search of [`Chain::logs`] found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LogPage {
    pub entries: Vec<LogEntry>,
    /// Where the search stopped before the end of the range (the limit was reached, or
    /// [`MAX_LOG_SCAN`] events and blocks were looked at): the next event not yet looked
    /// at. `None` when the range is done.
    pub next: Option<EventLocation>,
}

/// The most events and blocks one [`Chain::logs`] search looks at, matching or not, so
/// that a filter that matches little in a long range still answers in bounded time
/// (with [`LogPage::next`] to go on from).
pub const MAX_LOG_SCAN: usize = 100_000;

/// Index entries read from the store at a time by a contract-filtered search.
const LOG_INDEX_BATCH: usize = 1_024;

/// The position just after `location` in chain order.
fn after(location: EventLocation) -> EventLocation {
    match location.event_index.checked_add(1) {
        Some(event_index) => EventLocation {
            event_index,
            ..location
        },
        None => EventLocation {
            block: location.block,
            tx_index: location.tx_index.saturating_add(1),
            event_index: 0,
        },
    }
}

/// The receipt of one transaction, read once for all of its events.
struct ReceiptCache {
    at: Option<(u64, u32)>,
    receipt: Option<Receipt>,
}

impl ReceiptCache {
    fn get<S: Store>(
        &mut self,
        store: &S,
        block: u64,
        tx_index: u32,
    ) -> Result<Option<&Receipt>, LedgerError> {
        if self.at != Some((block, tx_index)) {
            self.receipt = store.receipt_at(block, tx_index)?;
            self.at = Some((block, tx_index));
        }
        Ok(self.receipt.as_ref())
    }
}

/// A page of [`Chain::logs`] as it fills.
struct Collector<'f> {
    filter: &'f LogFilter,
    limit: usize,
    looked_at: usize,
    page: LogPage,
}

impl Collector<'_> {
    /// Counts one more thing looked at; `false` (and `next` set to `location`) when the
    /// page is full or the budget spent.
    fn look_at(&mut self, location: EventLocation) -> bool {
        if self.page.entries.len() >= self.limit || self.looked_at >= MAX_LOG_SCAN {
            self.page.next = Some(location);
            return false;
        }
        self.looked_at += 1;
        true
    }

    /// Looks at one event and keeps it if it matches; `false` when the page is full.
    fn take(&mut self, location: EventLocation, receipt: &Receipt, event: &Event) -> bool {
        if !self.look_at(location) {
            return false;
        }
        if self.filter.matches(event) {
            self.page.entries.push(LogEntry {
                block: location.block,
                tx_hash: receipt.tx_hash,
                tx_index: location.tx_index,
                event_index: location.event_index,
                event: event.clone(),
            });
        }
        true
    }
}

impl LogFilter {
    fn matches(&self, event: &Event) -> bool {
        if self.event.as_ref().is_some_and(|name| *name != event.name) {
            return false;
        }
        if self.fields.is_empty() {
            return true;
        }
        let Ok(fields) = serde_json::from_str::<Value>(&event.fields) else {
            return false;
        };
        self.fields
            .iter()
            .all(|(name, value)| fields.get(name) == Some(value))
    }
}

impl<S: Store> Chain<S> {
    /// The events matching a filter, in chain order: at most `limit`, looking at no more
    /// than [`MAX_LOG_SCAN`] events and blocks. The work is proportional to what is looked
    /// at: each receipt is read and decoded once, by its place in the chain.
    ///
    /// # Errors
    /// A storage fault.
    pub fn logs(&self, filter: &LogFilter, limit: usize) -> Result<LogPage, LedgerError> {
        let to = filter
            .to_block
            .unwrap_or(self.head.number)
            .min(self.head.number);
        let from = EventLocation {
            block: filter.from_block.unwrap_or(0),
            tx_index: 0,
            event_index: 0,
        };
        let start = filter.resume.map_or(from, |resume| resume.max(from));
        let mut page = Collector {
            filter,
            limit,
            looked_at: 0,
            page: LogPage::default(),
        };
        let mut cache = ReceiptCache {
            at: None,
            receipt: None,
        };
        if start.block > to {
            return Ok(page.page);
        }
        match &filter.contract {
            Some(contract) => {
                let mut cursor = start;
                loop {
                    let batch = self
                        .store
                        .events_from(contract, cursor, to, LOG_INDEX_BATCH)?;
                    let Some(last) = batch.last().copied() else {
                        break;
                    };
                    for location in batch {
                        let Some(receipt) =
                            cache.get(self.store.as_ref(), location.block, location.tx_index)?
                        else {
                            continue;
                        };
                        let index = usize::try_from(location.event_index).unwrap_or(usize::MAX);
                        let Some(event) = receipt.events.get(index) else {
                            continue;
                        };
                        if !page.take(location, receipt, event) {
                            return Ok(page.page);
                        }
                    }
                    cursor = after(last);
                }
            }
            None => {
                for block in start.block..=to {
                    // A block counts as looked at, so that empty blocks are bounded too.
                    let location = EventLocation {
                        block,
                        tx_index: 0,
                        event_index: 0,
                    };
                    if !page.look_at(location) {
                        return Ok(page.page);
                    }
                    let count = self.store.block_transactions(block)?.len();
                    let first_tx = if block == start.block {
                        start.tx_index
                    } else {
                        0
                    };
                    for tx_index in first_tx..u32::try_from(count).unwrap_or(u32::MAX) {
                        let Some(receipt) = cache.get(self.store.as_ref(), block, tx_index)? else {
                            continue;
                        };
                        let first_event = if (block, tx_index) == (start.block, start.tx_index) {
                            start.event_index
                        } else {
                            0
                        };
                        for (index, event) in receipt.events.iter().enumerate() {
                            let event_index = u32::try_from(index).unwrap_or(u32::MAX);
                            if event_index < first_event {
                                continue;
                            }
                            let location = EventLocation {
                                block,
                                tx_index,
                                event_index,
                            };
                            if !page.take(location, receipt, event) {
                                return Ok(page.page);
                            }
                        }
                    }
                }
            }
        }
        Ok(page.page)
    }
}
