//! File-system work off the async worker threads.
//!
//! Every blocking job goes through one type-erased task, so the crate compiles tokio's task
//! machinery once rather than once per call site (each `tokio::fs` function and each
//! `spawn_blocking` closure is a task type of its own, and each costs the build time of a
//! task harness).

use std::any::Any;
use std::io;

type Answer = Box<dyn Any + Send>;
type Job = Box<dyn FnOnce() -> Answer + Send>;

async fn run_job(job: Job) -> io::Result<Answer> {
    tokio::task::spawn_blocking(job)
        .await
        .map_err(|e| io::Error::other(format!("the blocking task ended: {e}")))
}

/// Runs `work` on tokio's blocking pool and returns its answer.
pub(crate) async fn run<T: Send + 'static>(
    work: impl FnOnce() -> io::Result<T> + Send + 'static,
) -> io::Result<T> {
    let answer = run_job(Box::new(move || Box::new(work()) as Answer)).await?;
    *answer
        .downcast::<io::Result<T>>()
        .expect("a blocking job answers with its own type")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn answers_and_errors_come_back_unchanged() {
        assert_eq!(run(|| Ok(41 + 1)).await.unwrap(), 42);
        let err = run(|| Err::<(), _>(io::Error::new(io::ErrorKind::NotFound, "gone")))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::NotFound);
    }

    #[tokio::test]
    async fn a_panicking_job_is_an_error_not_a_panic() {
        let err = run(|| -> io::Result<()> { panic!("boom") })
            .await
            .unwrap_err();
        assert!(err.to_string().contains("blocking task ended"), "{err}");
    }
}
