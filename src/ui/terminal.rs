//! The terminal while the wizard runs. Prompts switch it to raw mode and hide the cursor; every
//! way out — an answer, Ctrl-C at a prompt, SIGINT, SIGTERM or SIGHUP between or
//! during prompts — puts back the mode it had before and shows the cursor, and says once that
//! nothing was written.
//!
//! A signal during the apply step does not stop it half-way: the two writes (credentials file,
//! settings file) either both happen or neither does. The signal is remembered and honoured
//! when the step is over.

use std::io::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};

/// The terminal mode before the first prompt.
#[cfg(unix)]
static SAVED: Mutex<Option<rustix::termios::Termios>> = Mutex::new(None);
/// Set while the writes run: a signal then waits for them.
static APPLYING: AtomicBool = AtomicBool::new(false);
/// A signal that arrived during the writes (its number), or 0.
static DEFERRED: AtomicI32 = AtomicI32::new(0);
/// Whether "setup cancelled" has been said. A lock, not a flag: the signal path exits the
/// process, and must not do so while the prompt path is half-way through saying it.
static REPORTED: Mutex<bool> = Mutex::new(false);
/// The first signal received (its number), or 0. The first, because a prompt interrupted by a
/// signal makes the terminal library raise SIGINT itself afterwards.
static RECEIVED: AtomicI32 = AtomicI32::new(0);

pub const MESSAGE: &str = "setup cancelled; nothing was written";

/// What is said when a signal ends the command (setup's message unless the guard was installed
/// with another).
static CANCELLED: Mutex<&'static str> = Mutex::new(MESSAGE);

/// Changes what a signal from now on says (once the files are written, "nothing was written" is
/// no longer true).
pub fn set_cancelled_message(message: &'static str) {
    if let Ok(mut current) = CANCELLED.lock() {
        *current = message;
    }
}

/// Saves the terminal's mode and starts listening for SIGINT, SIGTERM and SIGHUP. Dropping the
/// guard restores the mode and shows the cursor.
pub struct TerminalGuard;

impl TerminalGuard {
    /// `cancelled` is said once when a signal or Ctrl-C ends the command before it writes.
    pub fn install(cancelled: &'static str) -> TerminalGuard {
        set_cancelled_message(cancelled);
        #[cfg(unix)]
        if let Ok(mode) = rustix::termios::tcgetattr(std::io::stdin())
            && let Ok(mut saved) = SAVED.lock()
        {
            *saved = Some(mode);
        }
        listen();
        TerminalGuard
    }
}

/// A command without prompts (the doctor) ends on SIGINT, SIGTERM or SIGHUP as a prompt does:
/// what it started is ended and its temporary files removed, `cancelled` is said, and it exits
/// 128 + the signal.
pub fn exit_on_signals(cancelled: &'static str) {
    set_cancelled_message(cancelled);
    listen();
}

/// Starts listening for SIGINT, SIGTERM and SIGHUP, once for the process.
fn listen() {
    static LISTENING: std::sync::Once = std::sync::Once::new();
    LISTENING.call_once(|| {
        #[cfg(unix)]
        for (kind, number) in [
            (tokio::signal::unix::SignalKind::interrupt(), libc::SIGINT),
            (tokio::signal::unix::SignalKind::terminate(), libc::SIGTERM),
            (tokio::signal::unix::SignalKind::hangup(), libc::SIGHUP),
        ] {
            // SAFETY: the action only stores an integer in an atomic: async-signal-safe.
            let _ = unsafe {
                signal_hook_registry::register(number, move || {
                    let _ =
                        RECEIVED.compare_exchange(0, number, Ordering::SeqCst, Ordering::SeqCst);
                })
            };
            if let Ok(mut signal) = tokio::signal::unix::signal(kind) {
                tokio::spawn(async move {
                    if signal.recv().await.is_some() {
                        on_signal(number);
                    }
                });
            }
        }
        #[cfg(not(unix))]
        tokio::spawn(async {
            if tokio::signal::ctrl_c().await.is_ok() {
                let _ = RECEIVED.compare_exchange(0, 2, Ordering::SeqCst, Ordering::SeqCst);
                on_signal(2);
            }
        });
    });
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore();
    }
}

/// Puts the terminal back as it was and shows the cursor.
pub fn restore() {
    #[cfg(unix)]
    if let Ok(saved) = SAVED.lock()
        && let Some(mode) = saved.as_ref()
    {
        let _ = rustix::termios::tcsetattr(
            std::io::stdin(),
            rustix::termios::OptionalActions::Now,
            mode,
        );
    }
    // Only a terminal has a cursor: a redirected stderr must not get the escape code.
    let stderr = console::Term::stderr();
    if stderr.is_term() {
        let _ = stderr.show_cursor();
    }
}

/// Says "setup cancelled; nothing was written" unless it was said already: a Ctrl-C can reach
/// both the prompt (as a key) and the process (as a signal).
pub fn report_cancelled() {
    let mut reported = REPORTED
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if !*reported {
        let message = CANCELLED.lock().map_or(MESSAGE, |m| *m);
        crate::output::print_stderr(message);
        *reported = true;
    }
}

fn on_signal(number: i32) {
    if APPLYING.load(Ordering::SeqCst) {
        DEFERRED.store(number, Ordering::SeqCst);
        return;
    }
    exit_cancelled();
}

fn exit_cancelled() -> ! {
    // A rehearsed client, a credential helper, their temporary files: nothing outlives the tool.
    crate::proc::end_everything();
    restore();
    // A prompt may be half drawn: the message starts on a line of its own.
    let _ = std::io::stderr().write_all(b"\n");
    report_cancelled();
    std::process::exit(i32::from(cancelled_status()));
}

/// The exit status of a cancelled setup: 128 + the signal that stopped it (a signal can also
/// end a prompt before its handler runs), or 130 for Ctrl-C at a prompt.
pub fn cancelled_status() -> u8 {
    match RECEIVED.load(Ordering::SeqCst) {
        0 => 130,
        number => (128 + number) as u8,
    }
}

/// Runs the writes with signals held off; returns the signal that arrived meanwhile, if any.
pub fn while_applying<T>(writes: impl FnOnce() -> T) -> (T, Option<i32>) {
    APPLYING.store(true, Ordering::SeqCst);
    let result = writes();
    APPLYING.store(false, Ordering::SeqCst);
    let deferred = DEFERRED.swap(0, Ordering::SeqCst);
    (result, (deferred != 0).then_some(deferred))
}
