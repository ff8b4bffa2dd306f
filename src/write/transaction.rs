//! Several files written all or none: `setup`'s credentials file and the settings that name its
//! profile, `doctor --fix`'s edits across settings layers. When one write fails, those written
//! before it are put back as they were (or removed, where they did not exist).

use std::path::{Path, PathBuf};

use super::{Applied, Plan, WriteError, apply, undo};

/// A write failed: what failed, and for each file written before it whether it was put back.
#[derive(Debug)]
pub struct Failed {
    pub error: WriteError,
    pub put_back: Vec<(PathBuf, Result<(), WriteError>)>,
}

impl Failed {
    /// Every file written before the failure is as it was.
    pub fn all_put_back(&self) -> bool {
        self.put_back.iter().all(|(_, undone)| undone.is_ok())
    }

    /// The failure and what became of the files before it, with paths as `shown` writes them.
    pub fn describe(&self, shown: impl Fn(&Path) -> String) -> String {
        let mut text = self.error.to_string();
        for (path, undone) in &self.put_back {
            match undone {
                Ok(()) => text.push_str(&format!("; {} was put back as it was", shown(path))),
                Err(err) => {
                    text.push_str(&format!("; putting {} back failed too: {err}", shown(path)));
                }
            }
        }
        text
    }
}

/// Writes each plan in order, or none of them; one [`Applied`] per plan (a plan with nothing to
/// change writes nothing).
pub fn apply_all(plans: &[&Plan]) -> Result<Vec<Applied>, Failed> {
    let mut applied: Vec<Applied> = Vec::new();
    for plan in plans {
        match apply(plan) {
            Ok(done) => applied.push(done),
            Err(error) => {
                let put_back = plans
                    .iter()
                    .zip(&applied)
                    .rev()
                    .map(|(plan, done)| (done.path.clone(), undo(plan, done)))
                    .collect();
                return Err(Failed { error, put_back });
            }
        }
    }
    Ok(applied)
}

#[cfg(test)]
mod tests {
    use super::super::{Edit, Scope, plan};
    use super::*;

    #[test]
    fn a_failed_write_puts_back_the_ones_before_it() {
        let dir = tempfile::tempdir().unwrap();
        let first = dir.path().join("first.json");
        std::fs::write(&first, "{\"env\":{}}\n").unwrap();
        let second = dir.path().join("second.json");
        std::fs::write(&second, "{}").unwrap();
        let edit = Edit::default().set_env("A", "1");
        let one = plan(&first, Scope::User, &edit).unwrap();
        let two = plan(&second, Scope::User, &edit).unwrap();
        // The second file changes after it was planned: its write is refused.
        std::fs::write(&second, "{\"changed\":true}").unwrap();
        let failed = apply_all(&[&one, &two]).unwrap_err();
        assert!(failed.all_put_back());
        assert_eq!(std::fs::read_to_string(&first).unwrap(), "{\"env\":{}}\n");
        let said = failed.describe(|p| p.file_name().unwrap().to_string_lossy().into_owned());
        assert!(
            said.ends_with("; first.json was put back as it was"),
            "{said}"
        );
        // Nothing to fail: both written.
        let one = plan(&first, Scope::User, &edit).unwrap();
        let two = plan(&second, Scope::User, &edit).unwrap();
        assert_eq!(apply_all(&[&one, &two]).unwrap().len(), 2);
    }
}
