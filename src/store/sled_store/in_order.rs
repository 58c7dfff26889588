//! Work on what a scan of the store reads, spread over threads and taken back in the scan's
//! order: the scan runs on a thread of its own, a few more do the work, and the caller
//! consumes the results as they come due.

use std::collections::BTreeMap;
use std::sync::mpsc::{Receiver, sync_channel};
use std::sync::{Arc, Mutex};

/// The most threads the work is spread over.
const MAX_THREADS: usize = 4;

/// `consume` over `f` of each item `input` yields, in `input`'s order; `input` is read on a
/// thread of its own and `f` runs on up to [`MAX_THREADS`] others, a few items ahead of the
/// one `consume` waits for. `consume` may stop early: the threads then stop too.
pub(super) fn map_in_order<T: Send, U: Send, R>(
    input: impl Iterator<Item = T> + Send,
    f: impl Fn(T) -> U + Sync,
    consume: impl FnOnce(&mut dyn Iterator<Item = U>) -> R,
) -> R {
    let threads = std::thread::available_parallelism()
        .map_or(1, std::num::NonZeroUsize::get)
        .min(MAX_THREADS);
    let (work_tx, work_rx) = sync_channel::<(usize, T)>(threads * 2);
    // each worker holds the work: once they have all stopped, the reader's next send fails
    let work_rx: Arc<Mutex<Receiver<(usize, T)>>> = Arc::new(Mutex::new(work_rx));
    let (done_tx, done_rx) = sync_channel::<(usize, U)>(threads * 2);
    let f = &f;
    std::thread::scope(|scope| {
        scope.spawn(move || {
            for (i, item) in input.enumerate() {
                if work_tx.send((i, item)).is_err() {
                    return;
                }
            }
        });
        for _ in 0..threads {
            let (work_rx, done_tx) = (Arc::clone(&work_rx), done_tx.clone());
            scope.spawn(move || {
                loop {
                    let next = match work_rx.lock() {
                        Ok(rx) => rx.recv(),
                        Err(_) => return,
                    };
                    let Ok((i, item)) = next else { return };
                    if done_tx.send((i, f(item))).is_err() {
                        return;
                    }
                }
            });
        }
        drop((work_rx, done_tx));
        // moved here, so that it is dropped (and the workers stop) before the threads are
        // waited for, however early `consume` stops
        let done_rx = done_rx;
        let mut waiting: BTreeMap<usize, U> = BTreeMap::new();
        let mut due = 0;
        let mut results = std::iter::from_fn(|| {
            loop {
                if let Some(result) = waiting.remove(&due) {
                    due += 1;
                    return Some(result);
                }
                let (i, result) = done_rx.recv().ok()?;
                waiting.insert(i, result);
            }
        });
        consume(&mut results)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_come_in_the_inputs_order_whatever_order_they_are_made_in() {
        let out: Vec<u64> = map_in_order(
            0..500u64,
            |n| {
                // later items made sooner than earlier ones
                std::thread::sleep(std::time::Duration::from_micros((500 - n) % 7 * 50));
                n * n
            },
            |results| results.collect(),
        );
        assert_eq!(out, (0..500u64).map(|n| n * n).collect::<Vec<_>>());
    }

    #[test]
    fn stopping_early_stops_the_threads() {
        // an endless input: only the threads stopping lets this return
        let first: Vec<u64> = map_in_order(0u64.., |n| n + 1, |results| results.take(3).collect());
        assert_eq!(first, [1, 2, 3]);
    }
}
