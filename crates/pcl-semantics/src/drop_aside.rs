//! Large values dropped on a thread of their own. After an edit of a large
//! file, the old parse and the old program are freed: one `Arc` count and
//! one allocation an item, each a cache miss, on the thread that the editor
//! waits on (a fifth of the first-level cache misses of an edit of a 10 MB
//! file). Handed to this thread, they are freed beside the next analysis.

use std::sync::OnceLock;
use std::sync::mpsc::{Sender, channel};

/// From how many items (or bytes) a value is dropped aside: below that,
/// freeing it costs less than the hand-over.
pub const ASIDE_FROM: usize = 4_096;

type Garbage = Box<dyn Send>;

/// Drops `value` on the dropping thread (started on first use), or here
/// when that thread cannot be started or has stopped.
pub fn drop_aside<T: Send + 'static>(value: T) {
    static DROPPER: OnceLock<Option<Sender<Garbage>>> = OnceLock::new();
    let dropper = DROPPER.get_or_init(|| {
        let (send, receive) = channel::<Garbage>();
        let started = std::thread::Builder::new().name("pcl-drop".into()).spawn(move || {
            // each value received is dropped at the end of its iteration
            for garbage in receive {
                drop(garbage);
            }
        });
        started.ok().map(|_| send)
    });
    let garbage: Garbage = Box::new(value);
    if let Some(dropper) = dropper
        && let Err(returned) = dropper.send(garbage)
    {
        drop(returned.0);
    }
}

#[cfg(test)]
mod tests {
    use super::drop_aside;

    /// A value dropped aside is dropped (on another thread).
    #[test]
    fn a_value_dropped_aside_is_dropped_elsewhere() {
        struct Signal(std::sync::mpsc::Sender<std::thread::ThreadId>);
        impl Drop for Signal {
            fn drop(&mut self) {
                let _ = self.0.send(std::thread::current().id());
            }
        }
        let (send, receive) = std::sync::mpsc::channel();
        drop_aside(Signal(send));
        let dropped_on = receive.recv_timeout(std::time::Duration::from_secs(30));
        assert!(dropped_on.is_ok_and(|id| id != std::thread::current().id()), "{dropped_on:?}");
    }
}
