//! Work shared by concurrent requests: one computation per key, which every request asking for
//! that key while it runs awaits (single flight), its result kept afterwards in a cache bounded
//! in bytes, least recently used first out. The stored scenarios computed on the live state and
//! their rendered layers are kept here (`scenarios.rs`); the whole is dropped when the live
//! state is swapped.

use super::problem::Problem;
use futures_util::future::{BoxFuture, FutureExt, Shared};
use std::collections::HashMap;
use std::sync::Mutex;

/// A computation under way, awaited by every request for its key.
type Flight<T> = Shared<BoxFuture<'static, Result<T, Problem>>>;

/// Computations by key, each run once however many requests ask for it at once, and their
/// results kept within `max_bytes`.
pub(super) struct Flights<T: Clone> {
    inner: Mutex<Inner<T>>,
    max_bytes: usize,
    size: fn(&T) -> usize,
}

impl<T: Clone> std::fmt::Debug for Flights<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Flights")
            .field("max_bytes", &self.max_bytes)
            .finish_non_exhaustive()
    }
}

struct Inner<T> {
    /// Computations under way (a finished one stays here until a request collects it).
    running: HashMap<String, Flight<T>>,
    /// Results, with their sizes.
    done: lru::LruCache<String, (T, usize)>,
    /// The sum of the sizes in `done`.
    bytes: usize,
    /// Counts [`Flights::clear`]s: a computation started before one is not kept after it.
    generation: u64,
}

impl<T: Clone + Send + Sync + 'static> Flights<T> {
    /// Nothing computed yet; results kept within `max_bytes` as measured by `size`.
    pub(super) fn new(max_bytes: usize, size: fn(&T) -> usize) -> Self {
        Flights {
            inner: Mutex::new(Inner {
                running: HashMap::new(),
                done: lru::LruCache::unbounded(),
                bytes: 0,
                generation: 0,
            }),
            max_bytes,
            size,
        }
    }

    /// The result for `key`: kept from before, being computed (awaited with every other request
    /// for it), or computed now by `start` on a task of its own, which finishes even when every
    /// request waiting for it has gone (its result is then collected by the next one). A
    /// failure is answered to every request that awaited it and not kept: the next request
    /// computes again.
    pub(super) async fn get(
        &self,
        key: &str,
        start: impl FnOnce() -> BoxFuture<'static, Result<T, Problem>>,
    ) -> Result<T, Problem> {
        // The lock is held only here, never across an await.
        let found = match self.inner.lock() {
            Err(_) => Err(start),
            Ok(mut inner) => {
                if let Some((v, _)) = inner.done.get(key) {
                    return Ok(v.clone());
                }
                let flight = match inner.running.get(key) {
                    Some(f) => f.clone(),
                    None => {
                        let task = tokio::spawn(start());
                        let f = async move { task.await.unwrap_or_else(|e| Err(Problem::from(e))) }
                            .boxed()
                            .shared();
                        inner.running.insert(key.to_string(), f.clone());
                        f
                    }
                };
                Ok((flight, inner.generation))
            }
        };
        let (flight, generation) = match found {
            Ok(found) => found,
            // A poisoned lock (a panic elsewhere while it was held): computed without sharing.
            Err(start) => return start().await,
        };
        let r = flight.clone().await;
        self.finish(key, generation, &flight, &r);
        r
    }

    /// Moves a finished computation from the running ones to the results (the first of its
    /// requests to see it finished does), unless the cache was cleared since it started.
    fn finish(&self, key: &str, generation: u64, flight: &Flight<T>, r: &Result<T, Problem>) {
        let Ok(mut inner) = self.inner.lock() else {
            return;
        };
        if inner.generation != generation || !inner.running.get(key).is_some_and(|f| f.ptr_eq(flight)) {
            return;
        }
        inner.running.remove(key);
        if let Ok(v) = r {
            self.keep(&mut inner, key, v.clone());
        }
    }

    /// Keeps `value` as the result for `key` (a result computed elsewhere, such as a scenario
    /// just stored).
    pub(super) fn insert(&self, key: &str, value: T) {
        if let Ok(mut inner) = self.inner.lock() {
            self.keep(&mut inner, key, value);
        }
    }

    fn keep(&self, inner: &mut Inner<T>, key: &str, value: T) {
        let size = (self.size)(&value);
        if size > self.max_bytes {
            return;
        }
        if let Some((_, old)) = inner.done.put(key.to_string(), (value, size)) {
            inner.bytes -= old;
        }
        inner.bytes += size;
        while inner.bytes > self.max_bytes {
            match inner.done.pop_lru() {
                Some((_, (_, s))) => inner.bytes -= s,
                None => break,
            }
        }
    }

    /// Forgets every result and computation under way (the live state was swapped: they
    /// describe the old one). Requests already awaiting a computation still get its answer.
    pub(super) fn clear(&self) {
        if let Ok(mut inner) = self.inner.lock() {
            inner.generation += 1;
            inner.running.clear();
            inner.done.clear();
            inner.bytes = 0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_requests_share_one_computation_and_failures_are_not_kept() {
        let flights: Arc<Flights<u64>> = Arc::new(Flights::new(2, |_| 1));
        let runs = Arc::new(AtomicUsize::new(0));
        let ask = |key: &'static str, value: Result<u64, ()>| {
            let (flights, runs) = (flights.clone(), runs.clone());
            tokio::spawn(async move {
                flights
                    .get(key, move || {
                        async move {
                            runs.fetch_add(1, Ordering::SeqCst);
                            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
                            value.map_err(|()| Problem::bad_request("no"))
                        }
                        .boxed()
                    })
                    .await
            })
        };
        let waiting: Vec<_> = (0..16).map(|_| ask("a", Ok(7))).collect();
        for w in waiting {
            assert_eq!(w.await.unwrap().unwrap(), 7);
        }
        assert_eq!(runs.load(Ordering::SeqCst), 1, "one computation for 16 requests");
        // Kept: not computed again.
        assert_eq!(ask("a", Ok(8)).await.unwrap().unwrap(), 7);
        assert_eq!(runs.load(Ordering::SeqCst), 1);
        // A failure reaches every waiter and is not kept.
        let failing: Vec<_> = (0..4).map(|_| ask("b", Err(()))).collect();
        for f in failing {
            assert_eq!(f.await.unwrap().unwrap_err().status, 400);
        }
        assert_eq!(runs.load(Ordering::SeqCst), 2);
        assert_eq!(ask("b", Ok(9)).await.unwrap().unwrap(), 9);
        assert_eq!(runs.load(Ordering::SeqCst), 3);
        // Bounded: a third result evicts the least recently used ("a" was used last before "b").
        assert_eq!(ask("c", Ok(10)).await.unwrap().unwrap(), 10);
        assert_eq!(ask("a", Ok(11)).await.unwrap().unwrap(), 11, "evicted, computed again");
        // Cleared: computed again.
        flights.clear();
        assert_eq!(ask("c", Ok(12)).await.unwrap().unwrap(), 12);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_computation_whose_requests_all_left_finishes_for_the_next_one() {
        let flights: Arc<Flights<u64>> = Arc::new(Flights::new(8, |_| 1));
        let runs = Arc::new(AtomicUsize::new(0));
        let start = |runs: Arc<AtomicUsize>| {
            move || {
                async move {
                    runs.fetch_add(1, Ordering::SeqCst);
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                    Ok(5)
                }
                .boxed()
            }
        };
        let f = flights.clone();
        let r = runs.clone();
        let gone = tokio::spawn(async move { f.get("k", start(r)).await });
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        gone.abort();
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        assert_eq!(flights.get("k", start(runs.clone())).await.unwrap(), 5);
        assert_eq!(runs.load(Ordering::SeqCst), 1);
    }
}
